/** Dashboard figures (server/README.md#dashboards), all inside the caller's data scope. */
import type { ChannelRow } from './engagement';
import type { PeriodKind, TargetMetric } from './targets';

export interface PeriodRange {
  period: string;
  kind: PeriodKind;
  /** First and last China calendar day of the period, `YYYY-MM-DD`. */
  from: string;
  to: string;
}

export interface CountBy {
  code: string | null;
  label: string;
  count: number;
}

export interface CustomerDashboard {
  period: PeriodRange;
  total: number;
  newInPeriod: number;
  bySource: CountBy[];
  byStage: CountBy[];
  byLevel: CountBy[];
  /** Live customers never followed up, or not for 30 days. */
  noFollowUp30Days: number;
  /** WeCom relations of these customers the customer ended (deleted the rep) in the period. */
  lostInPeriod: number;
  /** The same, by rep, most first. */
  lostByRep: { id: number; name: string; count: number }[];
  /** Per 渠道活码, in the period: contacts added, leads created, of those now customers, contacts lost. */
  byChannel: ChannelRow[];
}

export interface AmountBy {
  id: number;
  name: string;
  amount: number;
  count: number;
}

export interface SalesDashboard {
  period: PeriodRange;
  /** Direct sales in the period. */
  total: number;
  count: number;
  /** The 12 months ending with the period's last month: `YYYY-MM` and the direct-sales amount. */
  byMonth: { month: string; amount: number }[];
  topProducts: AmountBy[];
  topReps: AmountBy[];
}

export interface ConsignmentDashboard {
  period: PeriodRange;
  partnersByStatus: CountBy[];
  salesByPartner: AmountBy[];
  total: number;
  partnersNoFollowUp30Days: { count: number; names: string[] };
}

export interface TargetProgress {
  targetId: number;
  scopeType: 'user' | 'department';
  scope: { id: number; name: string };
  metric: TargetMetric;
  target: number;
  actual: number;
  /** actual / target × 100, one decimal; null for a zero target. */
  completion: number | null;
  /** A year with no target of its own for this scope: the sum of its quarter targets. */
  summedFrom?: 'quarters';
  /** Which quarters it sums (a year with only Q4 planned says so). */
  summedQuarters?: string[];
}

export interface TargetDashboard {
  period: PeriodRange;
  items: TargetProgress[];
}

/** Assets under management: holdings valued at the latest NAV (shares × NAV), else at book. */
export interface AumDashboard {
  period: PeriodRange;
  /** Today's AUM of the scope's customers, in yuan. */
  total: number;
  customers: number;
  byDepartment: AmountBy[];
  byRep: AmountBy[];
  /** In the period: buys in, redemptions out (the trades' amounts), and the net. */
  inflow: number;
  outflow: number;
  netInflow: number;
  /** Sales past a suitability mismatch in the period (适当性例外), newest first. */
  overrides: { saleId: number; customer: string; product: string; customerLevel: string | null; productLevel: string; reason: string; soldOn: string }[];
}

/** The workbench's 我的本月: the caller's own figures for one period. */
export interface MyPeriod {
  period: PeriodRange;
  followUps: number;
  sales: { amount: number; count: number };
  newCustomers: number;
}
