/**
 * Mapping a messy sheet onto an import's columns: find the header row (even below title rows),
 * match headers by Chinese or English name ignoring spaces, width, case and hints like
 * “（必填）”, and turn cells into the text, dates and dictionary codes the API schemas expect.
 */
import type { DictionaryValue } from '@shared/dictionaries';
import type { FieldTable, ImportCell, ImportColumn } from '@shared/record-fields';
import { isCalendarDate } from '@shared/time';
import { validationFailed } from '../../errors';
import { filled, withoutFormulaGuard, type Cell, type SheetRow } from './workbook';

/** An import column (shared/record-fields.ts: the record kinds' come from their field declarations). */
export type ColumnSpec = ImportColumn;

/** A record's import columns, in the order its fields are declared: a field's own column, headed by its label, or the columns it names. */
export const importColumnsOf = (fields: FieldTable): ColumnSpec[] =>
  Object.entries(fields).flatMap(([key, f]) =>
    !f.import ? [] : isColumnList(f.import) ? f.import : [{ key, header: f.label, ...(f.dictionary ? { dictionary: f.dictionary } : {}), ...f.import }],
  );
const isColumnList = (cells: ImportCell | readonly ImportColumn[]): cells is readonly ImportColumn[] => Array.isArray(cells);

/** How far down a title block may push the header row. */
const HEADER_SEARCH_ROWS = 30;

export function normalizeHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[(（[【].*?[)）\]】]/g, '')
    .replace(/[\s*_\-:：]/g, '')
    .toLowerCase();
}

export interface SheetLayout {
  headerRow: number;
  /** Column index in the sheet for each spec key found. */
  columnOf: Map<string, number>;
  /** The header as uploaded, per spec key (for error messages and the report). */
  headerOf: Map<string, string>;
  unknownColumns: string[];
  /** Data rows: everything below the header that is not blank. */
  dataRows: SheetRow[];
}

/** Finds the header row and maps its columns, or a 400 naming the missing required columns. */
export function layoutOf(rows: SheetRow[], specs: readonly ColumnSpec[]): SheetLayout {
  const names = new Map<string, ColumnSpec>();
  for (const spec of specs) for (const name of [spec.header, spec.key, ...spec.aliases]) names.set(normalizeHeader(name), spec);
  const matchesIn = (row: SheetRow) => row.cells.filter((c) => filled(c) && names.has(normalizeHeader(String(c)))).length;

  let header: SheetRow | undefined;
  let best = 0;
  for (const row of rows.slice(0, HEADER_SEARCH_ROWS)) {
    const score = matchesIn(row);
    if (score > best) [header, best] = [row, score];
  }
  const required = specs.filter((s) => s.required).map((s) => s.header);
  if (!header)
    throw validationFailed(`找不到表头：第一个工作表的前 ${HEADER_SEARCH_ROWS} 行里没有可识别的列名（至少需要 ${required.join('、')}），请使用导入模板`);

  const columnOf = new Map<string, number>();
  const headerOf = new Map<string, string>();
  const unknownColumns: string[] = [];
  header.cells.forEach((cell, index) => {
    if (!filled(cell)) return;
    const text = String(cell).trim();
    const spec = names.get(normalizeHeader(text));
    if (!spec) unknownColumns.push(text);
    else if (!columnOf.has(spec.key)) {
      columnOf.set(spec.key, index);
      headerOf.set(spec.key, text);
    }
  });
  const missing = specs.filter((s) => s.required && !columnOf.has(s.key)).map((s) => s.header);
  if (missing.length) throw validationFailed(`缺少必填列：${missing.join('、')}（第 ${header.number} 行是表头）。请使用导入模板，或补上这些列后重新上传`);

  const mapped = [...columnOf.values()];
  const dataRows = rows.filter((r) => r.number > header.number && mapped.some((i) => filled(r.cells[i])));
  return { headerRow: header.number, columnOf, headerOf, unknownColumns, dataRows };
}

/**
 * A cell as trimmed text; numbers written out in full (a phone typed as a number stays whole); the
 * `'` our exports put before text that looks like a formula is taken off again.
 */
export function cellText(cell: Cell | undefined): string | null {
  if (!filled(cell)) return null;
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return withoutFormulaGuard(String(cell)).trim();
}

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** `YYYY-MM-DD` from an Excel date serial or common written forms (2026/3/5, 2026年3月5日, 20260305). */
export function cellDate(cell: Cell | undefined): string | null | 'invalid' {
  if (!filled(cell)) return null;
  if (typeof cell === 'number') {
    if (cell < 1 || cell > 2_958_465) return 'invalid';
    return new Date(EXCEL_EPOCH_MS + Math.round(cell) * 86_400_000).toISOString().slice(0, 10);
  }
  const text = String(cell).normalize('NFKC').trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return 'invalid';
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isCalendarDate(date) ? date : 'invalid';
}

/** A dictionary value given by its label or its code (enabled values only). */
export function cellCode(cell: Cell | undefined, values: readonly DictionaryValue[]): string | null | 'invalid' {
  const text = cellText(cell);
  if (text === null) return null;
  const wanted = normalizeHeader(text);
  const match = values.find((v) => v.enabled && (normalizeHeader(v.label) === wanted || normalizeHeader(v.code) === wanted));
  return match ? match.code : 'invalid';
}
