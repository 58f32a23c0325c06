/**
 * Dashboards (server/README.md#dashboards): SQL aggregates inside the caller's data scope, optionally narrowed to
 * one department's subtree. Periods are China calendar periods (`2026-11`, `2026-Q4`, `2026`);
 * instants are compared against the period's China-midnight bounds.
 *
 * 销售额 has one definition for every board (shared/dashboard.ts SALES_CHANNELS): the live buys of
 * the trade ledger, credited to the rep and department each trade names, read from the monthly
 * rollup (`sales_monthly`, kept by the trades module) — every period is whole months. 看板's
 * 销售额 and 销售排行, 目标完成's sales targets, 资产规模's 本期申购 and 我的本月 all read it through
 * `salesIn` / `amountsBy`, so they agree to the fen. Market value is shares × the latest NAV
 * (trades/reads `marketValueOf`); a department's figure includes its sub-teams', as targets do.
 */
// Raw SQL on other modules' tables, on purpose: the dashboards are aggregates (COUNT, SUM, GROUP BY over
// the rollups and the tables of customers, sales, holdings, follow-ups, matching and the mirror) computed
// by the database in a statement each; reading rows through each module to sum them here would move every
// row.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { ChannelRow } from '@shared/engagement';
import type {
  AmountBy,
  AmountCount,
  AumDashboard,
  DepartmentAmount,
  SalesChannel,
  MyPeriod,
  ConsignmentDashboard,
  CountBy,
  CustomerDashboard,
  PeriodRange,
  SalesDashboard,
  TargetDashboard,
} from '@shared/dashboard';
import { fromHundredths } from '@shared/money';
import { addDays, businessDate } from '@shared/time';
import { periodDays, periodKind, quarterOf, type TargetMetric, type TargetView } from '@shared/targets';
import { chinaMonthSql, sqlList } from '../../db/dialect';
import { dateOnlyOrNull, namesById, named } from '../../db/lookup';
import { notFound } from '../../errors';
import { listDictionaries } from '../dictionaries/service';
import { descendantsOf, inPoolSql, scopeSql, type Access } from '../roles/access';
import { listTargets } from '../targets/service';
import { marketValueOf } from '../trades/reads';
import { latestNavs } from '../products/service';

const DAY_MS = 86_400_000;
const STALE_DAYS = 30;
const TOP = 5;

export interface DashboardQuery {
  period?: string;
  departmentId?: number;
  /** The sales board's channel (all by default). */
  channel?: SalesChannel;
}

/** The filter every aggregate applies: scope, plus the chosen department's subtree. */
interface Filter {
  sql: string;
  params: unknown[];
}

const chinaMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);
const nextDay = (date: string) => addDays(date, 1);

export function periodRange(period: string | undefined, now = new Date()): PeriodRange {
  const p = period ?? quarterOf(businessDate(now));
  return { period: p, kind: periodKind(p), ...periodDays(p) };
}

export type FilterFor = (columns: { owner: string; department: string }) => Filter;

/** The dashboard's filter for any table's owner / department columns; the subtree is read once. */
export async function filtersFor(sequelize: Sequelize, access: Access, departmentId: number | undefined): Promise<FilterFor> {
  if (!departmentId) return (columns) => scopeSql(access, columns);
  if (access.dataScope !== 'all' && !access.scopeDepartmentIds.includes(departmentId)) throw notFound('部门不在你的数据范围内');
  const subtree = await descendantsOf(sequelize, [departmentId]);
  return (columns) => {
    const scope = scopeSql(access, columns);
    return { sql: `${scope.sql} AND ${columns.department} IN (${sqlList(subtree)})`, params: [...scope.params, ...subtree] };
  };
}

export async function rows<T extends object>(sequelize: Sequelize, sql: string, params: unknown[]): Promise<T[]> {
  return sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT });
}

type Tally = Map<string | null, number>;

function tallied(tally: Tally, labels: { code: string; label: string }[]): CountBy[] {
  return [...tally]
    .map(([code, count]) => ({ code, label: labels.find((v) => v.code === code)?.label ?? (code === null ? '未填写' : code), count }))
    .sort((a, b) => b.count - a.count || (a.code ?? '\uffff').localeCompare(b.code ?? '\uffff'));
}

