/**
 * Holdings and their records (server/README.md#data-model). A record is never edited or deleted: corrections are
 * `adjust` records. After every write the holding's figures are recomputed as the sums of its
 * records, so "value = Σ records" holds by construction, not by bookkeeping.
 */
import { Op, QueryTypes, type Model, type Sequelize, type Transaction } from 'sequelize';
import type { PageOf } from '@shared/http';
import { fromHundredths, toHundredths } from '@shared/money';
import { addDays, businessDate } from '@shared/time';
import { HOLDING_RECORD_KINDS, type HoldingRecordInput, type HoldingRecordView, type HoldingView, type ProductHolderView } from '@shared/products';
import { forUpdateSql, insertIgnoringDuplicates, retryOnDeadlock, updateRows } from '../../db/dialect';
import { dateOnlyOrNull, iso, namesById, named } from '../../db/lookup';
import { notFound, validationFailed, whenNotFound } from '../../errors';
import { pageWindow, type PageRequest } from '../../db/paging';
import { audit, type Actor } from '../audit/service';
import { scopeWhere, type Access } from '../roles/access';
import type { Caller } from '../roles/ownership';
import { customerModels, type CustomerRow } from '../customers/models';
import { loadVisibleCustomer } from '../customers/service';
import { productModels } from '../products/models';
import { latestNavs, loadProduct } from '../products/service';
import { holdingModels, type HoldingRecordRow, type HoldingRow } from './models';

export async function listHoldings(sequelize: Sequelize, access: Access, customerId: number, includeClosed = false): Promise<HoldingView[]> {
  await loadVisibleCustomer(sequelize, access, customerId);
  const { Holding } = holdingModels(sequelize);
  const rows = await Holding.findAll({
    where: { customer_id: customerId, ...(includeClosed ? {} : { status: 'holding' }) },
    order: [
      ['status', 'DESC'],
      ['amount_fen', 'DESC'],
      ['id', 'ASC'],
    ],
  });
  return holdingViews(
    sequelize,
    rows.map((r) => r.get()),
  );
}

async function holdingViews(sequelize: Sequelize, rows: HoldingRow[], transaction?: Transaction, today = businessDate(new Date())): Promise<HoldingView[]> {
  const { Product } = productModels(sequelize);
  const ids = [...new Set(rows.map((r) => r.product_id))];
  const [products, navs] = await Promise.all([
    Product.findAll({ where: { id: { [Op.in]: ids } }, transaction }).then((ps) => new Map(ps.map((p) => [p.get().id, p.get()]))),
    latestNavs(sequelize, ids, today, transaction),
  ]);
  return rows.map((r) => {
    const p = products.get(r.product_id)!;
    const value = valuation(r, navs.get(r.product_id));
    return {
      id: r.id,
      customerId: r.customer_id,
      product: { id: p.id, code: p.code, name: p.name, category: p.category, riskLevel: p.risk_level },
      amount: fromHundredths(r.amount_fen),
      cost: fromHundredths(r.cost_fen),
      shares: fromHundredths(r.shares_hundredths),
      status: r.status,
      firstBoughtOn: dateOnlyOrNull(r.first_bought_on),
      lastChangedOn: dateOnlyOrNull(r.last_changed_on),
      maturesOn: dateOnlyOrNull(r.matures_on),
      nav: navs.get(r.product_id) ?? null,
      marketValue: fromHundredths(value),
      gain: fromHundredths(value - r.cost_fen),
    };
  });
}

/** A holding's value in fen: shares × NAV when the product has a NAV and the holding shares, else the booked amount. */
export function valuation(h: Pick<HoldingRow, 'amount_fen' | 'shares_hundredths'>, nav: { nav: number } | undefined): number {
  if (!nav || !h.shares_hundredths) return Number(h.amount_fen);
  return Math.round(Number(h.shares_hundredths) * nav.nav);
}

