/**
 * NAVs (净值) by product and day: the history, the one write path every door uses (the H5 form,
 * `PUT /api/products/:id/navs`, the NAV import), and whether a product's NAV is overdue.
 *
 * A NAV written or corrected later never rewrites trades already recorded: a trade keeps the NAV
 * it was made at (`trades.nav`, its shares and amount fixed then), and the ledger's replay folds
 * stored shares, never NAVs. What a NAV change moves is valuation — market value and 浮动盈亏 read
 * the latest NAV on or before the day — and the NAV a later trade dated on or after that day uses.
 */
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { PageOf } from '@shared/http';
import { navFreshness, type NavEntry, type NavFreshness, type NavSaved, type NavDayView, type StaleNavProductView } from '@shared/products';
import { businessDate } from '@shared/time';
import { notFound } from '../../errors';
import { pageWindow, type PageRequest } from '../../db/paging';
import { sqlList } from '../../db/dialect';
import { dateOnlyOrNull } from '../../db/lookup';
import { audit, type Actor } from '../audit/service';
import { productModels, type ProductNavRow, type ProductRow } from './models';

const numberOrNull = (v: string | number | null) => (v === null ? null : Number(v));

export const navView = (r: Pick<ProductNavRow, 'nav_date' | 'nav' | 'accumulated_nav'>): NavDayView => ({
  date: dateOnlyOrNull(r.nav_date)!,
  nav: Number(r.nav),
  accumulatedNav: numberOrNull(r.accumulated_nav),
});

export interface NavHistoryQuery extends PageRequest {
  /** Days from / to (inclusive). */
  from?: string;
  to?: string;
}

/** A product's NAVs, newest first: a page, optionally within a range of days. */
export async function listNavHistory(sequelize: Sequelize, productId: number, query: NavHistoryQuery): Promise<PageOf<NavDayView>> {
  const { Product, ProductNav } = productModels(sequelize);
  if (!(await Product.findByPk(productId))) throw notFound('产品不存在');
  const days = { ...(query.from ? { [Op.gte]: query.from } : {}), ...(query.to ? { [Op.lte]: query.to } : {}) };
  const { rows, count } = await ProductNav.findAndCountAll({
    where: { product_id: productId, ...(query.from || query.to ? { nav_date: days } : {}) },
    order: [['nav_date', 'DESC']],
    ...pageWindow(query),
  });
  return { items: rows.map((r) => navView(r.get())), total: count, page: query.page, pageSize: query.pageSize };
}

/** What one write did: days added, days corrected (with their values before), days sent as they were. */
export interface NavWrite {
  created: NavDayView[];
  corrected: { before: NavDayView; after: NavDayView }[];
  unchanged: NavDayView[];
}

const sameNav = (a: NavDayView, b: NavDayView) => a.nav === b.nav && a.accumulatedNav === b.accumulatedNav;
const navText = (v: NavDayView) => `${v.nav}${v.accumulatedNav !== null ? `（累计 ${v.accumulatedNav}）` : ''}`;

/**
 * Adds or corrects NAVs of one product, in the caller's transaction — the one write path. The
 * product's row is locked first, so two writers of one product take turns (the audit's "before" is
 * what was really replaced). A day not on file is added (one `product.nav` audit entry for the
 * lot); a day on file with another value is corrected, each audited as `product.nav_correct` with
 * its values before and after; a day sent as it is changes nothing. An entry without
 * `accumulatedNav` keeps the day's 累计净值 (null clears it). The same day twice: the later wins.
 */
