/**
 * Dashboards (server/README.md#dashboards): SQL aggregates inside the caller's data scope, optionally narrowed to
 * one department's subtree. Periods are China calendar periods (`2026-11`, `2026-Q4`, `2026`);
 * instants are compared against the period's China-midnight bounds. Sales are read from the
 * monthly rollup (`sales_monthly`, kept by the sales service): every period is whole months.
 */
// Raw SQL on other modules' tables, on purpose: the dashboards are aggregates (COUNT, SUM, GROUP BY over
// the rollups and the tables of customers, sales, holdings, follow-ups, matching and the mirror) computed
// by the database in a statement each; reading rows through each module to sum them here would move every
// row.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { ChannelRow } from '@shared/engagement';
import type {
  AmountBy,
  AumDashboard,
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
import { sqlList } from '../../db/dialect';
import { dateOnlyOrNull, namesById, named } from '../../db/lookup';
import { notFound } from '../../errors';
import { listDictionaries } from '../dictionaries/service';
import { descendantsOf, scopeSql, type Access } from '../roles/access';
import { listTargets } from '../targets/service';
import { marketValueOf } from '../trades/reads';
import { latestNavs } from '../products/service';

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
const nextDay = (date: string) => addDays(date, 1);

export function periodRange(period: string | undefined, now = new Date()): PeriodRange {
  const p = period ?? quarterOf(businessDate(now));
  return { period: p, kind: periodKind(p), ...periodDays(p) };
}

type FilterFor = (columns: { owner: string; department: string }) => Filter;

/** The dashboard's filter for any table's owner / department columns; the subtree is read once. */
async function filtersFor(sequelize: Sequelize, access: Access, departmentId: number | undefined): Promise<FilterFor> {
  if (!departmentId) return (columns) => scopeSql(access, columns);
  if (access.dataScope !== 'all' && !access.scopeDepartmentIds.includes(departmentId)) throw notFound('部门不在你的数据范围内');
  const subtree = await descendantsOf(sequelize, [departmentId]);
  return (columns) => {
    const scope = scopeSql(access, columns);
    return { sql: `${scope.sql} AND ${columns.department} IN (${sqlList(subtree)})`, params: [...scope.params, ...subtree] };
  };
}

async function rows<T extends object>(sequelize: Sequelize, sql: string, params: unknown[]): Promise<T[]> {
  return sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT });
}

type Tally = Map<string | null, number>;

function tallied(tally: Tally, labels: { code: string; label: string }[]): CountBy[] {
  return [...tally]
    .map(([code, count]) => ({ code, label: labels.find((v) => v.code === code)?.label ?? (code === null ? '未填写' : code), count }))
    .sort((a, b) => b.count - a.count || (a.code ?? '\uffff').localeCompare(b.code ?? '\uffff'));
}

