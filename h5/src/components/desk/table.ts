/**
 * The desktop table's headless core: what a table shows and how, apart from how it is drawn —
 * its columns (which ones are shown, remembered per user and table in localStorage), the sort of
 * the page in view (a header clicked: ascending, descending, off), the selected rows. The shape
 * follows @tanstack/vue-table's (column `id` / `header` / accessor, `getSortedRows`, visibility,
 * selection) so the table can move onto it once it is a dependency (h5/README.md#desktop-tables).
 */
import { computed, ref, watch, type Ref } from 'vue';

export interface Column<T> {
  id: string;
  header: string;
  /** The cell's text (a slot `cell-<id>` may draw it instead). */
  text: (row: T) => string;
  /** What the column sorts by (the text when absent); null sorts last. */
  sortValue?: (row: T) => string | number | null;
  sortable?: boolean;
  /** Left out until the user picks it in 列. */
  hidden?: boolean;
  align?: 'left' | 'right';
  /** A CSS width ('120px'); the rest share what is left. */
  width?: string;
  /** Long text (a follow-up's content, an audit entry) wraps; other cells stay on one line, cut with … (the whole text on hover). */
  wrap?: boolean;
}

export interface SortState {
  id: string;
  desc: boolean;
}

const collator = new Intl.Collator('zh-Hans-CN', { numeric: true });

function compare(a: string | number | null, b: string | number | null): number {
  if (a === null || a === '') return b === null || b === '' ? 0 : 1;
  if (b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** The columns shown, read from and written to `storage` (per user and table). */
function useVisibility<T>(columns: Column<T>[], storage: string | null): Ref<string[]> {
  const initial = columns.filter((c) => !c.hidden).map((c) => c.id);
  let saved: string[] | null;
  try {
    saved = storage ? (JSON.parse(localStorage.getItem(storage) ?? 'null') as string[] | null) : null;
  } catch {
    saved = null; // a value someone else wrote: the defaults
  }
  const known = new Set(columns.map((c) => c.id));
  const visible = ref<string[]>(Array.isArray(saved) && saved.some((id) => known.has(id)) ? saved.filter((id) => known.has(id)) : initial);
  watch(visible, (ids) => {
    if (storage) localStorage.setItem(storage, JSON.stringify(ids));
  });
  return visible;
}

export function useTable<T>(options: { columns: () => Column<T>[]; rows: () => T[]; rowKey: (row: T) => number; storage: () => string | null }) {
  const columns = options.columns();
  const visible = useVisibility(columns, options.storage());
  const sort = ref<SortState | null>(null);
  const selected = ref<number[]>([]);

  /** The shown columns in their declared order. */
  const shownColumns = computed(() => columns.filter((c) => visible.value.includes(c.id)));
  function toggleColumn(id: string): void {
    const next = visible.value.includes(id) ? visible.value.filter((x) => x !== id) : [...visible.value, id];
    if (next.length) visible.value = next; // at least one column stays
  }

  function toggleSort(id: string): void {
    const s = sort.value;
    sort.value = s?.id !== id ? { id, desc: false } : s.desc ? null : { id, desc: true };
  }
  const sortedRows = computed(() => {
    const rows = options.rows();
    const s = sort.value;
    const column = s && columns.find((c) => c.id === s.id);
    if (!s || !column) return rows;
    const value = column.sortValue ?? column.text;
    const sorted = [...rows].sort((a, b) => compare(value(a), value(b)));
    return s.desc ? sorted.reverse() : sorted;
  });

  const isSelected = (row: T) => selected.value.includes(options.rowKey(row));
  function toggleRow(row: T): void {
    const key = options.rowKey(row);
    selected.value = selected.value.includes(key) ? selected.value.filter((x) => x !== key) : [...selected.value, key];
  }
  /** All rows of the page in view are picked (and there are some). */
  const allSelected = computed(() => sortedRows.value.length > 0 && sortedRows.value.every(isSelected));
  function toggleAll(): void {
    const keys = sortedRows.value.map(options.rowKey);
    selected.value = allSelected.value ? selected.value.filter((k) => !keys.includes(k)) : [...new Set([...selected.value, ...keys])];
  }

  return { columns, visible, shownColumns, toggleColumn, sort, toggleSort, sortedRows, selected, isSelected, toggleRow, allSelected, toggleAll };
}
