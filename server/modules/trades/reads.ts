/**
 * Reading the ledger: trades as the API shows them, holdings valued at the latest NAV (市值,
 * 成本, 浮动盈亏, 已实现收益), a customer's AUM, a product's holders. Market value is one rule
 * everywhere: shares × the latest NAV on or before the day, par without one (shared/ledger.ts).
 */
import { Op, QueryTypes, type Model, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { PageOf } from '@shared/http';
import { PAR_NAV, valueAt, type HoldingView, type ProductHolderView, type TradeChannel, type TradeKind, type TradeView } from '@shared/ledger';
import { fromHundredths } from '@shared/money';
import type { NavView } from '@shared/products';
import { businessDate } from '@shared/time';
import { dateOnlyOrNull, iso, namesById, named } from '../../db/lookup';
import { pageWindow, type PageRequest } from '../../db/paging';
import { notFound } from '../../errors';
import { customerModels, type CustomerRow } from '../customers/models';
import { loadVisibleCustomer } from '../customers/service';
import { productModels } from '../products/models';
import { latestNavs, loadProduct } from '../products/service';
import { scopeWhere, type Access } from '../roles/access';
import { TRADE_SCOPE, tradeModels, type HoldingRow, type TradeRow } from './models';

/** A holding's market value in fen: shares × NAV (par without one). */
export const marketValueOf = (h: Pick<HoldingRow, 'shares_hundredths'>, nav: NavView | undefined): number =>
  valueAt(Number(h.shares_hundredths), nav?.nav ?? PAR_NAV);

export async function tradeViews(sequelize: Sequelize, rows: TradeRow[], transaction?: Transaction): Promise<TradeView[]> {
  const ids = (pick: (r: TradeRow) => number | null) => rows.map(pick).filter((id): id is number => id !== null);
  const [products, customers, users, partners] = await Promise.all([
    productModels(sequelize)
      .Product.findAll({ where: { id: { [Op.in]: [...new Set(rows.map((r) => r.product_id))] } }, transaction })
      .then((ps) => new Map(ps.map((p) => [p.get().id, p.get()]))),
    namesById(
      sequelize,
      'customers',
      ids((r) => r.customer_id),
      transaction,
    ),
    namesById(sequelize, 'users', [...ids((r) => r.rep_user_id), ...ids((r) => r.created_by)], transaction),
    namesById(
      sequelize,
      'consignment_partners',
      ids((r) => r.partner_id),
      transaction,
    ),
  ]);
  return rows.map((r) => {
    const p = products.get(r.product_id);
    return {
      id: r.id,
      kind: r.kind,
      customer: named(customers, r.customer_id),
      product: { id: r.product_id, code: p?.code ?? '', name: p?.name ?? '', riskLevel: p?.risk_level ?? '' },
      channel: r.channel,
      partner: r.partner_id === null ? null : named(partners, r.partner_id),
      rep: r.rep_user_id === null ? null : named(users, r.rep_user_id),
      departmentId: r.department_id,
      amount: fromHundredths(r.amount_fen),
      shares: fromHundredths(r.shares_hundredths),
      nav: r.nav === null ? null : Number(r.nav),
      costDelta: fromHundredths(r.cost_delta_fen),
      realisedGain: fromHundredths(r.realised_gain_fen),
      tradedOn: dateOnlyOrNull(r.traded_on)!,
      confirmedOn: dateOnlyOrNull(r.confirmed_on),
      suitabilityOverride: r.suitability_override,
      notes: r.notes,
      createdBy: r.created_by === null ? null : named(users, r.created_by),
      voided: r.voided_at !== null,
      coolingOffEndsAt: r.cooling_off_ends_at ? iso(r.cooling_off_ends_at) : null,
      callbackStatus: r.callback_status ?? null,
      createdAt: iso(r.created_at),
    };
  });
}

export interface TradeListQuery extends PageRequest {
  customerId?: number;
  productId?: number;
  kind?: TradeKind;
  repUserId?: number;
  departmentId?: number;
  partnerId?: number;
  channel?: TradeChannel;
  from?: string;
  to?: string;
}

/** Live trades in the caller's scope (by the rep credited), newest first, and the sum of their amounts. */
export async function listTrades(sequelize: Sequelize, access: Access, query: TradeListQuery): Promise<PageOf<TradeView> & { totalAmount: number }> {
  const and: WhereOptions<TradeRow>[] = [{ voided_at: null }, scopeWhere(access, TRADE_SCOPE)];
  const equal = {
    customer_id: query.customerId,
    product_id: query.productId,
    kind: query.kind,
    rep_user_id: query.repUserId,
    department_id: query.departmentId,
    partner_id: query.partnerId,
    channel: query.channel,
  };
  for (const [column, value] of Object.entries(equal)) if (value !== undefined) and.push({ [column]: value });
  if (query.from) and.push({ traded_on: { [Op.gte]: query.from } });
  if (query.to) and.push({ traded_on: { [Op.lte]: query.to } });
  const { Trade } = tradeModels(sequelize);
  const where = { [Op.and]: and };
  const [{ rows, count }, total] = await Promise.all([
    Trade.findAndCountAll({
      where,
      order: [
        ['traded_on', 'DESC'],
        ['id', 'DESC'],
      ],
      ...pageWindow(query),
    }),
    Trade.sum('amount_fen', { where }),
  ]);
  return {
    items: await tradeViews(
      sequelize,
      rows.map((r) => r.get()),
    ),
    total: count,
    page: query.page,
    pageSize: query.pageSize,
    totalAmount: fromHundredths(total ?? 0),
  };
}

/** A live trade credited inside the caller's scope; any other id is not found. */
export async function loadVisibleTrade(sequelize: Sequelize, access: Access, id: number, kind?: TradeKind): Promise<TradeRow> {
  const row = (
    await tradeModels(sequelize).Trade.findOne({ where: { [Op.and]: [{ id, voided_at: null, ...(kind ? { kind } : {}) }, scopeWhere(access, TRADE_SCOPE)] } })
  )?.get();
  if (!row) throw notFound(kind === 'buy' ? '销售记录不存在或不在你的数据范围内' : '交易记录不存在或不在你的数据范围内');
  return row;
}

export async function holdingViews(
  sequelize: Sequelize,
  rows: HoldingRow[],
  transaction?: Transaction,
  today = businessDate(new Date()),
): Promise<HoldingView[]> {
  const ids = [...new Set(rows.map((r) => r.product_id))];
  const [products, navs] = await Promise.all([
    productModels(sequelize)
      .Product.findAll({ where: { id: { [Op.in]: ids } }, transaction })
      .then((ps) => new Map(ps.map((p) => [p.get().id, p.get()]))),
    latestNavs(sequelize, ids, today, transaction),
  ]);
  return rows.map((r) => {
    const p = products.get(r.product_id)!;
    const nav = navs.get(r.product_id);
    const marketValue = marketValueOf(r, nav);
    return {
      id: r.id,
      customerId: r.customer_id,
      product: { id: p.id, code: p.code, name: p.name, category: p.category, riskLevel: p.risk_level },
      shares: fromHundredths(r.shares_hundredths),
      cost: fromHundredths(r.cost_fen),
      nav: nav ?? null,
      marketValue: fromHundredths(marketValue),
      gain: fromHundredths(marketValue - Number(r.cost_fen)),
      realisedGain: fromHundredths(r.realised_gain_fen),
      status: r.status,
      firstBoughtOn: dateOnlyOrNull(r.first_bought_on),
      lastChangedOn: dateOnlyOrNull(r.last_changed_on),
      maturesOn: dateOnlyOrNull(r.matures_on),
    };
  });
}

/** A customer's holdings, largest market value first (closed ones last, when asked for). */
export async function listHoldings(sequelize: Sequelize, access: Access, customerId: number, includeClosed = false): Promise<HoldingView[]> {
  await loadVisibleCustomer(sequelize, access, customerId);
  const rows = await tradeModels(sequelize).Holding.findAll({
    where: { customer_id: customerId, ...(includeClosed ? {} : { status: 'holding' }) },
  });
  const views = await holdingViews(
    sequelize,
    rows.map((r) => r.get()),
  );
  return views.sort((a, b) => (a.status === b.status ? b.marketValue - a.marketValue || a.id - b.id : a.status === 'holding' ? -1 : 1));
}

/** The trades of one holding, newest first. */
export async function listHoldingTrades(
  sequelize: Sequelize,
  access: Access,
  customerId: number,
  holdingId: number,
  page: PageRequest,
): Promise<PageOf<TradeView>> {
  await loadVisibleCustomer(sequelize, access, customerId);
  const { Holding, Trade } = tradeModels(sequelize);
  const holding = (await Holding.findOne({ where: { id: holdingId, customer_id: customerId } }))?.get();
  if (!holding) throw notFound('持仓不存在');
  const { rows, count } = await Trade.findAndCountAll({
    where: { customer_id: customerId, product_id: holding.product_id, voided_at: null },
    order: [
      ['traded_on', 'DESC'],
      ['id', 'DESC'],
    ],
    ...pageWindow(page),
  });
  return {
    items: await tradeViews(
      sequelize,
      rows.map((r) => r.get()),
    ),
    total: count,
    ...page,
  };
}

/** Customer → AUM (assets under management) in fen: the market value of their live holdings. */
export async function aumOf(sequelize: Sequelize, customerIds: readonly number[], today = businessDate(new Date())): Promise<Map<number, number>> {
  if (!customerIds.length) return new Map();
  const rows = (await tradeModels(sequelize).Holding.findAll({ where: { customer_id: { [Op.in]: [...customerIds] }, status: 'holding' } })).map((h) => h.get());
  const navs = await latestNavs(sequelize, [...new Set(rows.map((h) => h.product_id))], today);
  const out = new Map<number, number>(customerIds.map((id) => [id, 0]));
  for (const h of rows) out.set(h.customer_id, (out.get(h.customer_id) ?? 0) + marketValueOf(h, navs.get(h.product_id)));
  return out;
}

/** Customers in the caller's scope holding a product, by market value, largest first. */
export async function holdersOfProduct(sequelize: Sequelize, access: Access, productId: number, page: PageRequest): Promise<PageOf<ProductHolderView>> {
  await loadProduct(sequelize, productId);
  const { Holding } = tradeModels(sequelize);
  const { Customer } = customerModels(sequelize);
  // One product, one NAV: ordering by shares is ordering by market value.
  const { rows, count } = await Holding.findAndCountAll({
    where: { product_id: productId, status: 'holding' },
    include: [{ model: Customer, as: 'customer', required: true, where: { [Op.and]: [{ deleted_at: null }, scopeWhere(access)] } }],
    order: [
      ['shares_hundredths', 'DESC'],
      ['id', 'ASC'],
    ],
    ...pageWindow(page),
  });
  const holdings = rows.map((r) => ({ holding: r.get(), customer: (r.get('customer') as Model<CustomerRow>).get() }));
  const [owners, navs] = await Promise.all([
    namesById(
      sequelize,
      'users',
      holdings.map((h) => h.customer.owner_user_id),
    ),
    latestNavs(sequelize, [productId], businessDate(new Date())),
  ]);
  return {
    items: holdings.map(({ holding, customer }) => ({
      customer: { id: customer.id, name: customer.name, owner: named(owners, customer.owner_user_id) },
      holdingId: holding.id,
      shares: fromHundredths(holding.shares_hundredths),
      marketValue: fromHundredths(marketValueOf(holding, navs.get(productId))),
      lastChangedOn: dateOnlyOrNull(holding.last_changed_on),
    })),
    total: count,
    ...page,
  };
}

export interface LedgerMigrationLine {
  outcome: string;
  saleId: number | null;
  holdingRecordId: number | null;
  tradeId: number | null;
  customer: { id: number; name: string };
  product: { id: number; name: string };
  amount: number;
  tradedOn: string;
  message: string;
}

/**
 * What migration 0027 did with each legacy sale and holding record that did not simply pair up
 * (paired rows and plain redemptions are left out): the lines a person should check by hand.
 */
export async function ledgerMigrationReport(sequelize: Sequelize, page: PageRequest): Promise<PageOf<LedgerMigrationLine>> {
  const where = "outcome NOT IN ('paired', 'redeem', 'adjust')";
  const [rows, [count]] = await Promise.all([
    sequelize.query<{
      outcome: string;
      sale_id: number | null;
      holding_record_id: number | null;
      trade_id: number | null;
      customer_id: number;
      product_id: number;
      amount_fen: number | string;
      traded_on: string | Date;
      message: string;
    }>(`SELECT * FROM ledger_migration_report WHERE ${where} ORDER BY id LIMIT ? OFFSET ?`, {
      replacements: [pageWindow(page).limit, pageWindow(page).offset],
      type: QueryTypes.SELECT,
    }),
    sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ledger_migration_report WHERE ${where}`, { type: QueryTypes.SELECT }),
  ]);
  const [customers, products] = await Promise.all([
    namesById(
      sequelize,
      'customers',
      rows.map((r) => Number(r.customer_id)),
    ),
    namesById(
      sequelize,
      'products',
      rows.map((r) => Number(r.product_id)),
    ),
  ]);
  return {
    items: rows.map((r) => ({
      outcome: r.outcome,
      saleId: r.sale_id === null ? null : Number(r.sale_id),
      holdingRecordId: r.holding_record_id === null ? null : Number(r.holding_record_id),
      tradeId: r.trade_id === null ? null : Number(r.trade_id),
      customer: named(customers, Number(r.customer_id)),
      product: named(products, Number(r.product_id)),
      amount: fromHundredths(r.amount_fen),
      tradedOn: dateOnlyOrNull(r.traded_on)!,
      message: r.message,
    })),
    total: Number(count?.n ?? 0),
    ...page,
  };
}
