/**
 * Dashboards (DESIGN §6.7): SQL aggregates inside the caller's data scope, optionally narrowed to
 * one department's subtree. Periods are China calendar periods (`2026-11`, `2026-Q4`, `2026`);
 * instants are compared against the period's China-midnight bounds, dates (sales) directly.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { AmountBy, ConsignmentDashboard, CountBy, CustomerDashboard, PeriodRange, SalesDashboard, TargetDashboard } from '@shared/dashboard';
import type { DictionaryType } from '@shared/dictionaries';
import { fromHundredths } from '@shared/money';
import { businessDate } from '@shared/time';
import { periodDays, periodKind, quarterOf, type TargetMetric } from '@shared/targets';
import { sqlList } from '../../db/dialect';
import { namesById, named } from '../../db/lookup';
import { notFound } from '../../http/errors';
import { listDictionaries } from '../dictionaries/service';
import { descendantsOf, scopeSql, type Access } from '../roles/access';
import { listTargets } from '../targets/service';

const DAY_MS = 86_400_000;
const STALE_DAYS = 30;
const TOP = 5;

export interface DashboardQuery {
  period?: string;
  departmentId?: number;
}

/** The filter every aggregate applies: scope, plus the chosen department's subtree. */
interface Filter {
  sql: string;
  params: unknown[];
}

const chinaMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

export function periodRange(period: string | undefined, now = new Date()): PeriodRange {
  const p = period ?? quarterOf(businessDate(now));
  return { period: p, kind: periodKind(p), ...periodDays(p) };
}

async function filterFor(sequelize: Sequelize, access: Access, departmentId: number | undefined, columns: { owner: string; department: string }): Promise<Filter> {
  const scope = scopeSql(access, columns);
  if (!departmentId) return scope;
  if (access.dataScope !== 'all' && !access.scopeDepartmentIds.includes(departmentId)) throw notFound('部门不在你的数据范围内');
  const subtree = await descendantsOf(sequelize, [departmentId]);
  return { sql: `${scope.sql} AND ${columns.department} IN (${sqlList(subtree)})`, params: [...scope.params, ...subtree] };
}

async function rows<T extends object>(sequelize: Sequelize, sql: string, params: unknown[]): Promise<T[]> {
  return sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT });
}

async function countBy(sequelize: Sequelize, column: string, filter: Filter, type: DictionaryType, labels: Awaited<ReturnType<typeof listDictionaries>>): Promise<CountBy[]> {
  const found = await rows<{ code: string | null; n: number | string }>(
    sequelize,
    `SELECT ${column} AS code, COUNT(*) AS n FROM customers c WHERE c.deleted_at IS NULL AND ${filter.sql} GROUP BY ${column} ORDER BY COUNT(*) DESC, ${column}`,
    filter.params,
  );
  return found.map((r) => ({ code: r.code, label: labels[type].find((v) => v.code === r.code)?.label ?? (r.code === null ? '未填写' : r.code), count: Number(r.n) }));
}

export async function customerDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<CustomerDashboard> {
  const period = periodRange(query.period, now);
  const filter = await filterFor(sequelize, access, query.departmentId, { owner: 'c.owner_user_id', department: 'c.department_id' });
  const labels = await listDictionaries(sequelize);
  const [[totals], bySource, byStage, byLevel] = await Promise.all([
    rows<{ total: number | string; fresh: number | string | null; stale: number | string | null }>(
      sequelize,
      `SELECT COUNT(*) AS total,
              SUM(CASE WHEN c.created_at >= ? AND c.created_at < ? THEN 1 ELSE 0 END) AS fresh,
              SUM(CASE WHEN c.last_follow_up_at IS NULL OR c.last_follow_up_at < ? THEN 1 ELSE 0 END) AS stale
         FROM customers c WHERE c.deleted_at IS NULL AND ${filter.sql}`,
      [chinaMidnight(period.from), chinaMidnight(nextDay(period.to)), new Date(now.getTime() - STALE_DAYS * DAY_MS), ...filter.params],
    ),
    countBy(sequelize, 'c.source', filter, 'customer_source', labels),
    countBy(sequelize, 'c.lifecycle_stage', filter, 'lifecycle_stage', labels),
    countBy(sequelize, 'c.level', filter, 'customer_level', labels),
  ]);
  return {
    period,
    total: Number(totals?.total ?? 0),
    newInPeriod: Number(totals?.fresh ?? 0),
    bySource,
    byStage,
    byLevel,
    noFollowUp30Days: Number(totals?.stale ?? 0),
  };
}