const add = <K>(map: Map<K, number>, key: K, n: number) => map.set(key, (map.get(key) ?? 0) + n);
/** Yuan back to fen, to add amounts exactly. */
const toFen = (yuan: number) => Math.round(yuan * 100);

/**
 * Total, new and by source / stage / level from the `customer_counts` rollup (whole China months,
 * like every period); "no follow-up for 30 days" is the live total less the customers followed up
 * since the cutoff, counted from an index — it depends on now, which a rollup cannot know.
 */
export async function customerDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<CustomerDashboard> {
  const period = periodRange(query.period, now);
  const filterOf = await filtersFor(sequelize, access, query.departmentId);
  const filter = filterOf({ owner: 'c.owner_user_id', department: 'c.department_id' });
  const counted = filterOf({ owner: 'k.owner_user_id', department: 'k.department_id' });
  const bounds: [Date, Date] = [chinaMidnight(period.from), chinaMidnight(nextDay(period.to))];
  // Independent reads, in parallel (each on its own pooled connection).
  const months = [period.from.slice(0, 7), period.to.slice(0, 7)];
  const [counts, pooled, [recent], labels, lost, channels] = await Promise.all([
    rows<{ source: string; stage: string; level: string; channel: string; n: number | string; fresh: number | string }>(
      sequelize,
      `SELECT k.source AS source, k.lifecycle_stage AS stage, k.level AS level, k.acquisition_channel AS channel, SUM(k.customer_count) AS n,
              SUM(CASE WHEN k.created_month >= ? AND k.created_month <= ? THEN k.customer_count ELSE 0 END) AS fresh
         FROM customer_counts k WHERE ${counted.sql}
        GROUP BY k.source, k.lifecycle_stage, k.level, k.acquisition_channel`,
      [...months, ...counted.params],
    ),
    // A customer in 公海 is nobody's (roles/access.ts inPoolSql): the rollup counts it under its last owner, so it is taken out again here.
    rows<{ source: string; stage: string; level: string; channel: string; n: number | string; fresh: number | string }>(
      sequelize,
      `SELECT COALESCE(c.source, '') AS source, c.lifecycle_stage AS stage, COALESCE(c.level, '') AS level, COALESCE(c.acquisition_channel, '') AS channel,
              COUNT(*) AS n, SUM(CASE WHEN ${chinaMonthSql(sequelize, 'c.created_at')} >= ? AND ${chinaMonthSql(sequelize, 'c.created_at')} <= ? THEN 1 ELSE 0 END) AS fresh
         FROM customers c WHERE c.deleted_at IS NULL AND ${inPoolSql('c.id')} AND ${filter.sql}
        GROUP BY COALESCE(c.source, ''), c.lifecycle_stage, COALESCE(c.level, ''), COALESCE(c.acquisition_channel, '')`,
      [...months, ...filter.params],
    ),
    rows<{ n: number | string }>(
      sequelize,
      `SELECT COUNT(*) AS n FROM customers c WHERE c.deleted_at IS NULL AND c.last_follow_up_at >= ? AND NOT ${inPoolSql('c.id')} AND ${filter.sql}`,
      [new Date(now.getTime() - STALE_DAYS * DAY_MS), ...filter.params],
    ),
    listDictionaries(sequelize),
    rows<{ id: number; name: string; n: number | string }>(
      sequelize,
      `SELECT u.id AS id, u.name AS name, COUNT(*) AS n
         FROM wecom_follow_relations r
         JOIN customer_wecom_links l ON l.external_userid = r.external_userid
         JOIN customers c ON c.id = l.customer_id
         JOIN users u ON u.wecom_userid = r.userid
        WHERE r.delete_reason = 'deleted_by_customer' AND r.deleted_at >= ? AND r.deleted_at < ? AND c.deleted_at IS NULL AND ${filter.sql}
        GROUP BY u.id, u.name ORDER BY n DESC, u.id`,
      [...bounds, ...filter.params],
    ),
    channelActivity(sequelize, filterOf({ owner: 'u.id', department: 'u.main_department_id' }), bounds),
  ]);
  const keyOf = (g: { source: string; stage: string; level: string; channel: string }) =>
    [g.source || '', g.stage, g.level || '', g.channel || ''].join('\u0000');
  const groups = new Map(counts.map((g) => [keyOf(g), { ...g, n: Number(g.n), fresh: Number(g.fresh) }]));
  for (const p of pooled) {
    const g = groups.get(keyOf(p));
    if (g) Object.assign(g, { n: g.n - Number(p.n), fresh: g.fresh - Number(p.fresh) });
  }
  const bySource: Tally = new Map();
  const byStage: Tally = new Map();
  const byLevel: Tally = new Map();
  const leads = new Map<string, { leads: number; won: number }>();
  let total = 0;
  let fresh = 0;
  for (const g of groups.values()) {
    const n = g.n;
    if (n <= 0) continue;
    add(bySource, g.source || null, n);
    add(byStage, g.stage, n);
    add(byLevel, g.level || null, n);
    total += n;
    fresh += Number(g.fresh);
    if (g.channel && Number(g.fresh)) {
      const of = leads.get(g.channel) ?? { leads: 0, won: 0 };
      of.leads += Number(g.fresh);
      if (g.stage === 'customer' || g.stage === 'repeat') of.won += Number(g.fresh);
      leads.set(g.channel, of);
    }
  }
  const byChannel = channels.map((w) => ({ ...w, leads: leads.get(w.state)?.leads ?? 0, customers: leads.get(w.state)?.won ?? 0 }));
  const stale = total - Number(recent?.n ?? 0);
  const lostByRep = lost.map((r) => ({ id: Number(r.id), name: r.name, count: Number(r.n) }));
  return {
    period,
    total,
    newInPeriod: fresh,
    lostInPeriod: lostByRep.reduce((sum, r) => sum + r.count, 0),
    lostByRep,
    byChannel,
    bySource: tallied(bySource, labels.customer_source),
    byStage: tallied(byStage, labels.lifecycle_stage),
    byLevel: tallied(byLevel, labels.customer_level),
    noFollowUp30Days: stale,
  };
}