/** Customer → AUM (assets under management) in fen: the sum of their live holdings' values. */
export async function aumOf(sequelize: Sequelize, customerIds: readonly number[], today = businessDate(new Date())): Promise<Map<number, number>> {
  if (!customerIds.length) return new Map();
  const rows = (await holdingModels(sequelize).Holding.findAll({ where: { customer_id: { [Op.in]: [...customerIds] }, status: 'holding' } })).map((h) =>
    h.get(),
  );
  const navs = await latestNavs(sequelize, [...new Set(rows.map((h) => h.product_id))], today);
  const out = new Map<number, number>(customerIds.map((id) => [id, 0]));
  for (const h of rows) out.set(h.customer_id, (out.get(h.customer_id) ?? 0) + valuation(h, navs.get(h.product_id)));
  return out;
}

interface Deltas {
  amount: number;
  cost: number;
  shares: number;
}

/** What one record does to a holding, or a 400 when it would take the holding below zero. */
export function deltasOf(input: HoldingRecordInput, current: { amount: number; cost: number; shares: number }): Deltas {
  const amount = toHundredths(input.amount);
  const shares = input.shares === undefined ? undefined : toHundredths(input.shares);
  const refuse = (field: string, message: string) => validationFailed('请求参数不正确', [{ field, message }]);
  switch (input.kind) {
    case 'buy':
      return { amount, cost: amount, shares: shares ?? 0 };
    case 'redeem': {
      if (amount > current.amount) throw refuse('amount', `赎回金额超过当前持仓（${fromHundredths(current.amount)} 元）`);
      const full = amount === current.amount;
      // Average cost: a redemption takes out its share of the cost; a full one takes all of it.
      const cost = full ? current.cost : Math.round((current.cost * amount) / current.amount);
      const sharesOut = shares ?? (full ? current.shares : Math.round((current.shares * amount) / current.amount));
      if (sharesOut > current.shares) throw refuse('shares', `赎回份额超过当前持有份额（${fromHundredths(current.shares)} 份）`);
      return { amount: -amount, cost: -cost, shares: -sharesOut };
    }
    case 'adjust':
      if (current.amount + amount < 0) throw refuse('amount', '调整后持仓金额不能为负');
      if (current.shares + (shares ?? 0) < 0) throw refuse('shares', '调整后持有份额不能为负');
      return { amount, cost: 0, shares: shares ?? 0 };
  }
}

/** Sets a holding's figures to the sums of its records (used after every write and by merges). */
export async function recomputeHolding(sequelize: Sequelize, holdingId: number, transaction: Transaction): Promise<void> {
  const [sums] = await sequelize.query<{
    amount: string | number | null;
    cost: string | number | null;
    shares: string | number | null;
    first: string | null;
    last: string | null;
    last_buy: string | null;
  }>(
    `SELECT SUM(amount_delta_fen) AS amount, SUM(cost_delta_fen) AS cost, SUM(shares_delta_hundredths) AS shares,
            MIN(CASE WHEN kind = 'buy' THEN traded_on END) AS first, MAX(traded_on) AS last, MAX(CASE WHEN kind = 'buy' THEN traded_on END) AS last_buy
       FROM holding_records WHERE holding_id = ?`,
    { replacements: [holdingId], type: QueryTypes.SELECT, transaction },
  );
  const amount = Number(sums?.amount ?? 0);
  const shares = Number(sums?.shares ?? 0);
  const holding = (await holdingModels(sequelize).Holding.findByPk(holdingId, { transaction }))!.get();
  const term = (await productModels(sequelize).Product.findByPk(holding.product_id, { transaction }))?.get().term_days ?? null;
  const lastBuy = dateOnlyOrNull(sums?.last_buy);
  await holdingModels(sequelize).Holding.update(
    {
      amount_fen: amount,
      cost_fen: Number(sums?.cost ?? 0),
      shares_hundredths: shares,
      status: amount > 0 || shares > 0 ? 'holding' : 'closed',
      first_bought_on: dateOnlyOrNull(sums?.first),
      last_changed_on: dateOnlyOrNull(sums?.last),
      matures_on: term && lastBuy ? addDays(lastBuy, term) : null,
    },
    { where: { id: holdingId }, transaction },
  );
}

