/** The product catalogue: readable by every rep, maintained by holders of `product.manage`. */
import { Op, QueryTypes, UniqueConstraintError, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { PageOf } from '@shared/http';
import type { NavDayView, NavEntry, NavFreshness, NavView, ProductInput, ProductPatch, ProductStatus, ProductView } from '@shared/products';
import { PAR_NAV } from '@shared/ledger';
import { fromHundredths, toHundredths } from '@shared/money';
import { conflict, notFound } from '../../errors';
import { pageWindow, type PageRequest } from '../../db/paging';
import { containsWhere, sqlList } from '../../db/dialect';
import { dateOnlyOrNull } from '../../db/lookup';
import { audit, type Actor } from '../audit/service';
import { assertDictionaryValues } from '../dictionaries/service';
import { productModels, type ProductRow } from './models';
import { listNavHistory, navFreshnessOf, writeNavs } from './navs';

export function productView(r: ProductRow, freshness: NavFreshness): ProductView {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    category: r.category,
    riskLevel: r.risk_level,
    status: r.status,
    issuer: r.issuer,
    description: r.description,
    termDays: r.term_days ?? null,
    qualifiedOnly: Boolean(r.qualified_only),
    recordingRequired: Boolean(r.recording_required),
    minSubscription: r.min_subscription_fen === null || r.min_subscription_fen === undefined ? null : fromHundredths(Number(r.min_subscription_fen)),
    ...freshness,
  };
}

/** Products as the API shows them, each with its NAV's freshness. */
async function productViews(sequelize: Sequelize, rows: ProductRow[]): Promise<ProductView[]> {
  const freshness = await navFreshnessOf(sequelize, rows);
  return rows.map((r) => productView(r, freshness.get(r.id)!));
}

export async function loadProduct(sequelize: Sequelize, id: number, transaction?: Transaction): Promise<ProductRow> {
  const row = (await productModels(sequelize).Product.findByPk(id, { transaction }))?.get();
  if (!row) throw notFound('产品不存在');
  return row;
}

export interface ProductListQuery extends PageRequest {
  keyword?: string;
  category?: string;
  status?: ProductStatus;
}

export async function listProducts(sequelize: Sequelize, query: ProductListQuery): Promise<PageOf<ProductView>> {
  const and: WhereOptions<ProductRow>[] = [];
  if (query.keyword) and.push({ [Op.or]: [containsWhere(sequelize, 'name', query.keyword), containsWhere(sequelize, 'code', query.keyword)] });
  if (query.category) and.push({ category: query.category });
  if (query.status) and.push({ status: query.status });
  const { rows, count } = await productModels(sequelize).Product.findAndCountAll({ where: { [Op.and]: and }, order: [['code', 'ASC']], ...pageWindow(query) });
  const products = rows.map((r) => r.get());
  return { items: await productViews(sequelize, products), total: count, page: query.page, pageSize: query.pageSize };
}

export async function getProduct(sequelize: Sequelize, id: number): Promise<ProductView> {
  const [view] = await productViews(sequelize, [await loadProduct(sequelize, id)]);
  return view!;
}

/** Each field of a product's input with its column (minSubscription aside: yuan in, fen stored). */
const COLUMNS = {
  code: 'code',
  name: 'name',
  category: 'category',
  riskLevel: 'risk_level',
  status: 'status',
  issuer: 'issuer',
  description: 'description',
  termDays: 'term_days',
  qualifiedOnly: 'qualified_only',
  recordingRequired: 'recording_required',
} as const satisfies Partial<Record<keyof ProductPatch, keyof ProductRow>>;

/** The columns a create or an edit sets: those of the fields it gives (undefined: not given). */
function columnsOf(input: ProductPatch): Partial<ProductRow> {
  const changes: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(COLUMNS))
    if (input[field as keyof typeof COLUMNS] !== undefined) changes[column] = input[field as keyof typeof COLUMNS];
  if (input.minSubscription !== undefined) changes.min_subscription_fen = input.minSubscription === null ? null : toHundredths(input.minSubscription);
  return changes as Partial<ProductRow>;
}