/**
 * Per 渠道活码 (by its `state`): contacts the scope's reps added through it in the period and those
 * the customer deleted in it (the reps' relations). Its leads and how many of them are customers
 * now come from the rollup (`acquisition_channel`).
 */
async function channelActivity(
  sequelize: Sequelize,
  /** The scope's reps: `u` is users. */
  reps: Filter,
  [from, to]: [Date, Date],
): Promise<Omit<ChannelRow, 'leads' | 'customers'>[]> {
  const ways = await rows<{ id: number; name: string; state: string }>(
    sequelize,
    'SELECT id, name, state FROM contact_ways WHERE deleted_at IS NULL ORDER BY id',
    [],
  );
  if (!ways.length) return [];
  // Only our codes' states, and only what happened in the period: index ranges, not every
  // relation of the scope's reps.
  const states = ways.map((w) => w.state);
  const inStates = `IN (${states.map(() => '?').join(', ')})`;
  const [added, lost] = await Promise.all([
    rows<{ state: string; n: number | string }>(
      sequelize,
      `SELECT r.state AS state, COUNT(*) AS n FROM wecom_follow_relations r JOIN users u ON u.wecom_userid = r.userid
        WHERE r.state ${inStates} AND r.added_at >= ? AND r.added_at < ? AND ${reps.sql}
        GROUP BY r.state`,
      [...states, from, to, ...reps.params],
    ),
    rows<{ state: string; n: number | string }>(
      sequelize,
      `SELECT r.state AS state, COUNT(*) AS n FROM wecom_follow_relations r JOIN users u ON u.wecom_userid = r.userid
        WHERE r.delete_reason = 'deleted_by_customer' AND r.deleted_at >= ? AND r.deleted_at < ? AND r.state ${inStates} AND ${reps.sql}
        GROUP BY r.state`,
      [from, to, ...states, ...reps.params],
    ),
  ]);
  const count = (list: { state: string; n: number | string }[], state: string) => Number(list.find((r) => r.state === state)?.n ?? 0);
  return ways.map((w) => ({ contactWayId: Number(w.id), name: w.name, state: w.state, added: count(added, w.state), lost: count(lost, w.state) }));
}

/** The `YYYY-MM` of the 12 months ending with `lastMonth`. */
function twelveMonths(lastMonth: string): string[] {
  const [y, m] = lastMonth.split('-').map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 12 + i, 1));
    return d.toISOString().slice(0, 7);
  });
}