/** Records a buy, redemption or adjustment; the first buy of a product opens the holding. */
export async function addHoldingRecord(
  sequelize: Sequelize,
  caller: Caller,
  customerId: number,
  input: HoldingRecordInput,
): Promise<{ holding: HoldingView; record: HoldingRecordView }> {
  await loadVisibleCustomer(sequelize, caller.access, customerId);
  const product = await loadProduct(sequelize, input.productId).catch(
    whenNotFound(() => validationFailed('请求参数不正确', [{ field: 'productId', message: '产品不存在' }])),
  );
  if (input.kind === 'buy' && product.status === 'closed') {
    throw validationFailed('请求参数不正确', [{ field: 'productId', message: '产品已清盘，不能申购' }]);
  }
  if (input.kind === 'buy' || (input.kind === 'adjust' && input.amount > 0)) await openHolding(sequelize, customerId, input.productId);
  return retryOnDeadlock(() =>
    sequelize.transaction(async (transaction) => {
      const { holdingId, recordId } = await applyHoldingRecord(sequelize, caller.actor, caller.access.userId, customerId, product, input, transaction);
      const { Holding, HoldingRecord } = holdingModels(sequelize);
      const [view] = await holdingViews(sequelize, [(await Holding.findByPk(holdingId, { transaction }))!.get()], transaction);
      const [recordView] = await recordViews(sequelize, [(await HoldingRecord.findByPk(recordId, { transaction }))!.get()], transaction);
      return { holding: view!, record: recordView! };
    }),
  );
}

/**
 * Opens the (empty) holding a buy needs, in its own statement: inserting it inside the locking
 * transaction lets two first buys deadlock on MySQL's unique-key locks. A no-op when it exists.
 */
export async function openHolding(sequelize: Sequelize, customerId: number, productId: number): Promise<void> {
  const now = new Date();
  await insertIgnoringDuplicates(sequelize, 'holdings', {
    customer_id: customerId,
    product_id: productId,
    amount_fen: 0,
    cost_fen: 0,
    shares_hundredths: 0,
    status: 'closed',
    created_at: now,
    updated_at: now,
  });
}

/**
 * One trade on a holding the caller may write (customer checked, holding opened for a buy):
 * locks the holding — records of one holding apply one after the other — writes the record,
 * recomputes the holding, audits.
 */
export async function applyHoldingRecord(
  sequelize: Sequelize,
  actor: Actor,
  userId: number | null,
  customerId: number,
  product: { name: string },
  input: HoldingRecordInput,
  transaction: Transaction,
): Promise<{ holdingId: number; recordId: number }> {
  const { Holding, HoldingRecord } = holdingModels(sequelize);
  const [locked] = await sequelize.query<{ id: number }>(`SELECT id FROM holdings WHERE customer_id = ? AND product_id = ?${forUpdateSql(sequelize)}`, {
    replacements: [customerId, input.productId],
    type: QueryTypes.SELECT,
    transaction,
  });
  if (!locked) throw validationFailed('请求参数不正确', [{ field: 'productId', message: '该客户没有持有这个产品' }]);
  const holding = (await Holding.findByPk(locked.id, { transaction }))!.get();
  const deltas = deltasOf(input, { amount: holding.amount_fen, cost: holding.cost_fen, shares: holding.shares_hundredths });
  const record = await HoldingRecord.create(
    {
      holding_id: holding.id,
      kind: input.kind,
      amount_delta_fen: deltas.amount,
      cost_delta_fen: deltas.cost,
      shares_delta_hundredths: deltas.shares,
      traded_on: input.tradedOn,
      user_id: userId,
      notes: input.notes ?? null,
    },
    { transaction },
  );
  await recomputeHolding(sequelize, holding.id, transaction);
  await audit(
    sequelize,
    actor,
    {
      action: `holding.${input.kind}`,
      entity: 'holding',
      entityId: holding.id,
      summary: `${HOLDING_RECORD_KINDS[input.kind]} ${product.name} ${input.amount} 元`,
      diff: {
        customerId,
        productId: input.productId,
        kind: input.kind,
        amount: input.amount,
        shares: input.shares ?? null,
        tradedOn: input.tradedOn,
        recordId: record.get().id,
      },
    },
    { transaction },
  );
  return { holdingId: holding.id, recordId: record.get().id };
}

