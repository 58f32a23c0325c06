/** One plain row of a `CellRows` list: what a `<van-cell>` shows of an item. */
export interface CellRow {
  key: string | number;
  title: string;
  /** The grey line under the title. */
  label?: string;
  /** The text at the right end. */
  value?: string;
  /** A class for the value (`overdue` for a late one). */
  valueClass?: string;
  /** Where a tap goes; the row shows its arrow then. */
  to?: string;
}
