/**
 * 合规工作台's query schemas (server/README.md#compliance-workspace-合规): the suitability ledger, the
 * lapsing assessments and the audit log's filters. Labels and views (no zod) are in
 * shared/compliance-labels.ts.
 */
import { z } from 'zod';
import { dateOnly, instant, positiveId } from './fields';

export * from './compliance-labels';

const period = {
  from: dateOnly.optional(),
  to: dateOnly.optional(),
  departmentId: z.coerce.number().pipe(positiveId).optional(),
};

/** `GET /api/compliance/suitability` (and `.xlsx`): buys by trade date, credited department (with its sub-teams) and outcome. */
export const suitabilityLedgerQuerySchema = z.object({
  ...period,
  outcome: z.enum(['suitable', 'exception']).optional(),
});
export type SuitabilityLedgerQuery = z.infer<typeof suitabilityLedgerQuerySchema>;

/** `GET /api/compliance/assessments`: by state (all three without one) and department. */
export const lapsingAssessmentsQuerySchema = z.object({
  state: z.enum(['expired', 'expiring', 'missing']).optional(),
  departmentId: period.departmentId,
});
export type LapsingAssessmentsQuery = z.infer<typeof lapsingAssessmentsQuerySchema>;

/** The audit log's filters: its list (`GET /api/admin/audit-logs`, with paging) and its export (`GET /api/compliance/audit-logs.xlsx`). */
export const auditFilterSchema = z.object({
  action: z.string().max(64).optional(),
  actionPrefix: z.string().max(64).optional(),
  entity: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  actorUserId: z.coerce.number().int().positive().optional(),
  since: instant.optional(),
  until: instant.optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;
