/**
 * Customer-data exports (server/README.md#customer-data-exports): how many records an export may
 * hold before someone must approve it, how long an approved one stays downloadable, and what the
 * H5 is told. No zod here (the list pages load it); the request's schema is in shared/approvals.ts.
 */
import type { RECORD_IMPORT_KINDS } from './imports';

/** The record lists an export writes (the import's own columns). */
export type ExportKind = (typeof RECORD_IMPORT_KINDS)[number];

/** An export of more records than this is an approval request first (corp setting `exportApprovalThreshold`). */
export const DEFAULT_EXPORT_APPROVAL_THRESHOLD = 50;

/** An approved export is downloadable this long after its approval, then answers 410. */
export const EXPORT_DOWNLOAD_HOURS = 24;

/** `GET /api/exports/policy`: what the list pages say beside 导出. */
export interface ExportPolicyView {
  /** More records than this need an approval; a full export (numbers unmasked) always does. */
  threshold: number;
  downloadHours: number;
}

/** `details` of a 409 `export_needs_approval`: why the file was not handed out at once. */
export interface ExportNeedsApproval {
  count: number;
  threshold: number;
  full: boolean;
}
