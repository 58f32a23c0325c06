/**
 * Chinese names for every audited action and record kind the server writes, and summaries in
 * Chinese where it wrote codes: one list, in shared/audit.ts (the server's audit export and
 * 合规's workspace read it too; test/unit/audit-labels.test.ts keeps it complete).
 */
import { AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS, auditActionLabel, auditEntityLabel, auditSummaryText } from '@shared/audit';

export const ACTION_LABELS = AUDIT_ACTION_LABELS;
export const ENTITY_LABELS = AUDIT_ENTITY_LABELS;
export const actionLabel = auditActionLabel;
export const entityLabel = auditEntityLabel;
export const summaryOf = auditSummaryText;