/** Rollup rows of the period's months for `channel`, inside `filter` (columns `m.rep_user_id`, `m.department_id`). */
function monthsOf(channel: SalesChannel, filter: Filter, from: string, to: string): Filter {
  const only = channel === 'all' ? '' : `m.channel = '${channel === 'direct' ? 'direct' : 'consignment'}' AND `;
  return { sql: `${only}${filter.sql} AND m.month >= ? AND m.month <= ?`, params: [...filter.params, from.slice(0, 7), to.slice(0, 7)] };
}

/** 销售额 of the period inside `filter` (the rollup's `m.` columns), by channel: the one figure every board shows. */
async function salesIn(sequelize: Sequelize, filter: Filter, period: PeriodRange): Promise<{ direct: AmountCount; consignment: AmountCount }> {
  const where = monthsOf('all', filter, period.from, period.to);
  const found = await rows<{ channel: string; amount: number | string | null; n: number | string | null }>(
    sequelize,
    `SELECT m.channel AS channel, SUM(m.amount_fen) AS amount, SUM(m.sale_count) AS n FROM sales_monthly m WHERE ${where.sql} GROUP BY m.channel`,
    where.params,
  );
  const of = (channel: string): AmountCount => {
    const r = found.find((f) => f.channel === channel);
    return { amount: fromHundredths(r?.amount ?? 0), count: Number(r?.n ?? 0) };
  };
  return { direct: of('direct'), consignment: of('consignment') };
}

/** 销售额 of every channel from its split (added in fen: exact). */
const allChannels = (split: { direct: AmountCount; consignment: AmountCount }): AmountCount => ({
  amount: fromHundredths(toFen(split.direct.amount) + toFen(split.consignment.amount)),
  count: split.direct.count + split.consignment.count,
});

async function amountsBy(
  sequelize: Sequelize,
  key: 'product_id' | 'rep_user_id' | 'partner_id',
  where: Filter,
  limit?: number,
): Promise<{ id: number; amount: number; count: number }[]> {
  const found = await rows<{ id: number; amount: number | string; n: number | string }>(
    sequelize,
    `SELECT m.${key} AS id, SUM(m.amount_fen) AS amount, SUM(m.sale_count) AS n FROM sales_monthly m WHERE ${where.sql}
      GROUP BY m.${key} ORDER BY SUM(m.amount_fen) DESC, m.${key}${limit ? ` LIMIT ${limit}` : ''}`,
    where.params,
  );
  return found.map((r) => ({ id: Number(r.id), amount: fromHundredths(r.amount), count: Number(r.n) }));
}

const withNames = (items: { id: number; amount: number; count: number }[], names: Map<number, string>): AmountBy[] =>
  items.map((i) => ({ ...named(names, i.id), amount: i.amount, count: i.count }));

const SALE_COLUMNS = { owner: 'm.rep_user_id', department: 'm.department_id' };

/** 看板's 销售额: the period's buys of one channel (all by default), twelve months of them, the top products and reps. */
export async function salesDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<SalesDashboard> {
  const period = periodRange(query.period, now);
  const channel = query.channel ?? 'all';
  const filter = (await filtersFor(sequelize, access, query.departmentId))(SALE_COLUMNS);
  const months = twelveMonths(period.to.slice(0, 7));
  const inPeriod = monthsOf(channel, filter, period.from, period.to);
  const lastTwelve = monthsOf(channel, filter, `${months[0]}-01`, period.to);
  const [byChannel, monthly, products, reps] = await Promise.all([
    salesIn(sequelize, filter, period),
    rows<{ month: string; amount: number | string }>(
      sequelize,
      `SELECT m.month, SUM(m.amount_fen) AS amount FROM sales_monthly m WHERE ${lastTwelve.sql} GROUP BY m.month`,
      lastTwelve.params,
    ),
    amountsBy(sequelize, 'product_id', inPeriod, TOP),
    amountsBy(sequelize, 'rep_user_id', inPeriod, TOP),
  ]);
  const byMonth = new Map(monthly.map((r) => [r.month, Number(r.amount)]));
  const [productNames, repNames] = await Promise.all([
    namesById(
      sequelize,
      'products',
      products.map((p) => p.id),
    ),
    namesById(
      sequelize,
      'users',
      reps.map((r) => r.id),
    ),
  ]);
  const total = channel === 'all' ? allChannels(byChannel) : byChannel[channel];
  return {
    period,
    channel,
    total: total.amount,
    count: total.count,
    byChannel,
    byMonth: months.map((month) => ({ month, amount: fromHundredths(byMonth.get(month) ?? 0) })),
    topProducts: withNames(products, productNames),
    topReps: withNames(reps, repNames),
  };
}

