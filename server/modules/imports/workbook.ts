/**
 * Reading and writing .xlsx through node-xlsx (SheetJS). Reading keeps Excel's row numbers
 * (blank rows included) and fills merged cells with their value, so messy sheets map cleanly.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type NodeXlsx from 'node-xlsx';
import { validationFailed } from '../../errors';
import { inspectZip } from './zip-guard';

let loaded: typeof NodeXlsx | undefined;
/**
 * node-xlsx (SheetJS), loaded by the first workbook read or written: a quarter of a second of CPU
 * that every module importing this one (the imports, the exports, each test file's server) paid
 * at load time whether or not it ever touched a workbook.
 */
export function sheetjs(): typeof NodeXlsx {
  return (loaded ??= (createRequire(__filename)('node-xlsx') as { default: typeof NodeXlsx }).default);
}

/** More data rows than this is not a CRM import but a mistake (or an attack). */
export const MAX_ROWS = 100_000;

export type Cell = string | number | boolean | null;

export interface SheetRow {
  /** 1-based, as Excel shows it. */
  number: number;
  cells: Cell[];
}

interface Merge {
  s: { r: number; c: number };
  e: { r: number; c: number };
}

/** The first sheet's rows, or a 400 that says what is wrong with the file. */
export function readFirstSheet(file: Buffer): SheetRow[] {
  const verdict = inspectZip(file);
  if (!verdict.ok) {
    throw validationFailed(
      verdict.reason === 'not_zip' ? '文件不是有效的 .xlsx 格式，请在 Excel 中“另存为 .xlsx”后再上传' : '文件解压后过大，不像是正常的表格文件',
    );
  }
  let merges: Merge[] = [];
  let fullRows = 0;
  let sheets: { name: string; data: Cell[][] }[];
  try {
    sheets = sheetjs().parse<Cell[]>(file, {
      dense: true,
      sheetRows: MAX_ROWS + 50,
      blankrows: true,
      // Start at row 1 whatever the sheet's range says, so index + 1 is the Excel row number.
      range: ((sheet: { '!ref'?: string; '!fullref'?: string; '!merges'?: Merge[] }) => {
        if (!fullRows) {
          merges = sheet['!merges'] ?? [];
          fullRows = Number(/\d+$/.exec(sheet['!fullref'] ?? sheet['!ref'] ?? '')?.[0] ?? 0);
        }
        return sheet['!ref'] ? sheet['!ref'].replace(/^([A-Z]+)\d+/, '$11') : undefined;
      }) as never,
    });
  } catch {
    throw validationFailed('无法读取这个 Excel 文件，请确认文件未损坏');
  }
  const first = sheets[0];
  if (!first || !first.data.some((row) => row.some(filled))) throw validationFailed('文件是空的：第一个工作表没有任何内容');
  if (fullRows > MAX_ROWS + 20) throw validationFailed(`一次最多导入 ${MAX_ROWS.toLocaleString('en-US')} 行，请拆分文件后分批导入`);
  const rows = first.data.map((cells, i) => ({ number: i + 1, cells: [...(cells ?? [])].map((c) => (c === undefined ? null : c)) }));
  fillMerges(rows, merges);
  return rows;
}

const PARSE_THREAD = resolve(__dirname, 'parse-thread.ts');
const TSX_REGISTER = require.resolve('tsx/cjs');
/** A sheet that needs more than this to parse is refused rather than allowed to exhaust the server. */
const PARSE_MEMORY_MB = 1536;

/**
 * `readFirstSheet` on a worker thread (TypeScript loaded through tsx, as the server itself is),
 * with its own memory ceiling: the event loop stays free and a pathological file kills only the
 * worker.
 */
export function readFirstSheetOffThread(file: Buffer): Promise<SheetRow[]> {
  return new Promise((done, fail) => {
    const worker = new Worker(`require(${JSON.stringify(TSX_REGISTER)}); require(${JSON.stringify(PARSE_THREAD)});`, {
      eval: true,
      workerData: file,
      resourceLimits: { maxOldGenerationSizeMb: PARSE_MEMORY_MB },
    });
    worker.once('message', (answer: { rows?: SheetRow[]; refused?: string | null }) => {
      void worker.terminate();
      if (answer.rows) done(answer.rows);
      else fail(validationFailed(answer.refused ?? '无法读取这个 Excel 文件，请确认文件未损坏'));
    });
    worker.once('error', (err: Error & { code?: string }) =>
      fail(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? validationFailed('文件内容过大，无法读取：请拆分后分批导入') : err),
    );
    // Settled already unless the thread died without a word.
    worker.once('exit', (code) => fail(new Error(`the sheet parser exited with code ${code}`)));
  });
}

export const filled = (cell: Cell | undefined): boolean => cell !== null && cell !== undefined && String(cell).trim() !== '';

/** Only the first sheet's merges are captured (the one imported). Rows are 0-based in `Merge`. */
function fillMerges(rows: SheetRow[], merges: Merge[]): void {
  for (const m of merges) {
    const value = rows[m.s.r]?.cells[m.s.c] ?? null;
    for (let r = m.s.r; r <= m.e.r; r++) {
      const row = rows[r];
      if (!row) continue;
      for (let c = m.s.c; c <= m.e.c; c++) row.cells[c] ??= value;
    }
  }
}

export interface SheetOut {
  name: string;
  rows: Cell[][];
  /** Column widths in characters. */
  widths?: number[];
}

/**
 * Text Excel may take for a formula once a person edits the cell or saves the sheet as CSV (OWASP
 * "CSV Injection": `=`, `+`, `-`, `@`, tab, carriage return at the start). Every workbook we hand
 * out — exports, error reports echoing an upload, templates — goes through `buildWorkbook`, which
 * prefixes such text with `'` so it stays text; numbers are number cells and stay as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const neutraliseFormula = (cell: Cell): Cell => (typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell);
/** The text `neutraliseFormula` was given: an export edited in Excel imports back as it was exported. */
export const withoutFormulaGuard = (text: string): string => (text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text);

export function buildWorkbook(sheets: SheetOut[]): Buffer {
  // Deflated like Excel's own files (SheetJS stores them uncompressed unless told).
  return sheetjs().build(
    sheets.map((s) => ({
      name: s.name,
      data: s.rows.map((row) => row.map(neutraliseFormula)),
      options: s.widths ? { '!cols': s.widths.map((wch) => ({ wch })) } : {},
    })),
    { writeOptions: { compression: true } },
  );
}