export async function listHoldingRecords(
  sequelize: Sequelize,
  access: Access,
  customerId: number,
  holdingId: number,
  page: PageRequest,
): Promise<PageOf<HoldingRecordView>> {
  await loadVisibleCustomer(sequelize, access, customerId);
  const { Holding, HoldingRecord } = holdingModels(sequelize);
  const holding = await Holding.findOne({ where: { id: holdingId, customer_id: customerId } });
  if (!holding) throw notFound('持仓不存在');
  const { rows, count } = await HoldingRecord.findAndCountAll({
    where: { holding_id: holdingId },
    order: [
      ['traded_on', 'DESC'],
      ['id', 'DESC'],
    ],
    ...pageWindow(page),
  });
  return {
    items: await recordViews(
      sequelize,
      rows.map((r) => r.get()),
    ),
    total: count,
    ...page,
  };
}

async function recordViews(sequelize: Sequelize, rows: HoldingRecordRow[], transaction?: Transaction): Promise<HoldingRecordView[]> {
  const users = await namesById(
    sequelize,
    'users',
    rows.map((r) => r.user_id),
    transaction,
  );
  return rows.map((r) => ({
    id: r.id,
    holdingId: r.holding_id,
    kind: r.kind,
    amountDelta: fromHundredths(r.amount_delta_fen),
    costDelta: fromHundredths(r.cost_delta_fen),
    sharesDelta: fromHundredths(r.shares_delta_hundredths),
    tradedOn: dateOnlyOrNull(r.traded_on)!,
    user: r.user_id === null ? null : named(users, r.user_id),
    notes: r.notes,
    createdAt: iso(r.created_at),
  }));
}

/** Customers in the caller's scope currently holding a product, largest first. */
export async function holdersOfProduct(sequelize: Sequelize, access: Access, productId: number, page: PageRequest): Promise<PageOf<ProductHolderView>> {
  await loadProduct(sequelize, productId);
  const { Holding } = holdingModels(sequelize);
  const { Customer } = customerModels(sequelize);
  const { rows, count } = await Holding.findAndCountAll({
    where: { product_id: productId, status: 'holding' },
    include: [{ model: Customer, as: 'customer', required: true, where: { [Op.and]: [{ deleted_at: null }, scopeWhere(access)] } }],
    order: [
      ['amount_fen', 'DESC'],
      ['id', 'ASC'],
    ],
    ...pageWindow(page),
  });
  const holdings = rows.map((r) => ({ holding: r.get(), customer: (r.get('customer') as Model<CustomerRow>).get() }));
  const owners = await namesById(
    sequelize,
    'users',
    holdings.map((h) => h.customer.owner_user_id),
  );
  return {
    items: holdings.map(({ holding, customer }) => ({
      customer: { id: customer.id, name: customer.name, owner: named(owners, customer.owner_user_id) },
      holdingId: holding.id,
      amount: fromHundredths(holding.amount_fen),
      shares: fromHundredths(holding.shares_hundredths),
      lastChangedOn: dateOnlyOrNull(holding.last_changed_on),
    })),
    total: count,
    ...page,
  };
}

/** Holdings of products only the source holds move; records of a shared product join the target's holding. */
export async function moveHoldings(
  sequelize: Sequelize,
  sourceId: number,
  targetId: number,
  transaction: Transaction,
): Promise<{ holdings: number; records: number }> {
  const { Holding } = holdingModels(sequelize);
  const sourceHoldings = (await Holding.findAll({ where: { customer_id: sourceId }, transaction })).map((h) => h.get());
  const targetHoldings = new Map(
    (await Holding.findAll({ where: { customer_id: targetId, product_id: { [Op.in]: sourceHoldings.map((h) => h.product_id) } }, transaction })).map((h) => [
      h.get().product_id,
      h.get().id,
    ]),
  );
  let records = 0;
  for (const holding of sourceHoldings) {
    const [{ n }] = (await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM holding_records WHERE holding_id = ?', {
      replacements: [holding.id],
      type: QueryTypes.SELECT,
      transaction,
    })) as [{ n: number }];
    records += Number(n);
    const into = targetHoldings.get(holding.product_id);
    if (into === undefined) {
      await Holding.update({ customer_id: targetId }, { where: { id: holding.id }, transaction });
      continue;
    }
    await updateRows(sequelize, 'UPDATE holding_records SET holding_id = ? WHERE holding_id = ?', [into, holding.id], transaction);
    await Holding.destroy({ where: { id: holding.id }, transaction });
    await recomputeHolding(sequelize, into, transaction);
  }
  return { holdings: sourceHoldings.length, records };
}