export async function consignmentDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<ConsignmentDashboard> {
  const period = periodRange(query.period, now);
  const filterOf = await filtersFor(sequelize, access, query.departmentId);
  const partnerFilter = filterOf({ owner: 'p.owner_user_id', department: 'p.department_id' });
  const saleFilter = filterOf(SALE_COLUMNS);
  const labels = await listDictionaries(sequelize);
  const cutoff = new Date(now.getTime() - STALE_DAYS * DAY_MS);
  const [statuses, partners, stale] = await Promise.all([
    rows<{ code: string; n: number | string }>(
      sequelize,
      `SELECT p.status AS code, COUNT(*) AS n FROM consignment_partners p WHERE p.deleted_at IS NULL AND ${partnerFilter.sql} GROUP BY p.status ORDER BY COUNT(*) DESC, p.status`,
      partnerFilter.params,
    ),
    amountsBy(sequelize, 'partner_id', monthsOf('consignment', saleFilter, period.from, period.to)),
    rows<{ name: string }>(
      sequelize,
      `SELECT p.name FROM consignment_partners p
        WHERE p.deleted_at IS NULL AND p.status NOT IN ('terminated') AND (p.last_follow_up_at IS NULL OR p.last_follow_up_at < ?) AND ${partnerFilter.sql}
        ORDER BY p.last_follow_up_at, p.id`,
      [cutoff, ...partnerFilter.params],
    ),
  ]);
  const names = await namesById(
    sequelize,
    'consignment_partners',
    partners.map((p) => p.id),
  );
  return {
    period,
    partnersByStatus: statuses.map((r) => ({ code: r.code, label: labels.partner_status.find((v) => v.code === r.code)?.label ?? r.code, count: Number(r.n) })),
    salesByPartner: withNames(partners, names),
    total: fromHundredths(partners.reduce((fen, p) => fen + Math.round(p.amount * 100), 0)),
    partnersNoFollowUp30Days: { count: stale.length, names: stale.slice(0, 10).map((r) => r.name) },
  };
}

/** Actual against target for every target of the period the caller may see. */
/**
 * A year's targets: the year's own where one is set for a scope and metric, else the sum of that
 * scope's quarter targets (teams usually plan by quarter); the sum carries the first quarter's id.
 */
