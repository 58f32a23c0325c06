/**
 * 合规工作台's reads (server/README.md#compliance-workspace-合规): the suitability ledger — every live
 * buy with the customer's risk profile as it stood when the buy was booked, its product's level
 * and the outcome (匹配, or an exception with its approval) — the ordinary investors holding products
 * whose assessment has lapsed, is about to, or was never made, and the workspace's figures.
 */
// Raw SQL on other modules' tables, on purpose: the ledger is one scoped read across trades,
// customers and products (a page of them, newest first), the lapsing assessments one across
// customers and holdings, and the profile a buy met is read back from the audit log's record of
// later changes.
import { QueryTypes, type Sequelize } from 'sequelize';
import type {
  AssessmentState,
  ComplianceSummary,
  LapsingAssessmentRow,
  LapsingAssessmentsQuery,
  SuitabilityLedgerQuery,
  SuitabilityLedgerRow,
} from '@shared/compliance';
import type { PageOf } from '@shared/http';
import type { TradeChannel } from '@shared/ledger';
import { fromHundredths } from '@shared/money';
import { DEFAULT_ASSESSMENT_VALID_DAYS, assessmentExpiresOn, type CustomerRiskLevel, type InvestorClass } from '@shared/risk-profile';
import { addDays, businessDate } from '@shared/time';
import { sqlList } from '../../db/dialect';
import { dateOnlyOrNull, iso, namesById } from '../../db/lookup';
import { pageWindow, type PageRequest } from '../../db/paging';
import { approvalsOfResults } from '../approvals/reads';
import { descendantsOf, scopeSql, type Access } from '../roles/access';
import { aumOf } from '../trades/reads';

/** How far ahead an assessment counts as about to lapse (the workbench's 近期到期 says the same). */
export const EXPIRING_DAYS = 30;
const DAY_MS = 86_400_000;

/** The risk profile's columns, as customer.update audit entries name them (`{column: [before, after]}`). */
const PROFILE_COLUMNS = ['risk_level', 'investor_class', 'risk_assessed_on', 'risk_assessment_expires_on'] as const;
type ProfileColumn = (typeof PROFILE_COLUMNS)[number];
type Profile = Record<ProfileColumn, string | null>;

interface LedgerSqlRow {
  id: number;
  traded_on: string | Date;
  created_at: string | Date;
  customer_id: number;
  customer_name: string;
  risk_level: string | null;
  investor_class: string;
  risk_assessed_on: string | Date | null;
  risk_assessment_expires_on: string | Date | null;
  product_id: number;
  product_name: string;
  product_level: string;
  amount_fen: number | string;
  channel: TradeChannel;
  rep_user_id: number | null;
  department_id: number | null;
  suitability_override: string | null;
  created_by: number | null;
}

/** The WHERE of the ledger: live buys credited inside the caller's scope, narrowed by the query. */
async function ledgerWhere(sequelize: Sequelize, access: Access, query: SuitabilityLedgerQuery): Promise<{ sql: string; params: unknown[] }> {
  const scope = scopeSql(access, { owner: 't.rep_user_id', department: 't.department_id' });
  const where = ["t.kind = 'buy'", 't.voided_at IS NULL', scope.sql];
  const params: unknown[] = [...scope.params];
  if (query.from) {
    where.push('t.traded_on >= ?');
    params.push(query.from);
  }
  if (query.to) {
    where.push('t.traded_on <= ?');
    params.push(query.to);
  }
  if (query.departmentId) {
    const tree = await descendantsOf(sequelize, [query.departmentId]);
    where.push(`t.department_id IN (${sqlList(tree)})`);
    params.push(...tree);
  }
  if (query.outcome) where.push(query.outcome === 'exception' ? 't.suitability_override IS NOT NULL' : 't.suitability_override IS NULL');
  return { sql: where.join(' AND '), params };
}

