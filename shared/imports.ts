/** Excel import jobs (server/README.md#import-flow) as the API returns them. */
export const IMPORT_KINDS = {
  customers: '客户',
  partners: '代销机构',
  sales: '销售记录',
  holding_records: '持仓交易',
  follow_ups: '跟进记录',
  navs: '产品净值',
  /** 商机 (shared/opportunities.ts): open ones; 成交 and 输单 happen in the system. */
  opportunities: '商机',
  /** 公海 (shared/customer-pool.ts): customers put into their pool or assigned from it to a named rep. */
  pool_assignments: '公海分配',
} as const;
/** Kinds with records of their own, which an export writes and a re-import updates; the others are history. */
export const RECORD_IMPORT_KINDS = ['customers', 'partners'] as const;
export type ImportKind = keyof typeof IMPORT_KINDS;

/** `create`: only new records (a duplicate is skipped and reported); `upsert`: update the match. */
export const IMPORT_MODES = { create: '仅新增', upsert: '新增并更新已有' } as const;
export type ImportMode = keyof typeof IMPORT_MODES;

export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ImportRowError {
  /** The Excel row number, as the user sees it in their spreadsheet. */
  row: number;
  /** The column header as uploaded, or null for a whole-row problem (duplicate, batch failure). */
  column: string | null;
  value: string | null;
  message: string;
}

/** How far a job got through its rows, and what came of them (the job's view and its row alike). */
export interface ImportCounts {
  /** Data rows in the file (blank rows not counted). */
  total: number;
  processed: number;
  /** In a dry run: what committing would create / update. */
  created: number;
  updated: number;
  /** Duplicates in create mode, and rows identical to the record they match. */
  skipped: number;
  failed: number;
}

export interface ImportJobView extends ImportCounts {
  id: number;
  kind: ImportKind;
  mode: ImportMode;
  dryRun: boolean;
  status: ImportStatus;
  fileName: string;
  /** The first 100 row errors; the .xlsx report has them all. */
  errors: ImportRowError[];
  errorCount: number;
  unknownColumns: string[];
  /** Whole-job failure, in Chinese (the file, or an interruption). */
  error: string | null;
  /** Cut off before finishing (a restart): `POST /api/imports/:id/resume` carries on. */
  resumable: boolean;
  /** 0–100. */
  progress: number;
  createdAt: string;
  finishedAt: string | null;
}