async function yearTargets(sequelize: Sequelize, access: Access, year: string): Promise<TargetView[]> {
  const [own, ...quarters] = await Promise.all([year, ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`)].map((p) => listTargets(sequelize, access, { period: p })));
  const keyOf = (t: TargetView) => `${t.scopeType}:${t.scope.id}:${t.metric}`;
  const out = new Map(own!.map((t) => [keyOf(t), t]));
  const summed = new Map<string, TargetView & { quarters: string[] }>();
  for (const t of quarters.flat()) {
    if (out.has(keyOf(t))) continue;
    const sum = summed.get(keyOf(t));
    summed.set(keyOf(t), sum ? { ...sum, value: sum.value + t.value, quarters: [...sum.quarters, t.period] } : { ...t, quarters: [t.period] });
  }
  return [...out.values(), ...summed.values()];
}

export async function targetDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<TargetDashboard> {
  const period = periodRange(query.period, now);
  let targets = period.kind === 'year' ? await yearTargets(sequelize, access, period.period) : await listTargets(sequelize, access, { period: period.period });
  if (query.departmentId) {
    const subtree = new Set(await descendantsOf(sequelize, [query.departmentId]));
    const users = await rows<{ id: number; main_department_id: number | null }>(sequelize, 'SELECT id, main_department_id FROM users', []);
    const departmentOf = new Map(users.map((u) => [Number(u.id), Number(u.main_department_id)]));
    targets = targets.filter((t) => subtree.has(t.scopeType === 'department' ? t.scope.id : (departmentOf.get(t.scope.id) ?? -1)));
  }
  const achieved = new Map<TargetMetric, Achieved>();
  for (const metric of new Set(targets.map((t) => t.metric))) achieved.set(metric, await achievedIn(sequelize, metric, period));
  const items = [];
  for (const t of targets) {
    const by = achieved.get(t.metric)!;
    const units =
      t.scopeType === 'user'
        ? (by.byUser.get(t.scope.id) ?? 0)
        : (await descendantsOf(sequelize, [t.scope.id])).reduce((sum, d) => sum + (by.byDepartment.get(d) ?? 0), 0);
    const actual = t.metric === 'sales_amount' ? fromHundredths(units) : units;
    items.push({
      targetId: t.id,
      scopeType: t.scopeType,
      scope: t.scope,
      metric: t.metric,
      target: t.value,
      actual,
      completion: t.value > 0 ? Math.round((actual / t.value) * 1000) / 10 : null,
      ...(t.period === period.period
        ? {}
        : { summedFrom: 'quarters' as const, summedQuarters: (t as TargetView & { quarters?: string[] }).quarters ?? [t.period] }),
    });
  }
  return { period, items };
}

/** One metric's result in the period per person and per department (not yet rolled up the tree). */
interface Achieved {
  byUser: Map<number, number>;
  byDepartment: Map<number, number>;
}

/**
 * What everyone achieved in the period for one metric, in one grouped query; each visible target
 * then picks its person or sums its department subtree. Sales count for their rep and booked
 * department (fen); new customers are live ones by owner and department (merged-away duplicates
 * and mistakes do not count); follow-ups count for their author and the author's main department.
 */
async function achievedIn(sequelize: Sequelize, metric: TargetMetric, period: PeriodRange): Promise<Achieved> {
  const start = chinaMidnight(period.from);
  const end = chinaMidnight(nextDay(period.to));
  const query =
    metric === 'sales_amount'
      ? rows<Group>(
          sequelize,
          'SELECT m.rep_user_id AS who, m.department_id AS dept, SUM(m.amount_fen) AS n FROM sales_monthly m WHERE m.month >= ? AND m.month <= ? GROUP BY m.rep_user_id, m.department_id',
          [period.from.slice(0, 7), period.to.slice(0, 7)],
        )
      : metric === 'new_customers'
        ? rows<Group>(
            sequelize,
            'SELECT c.owner_user_id AS who, c.department_id AS dept, COUNT(*) AS n FROM customers c WHERE c.created_at >= ? AND c.created_at < ? AND c.deleted_at IS NULL GROUP BY c.owner_user_id, c.department_id',
            [start, end],
          )
        : followUpsByAuthor(sequelize, period);
  const achieved: Achieved = { byUser: new Map(), byDepartment: new Map() };
  for (const g of await query) {
    add(achieved.byUser, Number(g.who), Number(g.n));
    if (g.dept !== null) add(achieved.byDepartment, Number(g.dept), Number(g.n));
  }
  return achieved;
}

interface Group {
  who: number;
  dept: number | null;
  n: number | string;
}

/** Follow-ups per author from the monthly rollup; each author's main department looked up after. */
async function followUpsByAuthor(sequelize: Sequelize, period: PeriodRange): Promise<Group[]> {
  const counts = await rows<{ who: number; n: number | string }>(
    sequelize,
    'SELECT m.user_id AS who, SUM(m.follow_up_count) AS n FROM follow_ups_monthly m WHERE m.month >= ? AND m.month <= ? GROUP BY m.user_id',
    [period.from.slice(0, 7), period.to.slice(0, 7)],
  );
  if (!counts.length) return [];
  const ids = counts.map((c) => Number(c.who));
  const users = await rows<{ id: number; main_department_id: number | null }>(
    sequelize,
    `SELECT id, main_department_id FROM users WHERE id IN (${sqlList(ids)})`,
    ids,
  );
  const departmentOf = new Map(users.map((u) => [Number(u.id), u.main_department_id === null ? null : Number(u.main_department_id)]));
  return counts.map((c) => ({ who: Number(c.who), dept: departmentOf.get(Number(c.who)) ?? null, n: c.n }));
}

/**
 * Today's AUM of the scope's customers — each live holding at market value (shares × the latest
 * NAV, par without one: trades/reads `marketValueOf`) — by department with its sub-teams (a
 * parent's figure includes every descendant's, as targets and 看板 roll departments up) and by
 * the customers' owner; the period's flows credited inside the scope (本期申购 is `salesIn`, the
 * very 销售额 看板 shows for the same period and scope); and the suitability exceptions granted in
 * the period.
 */
export async function aumDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<AumDashboard> {
  const period = periodRange(query.period, now);
  const filterOf = await filtersFor(sequelize, access, query.departmentId);
  const filter = filterOf({ owner: 'c.owner_user_id', department: 'c.department_id' });
  const credited = filterOf({ owner: 't.rep_user_id', department: 't.department_id' });
  const [from, to] = [chinaMidnight(period.from), chinaMidnight(nextDay(period.to))];
  const [holdings, sales, outflows, overrides] = await Promise.all([
    rows<{ customer_id: number; owner: number; department: number; product_id: number; shares_hundredths: number }>(
      sequelize,
      `SELECT h.customer_id, c.owner_user_id AS owner, c.department_id AS department, h.product_id, h.shares_hundredths
         FROM holdings h JOIN customers c ON c.id = h.customer_id
        WHERE h.status = 'holding' AND c.deleted_at IS NULL AND ${filter.sql}`,
      filter.params,
    ),
    salesIn(sequelize, filterOf(SALE_COLUMNS), period),
    rows<{ fen: number | string | null }>(
      sequelize,
      `SELECT SUM(t.amount_fen) AS fen FROM trades t
        WHERE t.kind IN ('redeem', 'maturity') AND t.voided_at IS NULL AND t.traded_on >= ? AND t.traded_on <= ? AND ${credited.sql}`,
      [period.from, period.to, ...credited.params],
    ),
    rows<{ id: number; customer: string; product: string; customer_level: string | null; product_level: string; reason: string; sold_on: string | Date }>(
      sequelize,
      `SELECT t.id, c.name AS customer, p.name AS product, c.risk_level AS customer_level, p.risk_level AS product_level, t.suitability_override AS reason, t.traded_on AS sold_on
         FROM trades t JOIN customers c ON c.id = t.customer_id JOIN products p ON p.id = t.product_id
        WHERE t.kind = 'buy' AND t.voided_at IS NULL AND t.suitability_override IS NOT NULL AND t.created_at >= ? AND t.created_at < ? AND ${filter.sql}
        ORDER BY t.created_at DESC, t.id DESC LIMIT 50`,
      [from, to, ...filter.params],
    ),
  ]);
  const navs = await latestNavs(sequelize, [...new Set(holdings.map((h) => Number(h.product_id)))], businessDate(now));
  const byOwner = new Map<number, { fen: number; customers: Set<number> }>();
  const byDepartment = new Map<number, { fen: number; customers: Set<number> }>();
  const customers = new Set<number>();
  let total = 0;
  const addTo = (map: Map<number, { fen: number; customers: Set<number> }>, id: number, fen: number, customer: number) => {
    const entry = map.get(id) ?? { fen: 0, customers: new Set<number>() };
    entry.fen += fen;
    entry.customers.add(customer);
    map.set(id, entry);
  };
  for (const h of holdings) {
    const value = marketValueOf(h, navs.get(Number(h.product_id)));
    total += value;
    customers.add(Number(h.customer_id));
    addTo(byOwner, Number(h.owner), value, Number(h.customer_id));
    addTo(byDepartment, Number(h.department), value, Number(h.customer_id));
  }
  const owners = await namesById(sequelize, 'users', byOwner.keys());
  const byRep = [...byOwner]
    .map(([id, o]) => ({ id, name: owners.get(id) ?? String(id), amount: fromHundredths(o.fen), count: o.customers.size }))
    .sort((a, b) => b.amount - a.amount || a.id - b.id);
  const inflow = toFen(allChannels(sales).amount);
  const outflow = Number(outflows[0]?.fen ?? 0);
  return {
    period,
    total: fromHundredths(total),
    customers: customers.size,
    byDepartment: await departmentTree(sequelize, access, query.departmentId, byDepartment),
    byRep,
    inflow: fromHundredths(inflow),
    inflowByChannel: { direct: sales.direct.amount, consignment: sales.consignment.amount },
    outflow: fromHundredths(outflow),
    netInflow: fromHundredths(inflow - outflow),
    overrides: overrides.map((o) => ({
      saleId: Number(o.id),
      customer: o.customer,
      product: o.product,
      customerLevel: o.customer_level,
      productLevel: o.product_level,
      reason: o.reason,
      soldOn: dateOnlyOrNull(o.sold_on)!,
    })),
  };
}

/**
 * Each department's own figure rolled up its ancestors, listed as a tree. The departments listed
 * are those the caller may see (every one for `all`, else the scope's), within the chosen
 * subtree; a caller scoped to themselves sees the departments their customers sit in. A
 * department whose subtree holds nothing is left out.
 */
async function departmentTree(
  sequelize: Sequelize,
  access: Access,
  departmentId: number | undefined,
  own: Map<number, { fen: number; customers: Set<number> }>,
): Promise<DepartmentAmount[]> {
  const all = await rows<{ id: number; parent_id: number | null; name: string }>(
    sequelize,
    'SELECT id, parent_id, name FROM departments WHERE deleted_at IS NULL',
    [],
  );
  const parentOf = new Map(all.map((d) => [Number(d.id), d.parent_id === null ? null : Number(d.parent_id)]));
  const names = new Map(all.map((d) => [Number(d.id), d.name]));
  const rolled = new Map<number, { fen: number; customers: Set<number> }>();
  for (const [id, figure] of own) {
    // Up the tree to the root; a department no longer on file counts for itself alone.
    for (let d: number | null | undefined = id, hops = 0; d !== null && d !== undefined && hops < 64; d = parentOf.get(d), hops++) {
      const entry = rolled.get(d) ?? { fen: 0, customers: new Set<number>() };
      entry.fen += figure.fen;
      for (const c of figure.customers) entry.customers.add(c);
      rolled.set(d, entry);
      if (!parentOf.has(d)) break;
    }
  }
  let shown = new Set(access.dataScope === 'all' ? all.map((d) => Number(d.id)) : access.scopeDepartmentIds);
  if (departmentId) {
    const subtree = new Set(await descendantsOf(sequelize, [departmentId]));
    shown = new Set([...shown].filter((d) => subtree.has(d)));
  }
  if (!shown.size) shown = new Set(own.keys());
  const listed = [...shown].filter((d) => (rolled.get(d)?.fen ?? 0) !== 0 || (rolled.get(d)?.customers.size ?? 0) > 0);
  const listedSet = new Set(listed);
  /** The nearest listed ancestor: a listed department's parent in the list. */
  const listedParent = (id: number) => {
    for (let d = parentOf.get(id), hops = 0; d !== null && d !== undefined && hops < 64; d = parentOf.get(d), hops++) if (listedSet.has(d)) return d;
    return null;
  };
  const children = new Map<number | null, number[]>();
  for (const d of listed) {
    const parent = listedParent(d);
    children.set(parent, [...(children.get(parent) ?? []), d]);
  }
  const out: DepartmentAmount[] = [];
  const visit = (parent: number | null, depth: number) => {
    const level = (children.get(parent) ?? []).sort((a, b) => rolled.get(b)!.fen - rolled.get(a)!.fen || a - b);
    for (const d of level) {
      const figure = rolled.get(d)!;
      out.push({
        id: d,
        name: names.get(d) ?? String(d),
        amount: fromHundredths(figure.fen),
        count: figure.customers.size,
        parentId: parent,
        depth,
        own: fromHundredths(own.get(d)?.fen ?? 0),
      });
      visit(d, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}

/** The caller's own period: follow-ups written, 销售额 credited to them (all channels), customers created. */
export async function myPeriod(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<MyPeriod> {
  const period = periodRange(query.period, now);
  const [start, end] = [chinaMidnight(period.from), chinaMidnight(nextDay(period.to))];
  const [[followUps], sales, [created]] = await Promise.all([
    rows<{ n: number | string | null }>(sequelize, 'SELECT SUM(follow_up_count) AS n FROM follow_ups_monthly WHERE user_id = ? AND month >= ? AND month <= ?', [
      access.userId,
      period.from.slice(0, 7),
      period.to.slice(0, 7),
    ]),
    salesIn(sequelize, { sql: 'm.rep_user_id = ?', params: [access.userId] }, period),
    rows<{ n: number | string }>(
      sequelize,
      `SELECT COUNT(*) AS n FROM customers c WHERE c.owner_user_id = ? AND c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ? AND NOT ${inPoolSql('c.id')}`,
      [access.userId, start, end],
    ),
  ]);
  return {
    period,
    followUps: Number(followUps?.n ?? 0),
    sales: allChannels(sales),
    newCustomers: Number(created?.n ?? 0),
  };
}
