/**
 * 合规工作台 (server/README.md#compliance-workspace-合规): the suitability ledger, the assessments that
 * lapse under open holdings, and the figures at the top of the workspace, as the API answers them,
 * with the query schemas its routes validate with. The H5 imports the types only (`import type`).
 */
import { z } from 'zod';
import { dateOnly, instant, positiveId } from './fields';
import type { TradeChannel } from './ledger';
import type { CustomerRiskLevel, InvestorClass } from './risk-profile';

/** How a buy went through the suitability check when it was booked. */
export const SUITABILITY_OUTCOMES = { suitable: '匹配', exception: '适当性例外' } as const;
export type SuitabilityOutcome = keyof typeof SUITABILITY_OUTCOMES;

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

/** One buy of the ledger, with the customer's risk profile as it stood when the buy was booked. */
export interface SuitabilityLedgerRow {
  tradeId: number;
  tradedOn: string;
  /** When it was booked (the check ran then). */
  bookedAt: string;
  customer: { id: number; name: string };
  product: { id: number; name: string; riskLevel: string };
  amount: number;
  channel: TradeChannel;
  rep: { id: number; name: string } | null;
  department: { id: number; name: string } | null;
  investorClass: InvestorClass;
  /** At the time of the buy: the audit log's record of later changes taken back; else as it is today. */
  customerLevel: CustomerRiskLevel | null;
  assessedOn: string | null;
  assessmentExpiresOn: string | null;
  /** The profile changed after the buy: the values above are the ones it had then, and this is today's level. */
  changedSince: boolean;
  currentLevel: CustomerRiskLevel | null;
  outcome: SuitabilityOutcome;
  /** For an exception: the investor's reason, who granted it, and the approval it went through (none: a manager's own override). */
  exception: { reason: string; approval: { id: number; approvers: string[] } | null; grantedBy: string | null } | null;
}

/** What is wrong with an assessment under open holdings. */
export const ASSESSMENT_STATES = { expired: '已过期', expiring: '30 天内到期', missing: '未测评' } as const;
export type AssessmentState = keyof typeof ASSESSMENT_STATES;

/** `GET /api/compliance/assessments`. */
export const lapsingAssessmentsQuerySchema = z.object({
  state: z.enum(['expired', 'expiring', 'missing']).optional(),
  departmentId: period.departmentId,
});
export type LapsingAssessmentsQuery = z.infer<typeof lapsingAssessmentsQuerySchema>;

/** A customer (ordinary investor) holding products whose assessment has lapsed, is about to, or was never made. */
export interface LapsingAssessmentRow {
  customer: { id: number; name: string };
  owner: { id: number; name: string };
  department: { id: number; name: string } | null;
  riskLevel: CustomerRiskLevel | null;
  assessedOn: string | null;
  expiresOn: string | null;
  state: AssessmentState;
  /** Days until it expires (negative: since it expired); null without an assessment. */
  daysLeft: number | null;
  openHoldings: number;
  /** 市值 of the open holdings, in yuan. */
  marketValue: number;
}

/** The figures at the top of the workspace. */
export interface ComplianceSummary {
  pendingApprovals: number;
  /** Exceptions booked this month (China time). */
  exceptionsThisMonth: number;
  expiredWithHoldings: number;
  expiringWithHoldings: number;
}

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
