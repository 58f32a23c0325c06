/**
 * 合规工作台 as people read it (server/README.md#compliance-workspace-合规): the outcomes and states the
 * lists show and the views the API answers, without zod so that the workspace loads light. The
 * query schemas are in shared/compliance.ts.
 */
import type { TradeChannel } from './ledger';
import type { CustomerRiskLevel, InvestorClass } from './risk-profile';

/** How a buy went through the suitability check when it was booked. */
export const SUITABILITY_OUTCOMES = { suitable: '匹配', exception: '适当性例外' } as const;
export type SuitabilityOutcome = keyof typeof SUITABILITY_OUTCOMES;

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
  /**
   * For an exception: the investor's reason and the approval it went through, with who agreed —
   * or, booked without one (a holder of `sales.override_suitability` overriding at once, or
   * history from before approvals), who recorded it.
   */
  exception: { reason: string; approval: { id: number; approvers: string[] } | null; recordedBy: string | null } | null;
}

/** What is wrong with an assessment under open holdings. */
export const ASSESSMENT_STATES = { expired: '已过期', expiring: '30 天内到期', missing: '未测评' } as const;
export type AssessmentState = keyof typeof ASSESSMENT_STATES;

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
