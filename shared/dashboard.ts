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

/**
 * 销售额 is one figure everywhere (看板, 目标完成, 资产规模's 本期申购, 我的本月): the live buys of the
 * trade ledger, credited to the rep (and their department) the trade names, summed by month
 * (`sales_monthly`). A board says which channels it counts.
 */
export const SALES_CHANNELS = { all: '全部渠道', direct: '直销', consignment: '代销' } as const;
export type SalesChannel = keyof typeof SALES_CHANNELS;

/** An amount and how many trades make it. */
export interface AmountCount {
  amount: number;
  count: number;
}

export interface SalesDashboard {
  period: PeriodRange;
  /** Which buys the figures count (`?channel=`, all by default). */
  channel: SalesChannel;
  /** 销售额 of the channel in the period. */
  total: number;
  count: number;
  /** The period's 销售额 split by channel (whatever `channel` is): direct + consignment = all. */
  byChannel: { direct: AmountCount; consignment: AmountCount };
  /** The 12 months ending with the period's last month: `YYYY-MM` and the channel's amount. */
  byMonth: { month: string; amount: number }[];
  topProducts: AmountBy[];
  /** 销售排行: by the rep each buy is credited to. */
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

/**
 * A department's AUM with its sub-teams' (as targets and 看板 roll departments up): `amount` is
 * its own customers' and every descendant's, `own` its own customers' alone, `count` the
 * customers holding. Listed as a tree: a parent before its children (`depth` below the first
 * listed level), siblings largest first.
 */
export interface DepartmentAmount extends AmountBy {
  parentId: number | null;
  depth: number;
  own: number;
}

/** Assets under management: holdings at market value (shares × the latest NAV, par without one). */
export interface AumDashboard {
  period: PeriodRange;
  /** Today's AUM of the scope's customers, in yuan. */
  total: number;
  customers: number;
  byDepartment: DepartmentAmount[];
  /** By the customers' owner; `count` is how many of their customers hold something. */
  byRep: AmountBy[];
  /**
   * 本期申购: the period's 销售额 of all channels in the same scope, exactly what 看板 shows
   * (live buys credited inside the scope); by channel beside it.
   */
  inflow: number;
  inflowByChannel: { direct: number; consignment: number };
  /** 本期赎回: redemptions and maturities paid out in the period (credited inside the scope). */
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

/**
 * `GET /api/dashboard/data-quality` (运营's home): how many customers in the caller's scope lack
 * what the team relies on. Each count is of live customers.
 */
export interface DataQuality {
  customers: number;
  /** No phone on the record (matching by mobile and the remark write-back need one). */
  missingPhone: number;
  /** Ordinary investors without a risk level or its date: they can buy nothing. */
  missingAssessment: number;
  /** Ordinary investors whose assessment has expired. */
  expiredAssessment: number;
  /** Not linked to any WeCom contact. */
  unlinked: number;
  /** No follow-up for 30 days or more (or never). */
  quiet: number;
}

/** One stage of 商机漏斗: the opportunities expected in the period now at the stage, their amount and its weighted value. */
export interface PipelineStageFigure {
  code: string;
  label: string;
  /** Percent. */
  probability: number;
  count: number;
  amount: number;
  weighted: number;
}

/** How many of the opportunities that reached `from` went on to `to` (or further). */
export interface PipelineConversion {
  from: string;
  fromLabel: string;
  to: string;
  toLabel: string;
  reached: number;
  advanced: number;
  /** Percent with one decimal; null when none reached `from`. */
  rate: number | null;
}

/** One month of the forecast: Σ amount × probability of the opportunities expected in it, against the month's 销售额 target. */
export interface PipelineMonth {
  month: string;
  weighted: number;
  /** The amount still open (not won or lost) expected in the month. */
  open: number;
  won: number;
  /** The month's 销售额 target of the board's scope; a quarter's target counts a third; null without one. */
  target: number | null;
}

export interface PipelineReason {
  code: string;
  label: string;
  count: number;
  amount: number;
}

export interface PipelineRep {
  user: { id: number; name: string };
  open: number;
  openAmount: number;
  weighted: number;
  won: number;
  wonAmount: number;
  lost: number;
}

/** 商机漏斗与预测 (server/README.md#opportunities-商机). */
export interface PipelineDashboard {
  period: PeriodRange;
  stages: PipelineStageFigure[];
  conversion: PipelineConversion[];
  forecast: PipelineMonth[];
  /** Σ of the forecast's months. */
  weighted: number;
  /** Open opportunities (whatever their expected date) with no stage change for `days` days. */
  stale: { days: number; count: number; amount: number };
  won: { count: number; amount: number };
  lost: { count: number; amount: number };
  lossReasons: PipelineReason[];
  byRep: PipelineRep[];
}

/** 公海 on 看板 (server/README.md#customer-pool-公海): the pools' customers in the board's scope, and what moved in the period. */
export interface PoolDashboard {
  period: PeriodRange;
  /** Customers in a pool now. */
  size: number;
  byPool: { id: number; name: string; size: number }[];
  /** Entries in the period, by how they came (released, recycled, owner_left). */
  entered: { kind: string; label: string; count: number }[];
  /** Recycled in the period, per rule. */
  recycled: { rule: string; label: string; count: number }[];
  claimed: number;
  assigned: number;
}