const duplicateCode = (code: string) => conflict(`产品代码 ${code} 已存在`, { field: 'code' });

export async function createProduct(sequelize: Sequelize, actor: Actor, input: ProductInput): Promise<ProductView> {
  await assertDictionaryValues(sequelize, [{ field: 'category', type: 'product_category', value: input.category }]);
  try {
    const row = await sequelize.transaction(async (transaction) => {
      const created = await productModels(sequelize).Product.create(
        // What the input leaves out: none, not restricted.
        {
          issuer: null,
          description: null,
          term_days: null,
          qualified_only: false,
          recording_required: false,
          min_subscription_fen: null,
          ...columnsOf(input),
        } as ProductRow,
        { transaction },
      );
      await audit(
        sequelize,
        actor,
        { action: 'product.create', entity: 'product', entityId: created.get().id, summary: `新增产品 ${input.code} ${input.name}` },
        { transaction },
      );
      return created.get();
    });
    return getProduct(sequelize, row.id);
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw duplicateCode(input.code);
    throw err;
  }
}

export async function updateProduct(sequelize: Sequelize, actor: Actor, id: number, patch: ProductPatch): Promise<ProductView> {
  const current = await loadProduct(sequelize, id);
  await assertDictionaryValues(sequelize, [{ field: 'category', type: 'product_category', value: patch.category, previous: current.category }]);
  const changes = columnsOf(patch);
  try {
    await sequelize.transaction(async (transaction) => {
      await productModels(sequelize).Product.update(changes, { where: { id }, transaction });
      await audit(
        sequelize,
        actor,
        { action: 'product.update', entity: 'product', entityId: id, summary: `修改产品 ${current.code}`, diff: changes },
        { transaction },
      );
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw duplicateCode(patch.code ?? current.code);
    throw err;
  }
  return getProduct(sequelize, id);
}

/** Sets NAVs by day through the one NAV write path (navs.ts writeNavs); answers the newest 400 days. */
export async function putNavs(sequelize: Sequelize, actor: Actor, productId: number, items: NavEntry[]): Promise<NavDayView[]> {
  await sequelize.transaction((transaction) => writeNavs(sequelize, actor, productId, items, transaction));
  return (await listNavHistory(sequelize, productId, { page: 1, pageSize: 400 })).items;
}

/** Each product's latest NAV on or before `asOf` (YYYY-MM-DD). */
export async function latestNavs(sequelize: Sequelize, productIds: readonly number[], asOf: string, transaction?: Transaction): Promise<Map<number, NavView>> {
  if (!productIds.length) return new Map();
  const rows = await sequelize.query<{ product_id: number; nav_date: string | Date; nav: string | number }>(
    `SELECT n.product_id, n.nav_date, n.nav FROM product_navs n
       JOIN (SELECT product_id, MAX(nav_date) AS d FROM product_navs WHERE product_id IN (${sqlList(productIds)}) AND nav_date <= ? GROUP BY product_id) m
         ON m.product_id = n.product_id AND m.d = n.nav_date`,
    { replacements: [...productIds, asOf], type: QueryTypes.SELECT, transaction },
  );
  return new Map(rows.map((r) => [Number(r.product_id), { date: dateOnlyOrNull(r.nav_date)!, nav: Number(r.nav) }]));
}

/**
 * A holding's market value in fen in SQL — shares × the latest NAV on or before a day, par
 * without one (the rule of shared/ledger.ts) — for reads that rank or sum holdings in one
 * statement (the sidebar card, reminders). `holding` is the holdings alias; the one parameter is the day.
 */
export const marketValueFenSql = (holding: string) =>
  `ROUND(${holding}.shares_hundredths * COALESCE((SELECT n.nav FROM product_navs n WHERE n.product_id = ${holding}.product_id AND n.nav_date <= ? ORDER BY n.nav_date DESC LIMIT 1), ${PAR_NAV}))`;