export async function writeNavs(sequelize: Sequelize, actor: Actor, productId: number, entries: NavEntry[], transaction: Transaction): Promise<NavWrite> {
  const { Product, ProductNav } = productModels(sequelize);
  const product = (await Product.findByPk(productId, { transaction, lock: transaction.LOCK.UPDATE }))?.get();
  if (!product) throw notFound('产品不存在');
  const byDay = new Map(entries.map((e) => [e.date, e]));
  const onFile = new Map(
    (await ProductNav.findAll({ where: { product_id: productId, nav_date: { [Op.in]: [...byDay.keys()] } }, transaction })).map((r) => [
      dateOnlyOrNull(r.get().nav_date)!,
      r.get(),
    ]),
  );
  const out: NavWrite = { created: [], corrected: [], unchanged: [] };
  const now = new Date();
  for (const [date, entry] of [...byDay].sort(([a], [b]) => a.localeCompare(b))) {
    const row = onFile.get(date);
    if (!row) {
      out.created.push({ date, nav: entry.nav, accumulatedNav: entry.accumulatedNav ?? null });
      continue;
    }
    const before = navView(row);
    const after: NavDayView = { date, nav: entry.nav, accumulatedNav: entry.accumulatedNav === undefined ? before.accumulatedNav : entry.accumulatedNav };
    if (sameNav(before, after)) {
      out.unchanged.push(before);
      continue;
    }
    await ProductNav.update({ nav: after.nav, accumulated_nav: after.accumulatedNav, updated_at: now }, { where: { id: row.id }, transaction });
    await audit(
      sequelize,
      actor,
      {
        action: 'product.nav_correct',
        entity: 'product',
        entityId: productId,
        summary: `更正 ${product.code} ${date} 的净值：${navText(before)} → ${navText(after)}`,
        diff: { date, before: { nav: before.nav, accumulatedNav: before.accumulatedNav }, after: { nav: after.nav, accumulatedNav: after.accumulatedNav } },
      },
      { transaction },
    );
    out.corrected.push({ before, after });
  }
  if (out.created.length) {
    await ProductNav.bulkCreate(
      out.created.map((v) => ({ product_id: productId, nav_date: v.date, nav: v.nav, accumulated_nav: v.accumulatedNav, created_at: now, updated_at: now })),
      { transaction },
    );
    const first = out.created[0]!;
    const last = out.created.at(-1)!;
    await audit(
      sequelize,
      actor,
      {
        action: 'product.nav',
        entity: 'product',
        entityId: productId,
        summary:
          out.created.length === 1
            ? `录入 ${product.code} ${first.date} 的净值 ${navText(first)}`
            : `录入 ${product.code} 的净值 ${out.created.length} 天（${first.date} 至 ${last.date}）`,
        diff: { count: out.created.length, from: first.date, to: last.date },
      },
      { transaction },
    );
  }
  return out;
}

/** Adds or corrects one day (the H5 form): what it was before and what it is now. */
export async function saveNav(sequelize: Sequelize, actor: Actor, productId: number, entry: NavEntry): Promise<NavSaved> {
  const result = await sequelize.transaction((transaction) => writeNavs(sequelize, actor, productId, [entry], transaction));
  const [created] = result.created;
  const [corrected] = result.corrected;
  if (created) return { item: created, previous: null, change: 'created' };
  if (corrected) return { item: corrected.after, previous: corrected.before, change: 'corrected' };
  return { item: result.unchanged[0]!, previous: result.unchanged[0]!, change: 'unchanged' };
}

/** Each product's latest NAV day (none on file: absent). */
async function lastNavDates(sequelize: Sequelize, productIds: readonly number[]): Promise<Map<number, string>> {
  if (!productIds.length) return new Map();
  const rows = await sequelize.query<{ product_id: number; d: string | Date }>(
    `SELECT product_id, MAX(nav_date) AS d FROM product_navs WHERE product_id IN (${sqlList(productIds)}) GROUP BY product_id`,
    { replacements: [...productIds], type: QueryTypes.SELECT },
  );
  return new Map(rows.map((r) => [Number(r.product_id), dateOnlyOrNull(r.d)!]));
}

/** The NAV freshness of each product (shared/products.ts navFreshness), by id. */
export async function navFreshnessOf(sequelize: Sequelize, products: readonly ProductRow[], now = new Date()): Promise<Map<number, NavFreshness>> {
  const last = await lastNavDates(
    sequelize,
    products.map((p) => p.id),
  );
  const today = businessDate(now);
  return new Map(products.map((p) => [p.id, navFreshness({ category: p.category, status: p.status, lastNavDate: last.get(p.id) ?? null }, today)]));
}

/** Products whose NAV is overdue, longest overdue first (the admin home's warning). */
export async function listStaleNavProducts(sequelize: Sequelize, now = new Date()): Promise<StaleNavProductView[]> {
  const products = (await productModels(sequelize).Product.findAll({ where: { status: { [Op.ne]: 'closed' } } })).map((p) => p.get());
  const freshness = await navFreshnessOf(sequelize, products, now);
  const stale: StaleNavProductView[] = [];
  for (const p of products) {
    const f = freshness.get(p.id)!;
    if (f.navStaleSince === null || f.navStaleAfterDays === null || f.lastNavDate === null) continue;
    stale.push({
      id: p.id,
      code: p.code,
      name: p.name,
      category: p.category,
      lastNavDate: f.lastNavDate,
      navStaleSince: f.navStaleSince,
      navStaleAfterDays: f.navStaleAfterDays,
    });
  }
  return stale.sort((a, b) => a.navStaleSince.localeCompare(b.navStaleSince) || a.code.localeCompare(b.code));
}