/** The `YYYY-MM` of the 12 months ending with `lastMonth`. */
function twelveMonths(lastMonth: string): string[] {
  const [y, m] = lastMonth.split('-').map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 12 + i, 1));
    return d.toISOString().slice(0, 7);
  });
}

async function amountsBy(sequelize: Sequelize, key: 'product_id' | 'rep_user_id' | 'partner_id', where: string, params: unknown[], limit?: number): Promise<{ id: number; amount: number; count: number }[]> {
  const found = await rows<{ id: number; amount: number | string; n: number | string }>(
    sequelize,
    `SELECT s.${key} AS id, SUM(s.amount_fen) AS amount, COUNT(*) AS n FROM product_sales s WHERE ${where}
      GROUP BY s.${key} ORDER BY SUM(s.amount_fen) DESC, s.${key}${limit ? ` LIMIT ${limit}` : ''}`,
    params,
  );
  return found.map((r) => ({ id: Number(r.id), amount: fromHundredths(r.amount), count: Number(r.n) }));
}

const withNames = (items: { id: number; amount: number; count: number }[], names: Map<number, string>): AmountBy[] =>
  items.map((i) => ({ ...named(names, i.id), amount: i.amount, count: i.count }));

export async function salesDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<SalesDashboard> {
  const period = periodRange(query.period, now);
  const filter = await filterFor(sequelize, access, query.departmentId, { owner: 's.rep_user_id', department: 's.department_id' });
  const months = twelveMonths(period.to.slice(0, 7));
  const direct = `s.deleted_at IS NULL AND s.channel = 'direct' AND ${filter.sql}`;
  const inPeriod = `${direct} AND s.sold_on >= ? AND s.sold_on <= ?`;
  const periodParams = [...filter.params, period.from, period.to];
  const [[totals], monthly, products, reps] = await Promise.all([
    rows<{ amount: number | string | null; n: number | string }>(sequelize, `SELECT SUM(s.amount_fen) AS amount, COUNT(*) AS n FROM product_sales s WHERE ${inPeriod}`, periodParams),
    rows<{ sold_on: string | Date; amount: number | string }>(
      sequelize,
      `SELECT s.sold_on, SUM(s.amount_fen) AS amount FROM product_sales s WHERE ${direct} AND s.sold_on >= ? AND s.sold_on <= ? GROUP BY s.sold_on`,
      [...filter.params, `${months[0]}-01`, period.to],
    ),
    amountsBy(sequelize, 'product_id', inPeriod, periodParams, TOP),
    amountsBy(sequelize, 'rep_user_id', inPeriod, periodParams, TOP),
  ]);
  // Summed per day in SQL, per month here: the same on both dialects without date functions.
  const byMonth = new Map(months.map((m) => [m, 0]));
  for (const r of monthly) {
    const month = (typeof r.sold_on === 'string' ? r.sold_on : r.sold_on.toISOString()).slice(0, 7);
    if (byMonth.has(month)) byMonth.set(month, byMonth.get(month)! + Number(r.amount));
  }
  const [productNames, repNames] = await Promise.all([namesById(sequelize, 'products', products.map((p) => p.id)), namesById(sequelize, 'users', reps.map((r) => r.id))]);
  return {
    period,
    total: fromHundredths(totals?.amount ?? 0),
    count: Number(totals?.n ?? 0),
    byMonth: [...byMonth].map(([month, fen]) => ({ month, amount: fromHundredths(fen) })),
    topProducts: withNames(products, productNames),
    topReps: withNames(reps, repNames),
  };
}