/** `GET /api/compliance/suitability`: the page, newest trade first. */
export async function suitabilityLedger(
  sequelize: Sequelize,
  access: Access,
  query: SuitabilityLedgerQuery & PageRequest,
): Promise<PageOf<SuitabilityLedgerRow>> {
  const where = await ledgerWhere(sequelize, access, query);
  const from = `FROM trades t JOIN customers c ON c.id = t.customer_id JOIN products p ON p.id = t.product_id WHERE ${where.sql}`;
  const { limit, offset } = pageWindow(query);
  const [rows, [count]] = await Promise.all([
    sequelize.query<LedgerSqlRow>(
      `SELECT t.id, t.traded_on, t.created_at, t.customer_id, c.name AS customer_name, c.risk_level, c.investor_class, c.risk_assessed_on,
              c.risk_assessment_expires_on, t.product_id, p.name AS product_name, p.risk_level AS product_level, t.amount_fen, t.channel,
              t.rep_user_id, t.department_id, t.suitability_override, t.created_by
         ${from} ORDER BY t.traded_on DESC, t.id DESC LIMIT ? OFFSET ?`,
      { replacements: [...where.params, limit, offset], type: QueryTypes.SELECT },
    ),
    sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n ${from}`, { replacements: where.params, type: QueryTypes.SELECT }),
  ]);
  return { items: await ledgerRows(sequelize, rows), total: Number(count?.n ?? 0), page: query.page, pageSize: query.pageSize };
}

/** Every row of the ledger for an export (at most `max`; more is the caller's refusal to make). */
export async function suitabilityLedgerAll(sequelize: Sequelize, access: Access, query: SuitabilityLedgerQuery, max: number): Promise<SuitabilityLedgerRow[]> {
  const out: SuitabilityLedgerRow[] = [];
  for (let page = 1; ; page++) {
    const { items, total } = await suitabilityLedger(sequelize, access, { ...query, page, pageSize: 1000 });
    if (total > max) throw new RangeError(String(total));
    out.push(...items);
    if (items.length < 1000) return out;
  }
}

async function ledgerRows(sequelize: Sequelize, rows: LedgerSqlRow[]): Promise<SuitabilityLedgerRow[]> {
  const tradeIds = rows.map((r) => Number(r.id));
  const [atBooking, approvals, users, departments] = await Promise.all([
    profilesAtBooking(sequelize, rows),
    approvalsOfResults(
      sequelize,
      'suitability_exception',
      'trade',
      rows.filter((r) => r.suitability_override !== null).map((r) => Number(r.id)),
    ),
    namesById(
      sequelize,
      'users',
      rows.flatMap((r) => [r.rep_user_id, r.created_by]).map((id) => (id === null ? null : Number(id))),
    ),
    namesById(
      sequelize,
      'departments',
      rows.map((r) => (r.department_id === null ? null : Number(r.department_id))),
    ),
  ]);
  return rows.map((r, i) => {
    const id = tradeIds[i]!;
    const current = profileOf(r);
    const then = atBooking.get(id) ?? current;
    const approval = approvals.get(id) ?? null;
    const rep = r.rep_user_id === null ? null : Number(r.rep_user_id);
    const department = r.department_id === null ? null : Number(r.department_id);
    return {
      tradeId: id,
      tradedOn: dateOnlyOrNull(r.traded_on)!,
      bookedAt: iso(r.created_at),
      customer: { id: Number(r.customer_id), name: r.customer_name },
      product: { id: Number(r.product_id), name: r.product_name, riskLevel: r.product_level },
      amount: fromHundredths(r.amount_fen),
      channel: r.channel,
      rep: rep === null ? null : { id: rep, name: users.get(rep) ?? '' },
      department: department === null ? null : { id: department, name: departments.get(department) ?? '' },
      investorClass: (then.investor_class ?? 'ordinary') as InvestorClass,
      customerLevel: then.risk_level as CustomerRiskLevel | null,
      assessedOn: then.risk_assessed_on,
      assessmentExpiresOn: then.risk_assessment_expires_on,
      changedSince: PROFILE_COLUMNS.some((c) => then[c] !== current[c]),
      currentLevel: current.risk_level as CustomerRiskLevel | null,
      outcome: r.suitability_override === null ? 'suitable' : 'exception',
      exception:
        r.suitability_override === null
          ? null
          : {
              reason: r.suitability_override,
              approval,
              recordedBy: r.created_by === null ? null : (users.get(Number(r.created_by)) ?? null),
            },
    };
  });
}

function profileOf(r: Pick<LedgerSqlRow, ProfileColumn>): Profile {
  return {
    risk_level: r.risk_level,
    investor_class: r.investor_class,
    risk_assessed_on: dateOnlyOrNull(r.risk_assessed_on),
    risk_assessment_expires_on: dateOnlyOrNull(r.risk_assessment_expires_on),
  };
}

/**
 * Each buy's customer profile when it was booked: today's, with every change the audit log
 * records after the buy's own entry taken back (the `before` of the first later change of each
 * column). A buy without an audit entry of its own (migrated history) is placed by its time.
 */
async function profilesAtBooking(sequelize: Sequelize, rows: LedgerSqlRow[]): Promise<Map<number, Profile>> {
  const out = new Map<number, Profile>();
  if (!rows.length) return out;
  const tradeIds = rows.map((r) => String(r.id));
  const customerIds = [...new Set(rows.map((r) => String(r.customer_id)))];
  const [booked, changes] = await Promise.all([
    sequelize.query<{ entity_id: string; id: number }>(
      `SELECT entity_id, MIN(id) AS id FROM audit_logs WHERE entity = 'sale' AND action IN ('trade.buy', 'sale.create') AND entity_id IN (${sqlList(tradeIds)})
        GROUP BY entity_id`,
      { replacements: tradeIds, type: QueryTypes.SELECT },
    ),
    sequelize.query<{ id: number; entity_id: string; diff: string | null; created_at: string | Date }>(
      `SELECT id, entity_id, diff, created_at FROM audit_logs
        WHERE entity = 'customer' AND action = 'customer.update' AND entity_id IN (${sqlList(customerIds)}) AND diff LIKE ? ORDER BY id`,
      { replacements: [...customerIds, '%risk_%'], type: QueryTypes.SELECT },
    ),
  ]);
  const bookedAt = new Map(booked.map((b) => [String(b.entity_id), Number(b.id)]));
  const parsed = changes.map((c) => ({
    id: Number(c.id),
    customer: String(c.entity_id),
    at: new Date(c.created_at).getTime(),
    diff: (c.diff ? JSON.parse(c.diff) : {}) as Record<string, [unknown, unknown]>,
  }));
  for (const r of rows) {
    const entry = bookedAt.get(String(r.id));
    const bookedTime = new Date(r.created_at).getTime();
    const later = parsed.filter((c) => c.customer === String(r.customer_id) && (entry !== undefined ? c.id > entry : c.at > bookedTime));
    const profile = profileOf(r);
    for (const column of PROFILE_COLUMNS) {
      const first = later.find((c) => Array.isArray(c.diff[column]));
      if (!first) continue;
      const before = first.diff[column]![0];
      profile[column] = before === null || before === undefined ? null : column.endsWith('_on') ? dateOnlyOrNull(String(before)) : String(before);
    }
    out.set(Number(r.id), profile);
  }
  return out;
}

/**
 * The conditions of an ordinary investor whose assessment has lapsed (`expired`: past its validity),
 * lapses within EXPIRING_DAYS (`expiring`), or is no assessment (`missing`: none, or a level without
 * its date — no basis for a sale either, shared/suitability.ts).
 * An assessment without a validity holds DEFAULT_ASSESSMENT_VALID_DAYS from its date.
 */
function stateSql(state: AssessmentState, today: string): { sql: string; params: unknown[] } {
  const soon = addDays(today, EXPIRING_DAYS);
  const validFrom = (day: string) => addDays(day, -DEFAULT_ASSESSMENT_VALID_DAYS);
  switch (state) {
    case 'missing':
      return { sql: 'c.risk_level IS NULL OR c.risk_assessed_on IS NULL', params: [] };
    case 'expired':
      return {
        sql: `c.risk_level IS NOT NULL AND c.risk_assessed_on IS NOT NULL AND (c.risk_assessment_expires_on < ?
               OR (c.risk_assessment_expires_on IS NULL AND c.risk_assessed_on < ?))`,
        params: [today, validFrom(today)],
      };
    case 'expiring':
      return {
        sql: `c.risk_level IS NOT NULL AND c.risk_assessed_on IS NOT NULL AND (c.risk_assessment_expires_on BETWEEN ? AND ?
               OR (c.risk_assessment_expires_on IS NULL AND c.risk_assessed_on BETWEEN ? AND ?))`,
        params: [today, soon, validFrom(today), validFrom(soon)],
      };
  }
}

/** Customers of the caller's scope with an open holding and an assessment in `states`. */
async function lapsingWhere(sequelize: Sequelize, access: Access, query: LapsingAssessmentsQuery, today: string): Promise<{ sql: string; params: unknown[] }> {
  const scope = scopeSql(access, { owner: 'c.owner_user_id', department: 'c.department_id' });
  const states = (query.state ? [query.state] : (['expired', 'expiring', 'missing'] as const)).map((s) => stateSql(s, today));
  const where = [
    'c.deleted_at IS NULL',
    "c.investor_class <> 'professional'",
    "EXISTS (SELECT 1 FROM holdings h WHERE h.customer_id = c.id AND h.status = 'holding')",
    scope.sql,
    `(${states.map((s) => `(${s.sql})`).join(' OR ')})`,
  ];
  const params: unknown[] = [...scope.params, ...states.flatMap((s) => s.params)];
  if (query.departmentId) {
    const tree = await descendantsOf(sequelize, [query.departmentId]);
    where.push(`c.department_id IN (${sqlList(tree)})`);
    params.push(...tree);
  }
  return { sql: where.join(' AND '), params };
}

/** `GET /api/compliance/assessments`: the most urgent first (never assessed, then by the day it lapses). */
export async function lapsingAssessments(
  sequelize: Sequelize,
  access: Access,
  query: LapsingAssessmentsQuery & PageRequest,
  now = new Date(),
): Promise<PageOf<LapsingAssessmentRow>> {
  const today = businessDate(now);
  const where = await lapsingWhere(sequelize, access, query, today);
  const { limit, offset } = pageWindow(query);
  const [rows, [count]] = await Promise.all([
    sequelize.query<{
      id: number;
      name: string;
      owner_user_id: number;
      department_id: number | null;
      risk_level: string | null;
      investor_class: string;
      risk_assessed_on: string | Date | null;
      risk_assessment_expires_on: string | Date | null;
    }>(
      `SELECT c.id, c.name, c.owner_user_id, c.department_id, c.risk_level, c.investor_class, c.risk_assessed_on, c.risk_assessment_expires_on
         FROM customers c WHERE ${where.sql}
        ORDER BY CASE WHEN c.risk_level IS NULL OR c.risk_assessed_on IS NULL THEN 0 ELSE 1 END, COALESCE(c.risk_assessment_expires_on, c.risk_assessed_on), c.id
        LIMIT ? OFFSET ?`,
      { replacements: [...where.params, limit, offset], type: QueryTypes.SELECT },
    ),
    sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM customers c WHERE ${where.sql}`, { replacements: where.params, type: QueryTypes.SELECT }),
  ]);
  const ids = rows.map((r) => Number(r.id));
  const [values, holdings, owners, departments] = await Promise.all([
    aumOf(sequelize, ids, today),
    ids.length
      ? sequelize.query<{ customer_id: number; n: number }>(
          `SELECT customer_id, COUNT(*) AS n FROM holdings WHERE status = 'holding' AND customer_id IN (${sqlList(ids)}) GROUP BY customer_id`,
          { replacements: ids, type: QueryTypes.SELECT },
        )
      : [],
    namesById(
      sequelize,
      'users',
      rows.map((r) => Number(r.owner_user_id)),
    ),
    namesById(
      sequelize,
      'departments',
      rows.map((r) => (r.department_id === null ? null : Number(r.department_id))),
    ),
  ]);
  const open = new Map(holdings.map((h) => [Number(h.customer_id), Number(h.n)]));
  const items = rows.map((r): LapsingAssessmentRow => {
    const profile = {
      riskLevel: r.risk_level as CustomerRiskLevel | null,
      investorClass: r.investor_class as InvestorClass,
      riskAssessedOn: dateOnlyOrNull(r.risk_assessed_on),
      riskAssessmentExpiresOn: dateOnlyOrNull(r.risk_assessment_expires_on),
    };
    const assessed = profile.riskLevel !== null && profile.riskAssessedOn !== null;
    const expiresOn = assessed ? assessmentExpiresOn(profile) : null;
    const daysLeft = expiresOn ? Math.round((Date.parse(`${expiresOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS) : null;
    const state: AssessmentState = !expiresOn ? 'missing' : expiresOn < today ? 'expired' : 'expiring';
    const department = r.department_id === null ? null : Number(r.department_id);
    return {
      customer: { id: Number(r.id), name: r.name },
      owner: { id: Number(r.owner_user_id), name: owners.get(Number(r.owner_user_id)) ?? '' },
      department: department === null ? null : { id: department, name: departments.get(department) ?? '' },
      riskLevel: profile.riskLevel,
      assessedOn: profile.riskAssessedOn,
      expiresOn,
      state,
      daysLeft,
      openHoldings: open.get(Number(r.id)) ?? 0,
      marketValue: fromHundredths(values.get(Number(r.id)) ?? 0),
    };
  });
  return { items, total: Number(count?.n ?? 0), page: query.page, pageSize: query.pageSize };
}

/** The workspace's figures: pending approvals are the engine's (counted by the route). */
export async function complianceFigures(sequelize: Sequelize, access: Access, now = new Date()): Promise<Omit<ComplianceSummary, 'pendingApprovals'>> {
  const today = businessDate(now);
  const count = async (sql: string, params: unknown[]) =>
    Number((await sequelize.query<{ n: number }>(sql, { replacements: params, type: QueryTypes.SELECT }))[0]?.n ?? 0);
  const exceptions = await ledgerWhere(sequelize, access, { from: `${today.slice(0, 7)}-01`, to: today, outcome: 'exception' });
  const lapsing = async (state: AssessmentState) => {
    const where = await lapsingWhere(sequelize, access, { state }, today);
    return count(`SELECT COUNT(*) AS n FROM customers c WHERE ${where.sql}`, where.params);
  };
  const [exceptionsThisMonth, expiredWithHoldings, expiringWithHoldings] = await Promise.all([
    count(`SELECT COUNT(*) AS n FROM trades t WHERE ${exceptions.sql}`, exceptions.params),
    lapsing('expired'),
    lapsing('expiring'),
  ]);
  return { exceptionsThisMonth, expiredWithHoldings, expiringWithHoldings };
}