const add = <K>(map: Map<K, number>, key: K, n: number) => map.set(key, (map.get(key) ?? 0) + n);

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
  const [groups, [recent], labels, lost, channels] = await Promise.all([
    rows<{ source: string; stage: string; level: string; channel: string; n: number | string; fresh: number | string }>(
      sequelize,
      `SELECT k.source AS source, k.lifecycle_stage AS stage, k.level AS level, k.acquisition_channel AS channel, SUM(k.customer_count) AS n,
              SUM(CASE WHEN k.created_month >= ? AND k.created_month <= ? THEN k.customer_count ELSE 0 END) AS fresh
         FROM customer_counts k WHERE ${counted.sql}
        GROUP BY k.source, k.lifecycle_stage, k.level, k.acquisition_channel`,
      [period.from.slice(0, 7), period.to.slice(0, 7), ...counted.params],
    ),
    rows<{ n: number | string }>(sequelize, `SELECT COUNT(*) AS n FROM customers c WHERE c.deleted_at IS NULL AND c.last_follow_up_at >= ? AND ${filter.sql}`, [
      new Date(now.getTime() - STALE_DAYS * DAY_MS),
      ...filter.params,
    ]),
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
  const bySource: Tally = new Map();
  const byStage: Tally = new Map();
  const byLevel: Tally = new Map();
  const leads = new Map<string, { leads: number; won: number }>();
  let total = 0;
  let fresh = 0;
  for (const g of groups) {
    const n = Number(g.n);
    if (n === 0) continue;
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
function monthsOf(channel: 'direct' | 'consignment', filter: Filter, from: string, to: string): Filter {
  return { sql: `m.channel = '${channel}' AND ${filter.sql} AND m.month >= ? AND m.month <= ?`, params: [...filter.params, from.slice(0, 7), to.slice(0, 7)] };
}

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

export async function salesDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<SalesDashboard> {
  const period = periodRange(query.period, now);
  const filter = (await filtersFor(sequelize, access, query.departmentId))(SALE_COLUMNS);
  const months = twelveMonths(period.to.slice(0, 7));
  const inPeriod = monthsOf('direct', filter, period.from, period.to);
  const lastTwelve = monthsOf('direct', filter, `${months[0]}-01`, period.to);
  const [[totals], monthly, products, reps] = await Promise.all([
    rows<{ amount: number | string | null; n: number | string | null }>(
      sequelize,
      `SELECT SUM(m.amount_fen) AS amount, SUM(m.sale_count) AS n FROM sales_monthly m WHERE ${inPeriod.sql}`,
      inPeriod.params,
    ),
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
  return {
    period,
    total: fromHundredths(totals?.amount ?? 0),
    count: Number(totals?.n ?? 0),
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
 * AUM by department and rep (each customer's live holdings at the latest NAV, else at book), the
 * period's trade flows, and the suitability exceptions granted in the period.
 */
export async function aumDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<AumDashboard> {
  const period = periodRange(query.period, now);
  const filter = (await filtersFor(sequelize, access, query.departmentId))({ owner: 'c.owner_user_id', department: 'c.department_id' });
  const [from, to] = [chinaMidnight(period.from), chinaMidnight(nextDay(period.to))];
  const [holdings, flows, overrides] = await Promise.all([
    rows<{ customer_id: number; owner: number; department: number; product_id: number; shares_hundredths: number }>(
      sequelize,
      `SELECT h.customer_id, c.owner_user_id AS owner, c.department_id AS department, h.product_id, h.shares_hundredths
         FROM holdings h JOIN customers c ON c.id = h.customer_id
        WHERE h.status = 'holding' AND c.deleted_at IS NULL AND ${filter.sql}`,
      filter.params,
    ),
    rows<{ kind: string; fen: number | string | null }>(
      sequelize,
      `SELECT t.kind AS kind, SUM(t.amount_fen) AS fen
         FROM trades t JOIN customers c ON c.id = t.customer_id
        WHERE t.kind IN ('buy', 'redeem', 'maturity') AND t.voided_at IS NULL AND t.traded_on >= ? AND t.traded_on <= ? AND c.deleted_at IS NULL AND ${filter.sql}
        GROUP BY t.kind`,
      [period.from, period.to, ...filter.params],
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
  const byOwner = new Map<number, number>();
  const byDepartment = new Map<number, number>();
  const customers = new Set<number>();
  let total = 0;
  for (const h of holdings) {
    const value = marketValueOf(h, navs.get(Number(h.product_id)));
    total += value;
    customers.add(Number(h.customer_id));
    add(byOwner, Number(h.owner), value);
    add(byDepartment, Number(h.department), value);
  }
  const [owners, departments] = await Promise.all([namesById(sequelize, 'users', byOwner.keys()), namesById(sequelize, 'departments', byDepartment.keys())]);
  const ranked = (m: Map<number, number>, names: Map<number, string>): AmountBy[] =>
    [...m]
      .map(([id, fen]) => ({ id, name: names.get(id) ?? String(id), amount: fromHundredths(fen), count: 0 }))
      .sort((a, b) => b.amount - a.amount || a.id - b.id);
  const flowOf = (kind: string) => Number(flows.find((f) => f.kind === kind)?.fen ?? 0);
  return {
    period,
    total: fromHundredths(total),
    customers: customers.size,
    byDepartment: ranked(byDepartment, departments),
    byRep: ranked(byOwner, owners),
    inflow: fromHundredths(flowOf('buy')),
    outflow: fromHundredths(flowOf('redeem') + flowOf('maturity')),
    netInflow: fromHundredths(flowOf('buy') - flowOf('redeem') - flowOf('maturity')),
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

/** The caller's own period: follow-ups written, sales booked (direct and consignment), customers created. */
export async function myPeriod(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<MyPeriod> {
  const period = periodRange(query.period, now);
  const [start, end] = [chinaMidnight(period.from), chinaMidnight(nextDay(period.to))];
  const [[followUps], [sales], [created]] = await Promise.all([
    rows<{ n: number | string | null }>(sequelize, 'SELECT SUM(follow_up_count) AS n FROM follow_ups_monthly WHERE user_id = ? AND month >= ? AND month <= ?', [
      access.userId,
      period.from.slice(0, 7),
      period.to.slice(0, 7),
    ]),
    rows<{ fen: number | string | null; n: number | string }>(
      sequelize,
      "SELECT SUM(amount_fen) AS fen, COUNT(*) AS n FROM trades WHERE kind = 'buy' AND rep_user_id = ? AND voided_at IS NULL AND traded_on >= ? AND traded_on <= ?",
      [access.userId, period.from, period.to],
    ),
    rows<{ n: number | string }>(
      sequelize,
      'SELECT COUNT(*) AS n FROM customers WHERE owner_user_id = ? AND deleted_at IS NULL AND created_at >= ? AND created_at < ?',
      [access.userId, start, end],
    ),
  ]);
  return {
    period,
    followUps: Number(followUps?.n ?? 0),
    sales: { amount: fromHundredths(Number(sales?.fen ?? 0)), count: Number(sales?.n ?? 0) },
    newCustomers: Number(created?.n ?? 0),
  };
}