export async function consignmentDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<ConsignmentDashboard> {
  const period = periodRange(query.period, now);
  const partnerFilter = await filterFor(sequelize, access, query.departmentId, { owner: 'p.owner_user_id', department: 'p.department_id' });
  const saleFilter = await filterFor(sequelize, access, query.departmentId, { owner: 's.rep_user_id', department: 's.department_id' });
  const labels = await listDictionaries(sequelize);
  const cutoff = new Date(now.getTime() - STALE_DAYS * DAY_MS);
  const [statuses, partners, stale] = await Promise.all([
    rows<{ code: string; n: number | string }>(
      sequelize,
      `SELECT p.status AS code, COUNT(*) AS n FROM consignment_partners p WHERE p.deleted_at IS NULL AND ${partnerFilter.sql} GROUP BY p.status ORDER BY COUNT(*) DESC, p.status`,
      partnerFilter.params,
    ),
    amountsBy(sequelize, 'partner_id', `s.deleted_at IS NULL AND s.channel = 'consignment' AND ${saleFilter.sql} AND s.sold_on >= ? AND s.sold_on <= ?`, [...saleFilter.params, period.from, period.to]),
    rows<{ name: string }>(
      sequelize,
      `SELECT p.name FROM consignment_partners p
        WHERE p.deleted_at IS NULL AND p.status NOT IN ('terminated') AND (p.last_follow_up_at IS NULL OR p.last_follow_up_at < ?) AND ${partnerFilter.sql}
        ORDER BY p.last_follow_up_at, p.id`,
      [cutoff, ...partnerFilter.params],
    ),
  ]);
  const names = await namesById(sequelize, 'consignment_partners', partners.map((p) => p.id));
  return {
    period,
    partnersByStatus: statuses.map((r) => ({ code: r.code, label: labels.partner_status.find((v) => v.code === r.code)?.label ?? r.code, count: Number(r.n) })),
    salesByPartner: withNames(partners, names),
    total: partners.reduce((sum, p) => sum + p.amount, 0),
    partnersNoFollowUp30Days: { count: stale.length, names: stale.slice(0, 10).map((r) => r.name) },
  };
}

/** Actual against target for every target of the period the caller may see. */
export async function targetDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<TargetDashboard> {
  const period = periodRange(query.period, now);
  let targets = await listTargets(sequelize, access, { period: period.period });
  if (query.departmentId) {
    const subtree = new Set(await descendantsOf(sequelize, [query.departmentId]));
    const users = await rows<{ id: number; main_department_id: number | null }>(sequelize, 'SELECT id, main_department_id FROM users', []);
    const departmentOf = new Map(users.map((u) => [Number(u.id), Number(u.main_department_id)]));
    targets = targets.filter((t) => subtree.has(t.scopeType === 'department' ? t.scope.id : (departmentOf.get(t.scope.id) ?? -1)));
  }
  const start = chinaMidnight(period.from);
  const end = chinaMidnight(nextDay(period.to));
  const items = [];
  for (const t of targets) {
    const departments = t.scopeType === 'department' ? await descendantsOf(sequelize, [t.scope.id]) : [];
    const actual = await actualOf(sequelize, t.metric, t.scopeType === 'user' ? { userId: t.scope.id } : { departments }, { from: period.from, to: period.to, start, end });
    items.push({
      targetId: t.id,
      scopeType: t.scopeType,
      scope: t.scope,
      metric: t.metric,
      target: t.value,
      actual,
      completion: t.value > 0 ? Math.round((actual / t.value) * 1000) / 10 : null,
    });
  }
  return { period, items };
}

/** What a person or a department subtree achieved in the period for one metric. */
async function actualOf(
  sequelize: Sequelize,
  metric: TargetMetric,
  who: { userId: number } | { departments: number[] },
  period: { from: string; to: string; start: Date; end: Date },
): Promise<number> {
  const by = (owner: string, department: string): Filter =>
    'userId' in who ? { sql: `${owner} = ?`, params: [who.userId] } : { sql: who.departments.length ? `${department} IN (${sqlList(who.departments)})` : '1 = 0', params: who.departments };
  if (metric === 'sales_amount') {
    const f = by('s.rep_user_id', 's.department_id');
    const [r] = await rows<{ amount: number | string | null }>(sequelize, `SELECT SUM(s.amount_fen) AS amount FROM product_sales s WHERE s.deleted_at IS NULL AND ${f.sql} AND s.sold_on >= ? AND s.sold_on <= ?`, [...f.params, period.from, period.to]);
    return fromHundredths(r?.amount ?? 0);
  }
  if (metric === 'new_customers') {
    // As on the customer dashboard: live customers only (merged-away duplicates and mistakes do not count).
    const f = by('c.owner_user_id', 'c.department_id');
    const [r] = await rows<{ n: number | string }>(sequelize, `SELECT COUNT(*) AS n FROM customers c WHERE c.deleted_at IS NULL AND ${f.sql} AND c.created_at >= ? AND c.created_at < ?`, [...f.params, period.start, period.end]);
    return Number(r?.n ?? 0);
  }
  // Follow-ups: by their author; a department's are its members' (by main department).
  const f = by('f.user_id', 'u.main_department_id');
  const [r] = await rows<{ n: number | string }>(
    sequelize,
    `SELECT COUNT(*) AS n FROM follow_ups f JOIN users u ON u.id = f.user_id WHERE f.deleted_at IS NULL AND ${f.sql} AND f.followed_at >= ? AND f.followed_at < ?`,
    [...f.params, period.start, period.end],
  );
  return Number(r?.n ?? 0);
}
