/**
 * Writing the trade ledger (server/README.md#the-trade-ledger). Every trade — from the sale form,
 * the holding sheet, the sidebar, an import, a won 商机 — comes through `writeTrade`, which runs in
 * the caller's transaction and:
 * 1. locks the customer's row, so a concurrent downgrade of the risk level either commits before
 *    the check reads it or waits until the trade is written (never in between);
 * 2. checks the references (customer in scope, product on file and on sale for a buy, partner in
 *    scope, the rep credited in scope);
 * 3. checks suitability for a buy against the locked row (shared/suitability.ts), taking an
 *    override only from a caller holding `sales.override_suitability` or with an approval that
 *    granted it (a rep's 适当性例外, server/modules/approvals), and audits it;
 * 4. writes the trade, replays the position (shared/ledger.ts applyTrade, in trade-date order) into
 *    the trades' cost and realised gain and the holding's projection, and counts a buy into
 *    销售额's monthly rollup.
 */
import { Op, type Sequelize, type Transaction } from 'sequelize';
import {
  EMPTY_POSITION,
  PAR_NAV,
  PARTNER_RULE,
  PositionProblem,
  TRADE_KINDS,
  applyTrade,
  partnerMatchesChannel,
  sharesAt,
  valueAt,
  type Position,
  type TradeInput,
  type TradeKind,
} from '@shared/ledger';
import { fromHundredths, toHundredths } from '@shared/money';
import { PERMISSIONS } from '@shared/permissions';
import { COOLING_OFF_HOURS } from '@shared/cooling-off';
import { qualificationRefusal, type QualifiedProductTerms } from '@shared/qualification';
import { checkSuitability, type RiskProfile, type Suitability } from '@shared/suitability';
import { addDays, businessDate } from '@shared/time';
import { retryOnDeadlock } from '../../db/dialect';
import { dateOnlyOrNull } from '../../db/lookup';
import { DomainError, forbidden, invalidField, missingPermission, notFound, whenNotFound } from '../../errors';
import { audit, type Actor } from '../audit/service';
import { customerModels, type CustomerRow } from '../customers/models';
import { qualificationOf, riskProfileOf } from '../customers/service';
import { loadVisiblePartner } from '../partners/service';
import { productModels, type ProductRow } from '../products/models';
import { latestNavs } from '../products/service';
import { scopeWhere } from '../roles/access';
import { resolveOwnership, type Caller } from '../roles/ownership';
import { tradeModels, type TradeRow } from './models';
import { countSale } from './rollup';

/** Runs ledger work in its own transaction; MySQL may pick a deadlock victim among writers of the rollup. */
export function inLedgerTransaction<T>(sequelize: Sequelize, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  return retryOnDeadlock(() => sequelize.transaction(work));
}

/**
 * The customer's row, locked until the transaction ends (on SQLite every write transaction is
 * already alone: IMMEDIATE on one connection). Outside the caller's scope it does not exist.
 */
async function lockVisibleCustomer(sequelize: Sequelize, caller: Caller, customerId: number, transaction: Transaction): Promise<CustomerRow> {
  const row = (
    await customerModels(sequelize).Customer.findOne({
      where: { [Op.and]: [{ id: customerId, deleted_at: null }, scopeWhere(caller.access)] },
      lock: transaction.LOCK.UPDATE,
      transaction,
    })
  )?.get();
  if (!row) throw notFound('客户不存在或不在你的数据范围内');
  return row;
}

/** The NAV on or before a day (a product without one is at par). */
export async function navOn(sequelize: Sequelize, productId: number, day: string, transaction?: Transaction): Promise<number> {
  return (await latestNavs(sequelize, [productId], day, transaction)).get(productId)?.nav ?? PAR_NAV;
}

/**
 * Whether a buy suits the customer's risk profile today: the one rule of every door (writeTrade
 * applies it to the locked row; an import's dry run to the row it read, so its errors are the write's).
 */
export const buySuitability = (profile: RiskProfile, productLevel: string): Suitability => checkSuitability(profile, productLevel, businessDate(new Date()));

/** Why a product takes no trade of `kind` (closed: no buy or reinvestment; suspended: no buy), or null. */
export function productRefusal(kind: TradeKind, status: string): string | null {
  if ((kind === 'buy' || kind === 'dividend_reinvest') && status === 'closed') return '产品已清盘，不能申购';
  if (kind === 'buy' && status === 'suspended') return '产品暂停销售，不能申购';
  return null;
}

/**
 * A buy must suit the customer as the locked row says now. A mismatch is a 409
 * `suitability_mismatch` naming both levels, unless overridden: that needs a mismatch that may be
 * overridden at all (never C1, never without a valid assessment), and is audited as a suitability
 * action. Only a caller holding `sales.override_suitability` may send an override at all (403
 * otherwise, whatever the verdict) — unless an approval granted it (`approved`: the approvers held
 * it). Returns the override to record: one that overrode a mismatch (on a suitable buy it
 * overrides nothing and is not kept).
 */
export function assertSuitable(
  caller: Caller,
  customer: CustomerRow,
  product: ProductRow,
  override: { reason: string } | undefined,
  approved = false,
): { reason: string } | undefined {
  if (override && !approved && !caller.access.permissions.has('sales.override_suitability'))
    throw forbidden(`没有「${PERMISSIONS['sales.override_suitability']}」权限，不能提出适当性例外`, 'suitability_override_forbidden');
  const verdict = buySuitability(riskProfileOf(customer), product.risk_level);
  if (verdict.ok) return undefined;
  const details = { problem: verdict.problem, customerLevel: verdict.customerLevel, productLevel: verdict.productLevel, overridable: verdict.overridable };
  if (!override) throw new DomainError('conflict', 'suitability_mismatch', verdict.message, details);
  if (!verdict.overridable) throw new DomainError('conflict', 'suitability_mismatch', `${verdict.message}（不能例外处理）`, details);
  return override;
}

/**
 * 合格投资者 (shared/qualification.ts): a buy of a product sold only to qualified investors needs
 * the customer's valid qualification, and any buy of a product with a 最低认购金额 at least that
 * much — 私募投资基金监督管理暂行办法第十二条, 资管新规第六条. Checked against the locked customer row
 * beside suitability, with no override: 409 `qualification_required` / `below_minimum_subscription`.
 */
export function assertQualified(customer: CustomerRow, product: ProductRow, amountFen: number): void {
  const refusal = qualificationRefusal(qualificationOf(customer), productTermsOf(product), fromHundredths(amountFen), businessDate(new Date()));
  if (!refusal) return;
  throw new DomainError('conflict', refusal.problem === 'not_qualified' ? 'qualification_required' : 'below_minimum_subscription', refusal.message, {
    problem: refusal.problem,
  });
}

/** A product row's 合格投资者 terms (the import's dry run reads them too). */
export const productTermsOf = (product: ProductRow): QualifiedProductTerms => ({
  qualifiedOnly: Boolean(product.qualified_only),
  minSubscription:
    product.min_subscription_fen === null || product.min_subscription_fen === undefined ? null : fromHundredths(Number(product.min_subscription_fen)),
});

/**
 * The audit log's record kind of a trade: a buy is a sale (its id is the sale's, and the sale's
 * edits, deletion and override are logged under it, like the sales before the ledger); the rest are trades.
 */
const auditEntityOf = (kind: TradeRow['kind']) => (kind === 'buy' ? 'sale' : 'trade');

async function auditOverride(
  sequelize: Sequelize,
  actor: Actor,
  trade: TradeRow,
  customer: CustomerRow,
  product: ProductRow,
  approvalId: number | undefined,
  transaction: Transaction,
) {
  await audit(
    sequelize,
    actor,
    {
      action: 'suitability.override',
      entity: 'sale',
      entityId: trade.id,
      summary: `适当性例外：${customer.name}（${customer.risk_level ?? '未测评'}）购买 ${product.name}（${product.risk_level}）${approvalId ? `，经审批 #${approvalId}` : ''}`,
      diff: {
        customerId: customer.id,
        customerLevel: customer.risk_level,
        productId: product.id,
        productLevel: product.risk_level,
        repUserId: trade.rep_user_id,
        reason: trade.suitability_override,
        ...(approvalId ? { approvalId } : {}),
      },
    },
    { transaction },
  );
}

/**
 * Who a trade is credited to: the rep given, else the customer's owner; the department given,
 * else the customer's when the rep owns the customer, else the rep's main one. It must lie in the
 * caller's scope (roles/ownership.ts), so a manager may record for a rep of their team.
 */
async function creditOf(sequelize: Sequelize, caller: Caller, customer: CustomerRow, input: TradeInput, transaction: Transaction) {
  const repUserId = input.repUserId ?? customer.owner_user_id;
  const departmentId = input.departmentId ?? (repUserId === customer.owner_user_id ? customer.department_id : undefined);
  // In the transaction: outside it, a read waits for a second pooled connection while this one holds
  // the customer's lock, and a burst of buys for one customer — each holding a connection while it
  // waits for that lock — leaves none (MySQL: every buy stalled until the pool's acquire timeout).
  const credit = await resolveOwnership(
    sequelize,
    caller,
    { ownerUserId: repUserId, departmentId },
    { owner: 'repUserId', department: 'departmentId' },
    transaction,
  );
  return { repUserId: credit.ownerUserId, departmentId: credit.departmentId };
}

async function loadTradeProduct(sequelize: Sequelize, input: TradeInput, transaction: Transaction): Promise<ProductRow> {
  const product = (await productModels(sequelize).Product.findByPk(input.productId, { transaction }))?.get();
  if (!product) throw invalidField('productId', '产品不存在');
  const refusal = productRefusal(input.kind, product.status);
  if (refusal) throw invalidField('productId', refusal);
  return product;
}

/** The trade's money, shares and price as stored: the slip's figures when given, else converted at the day's NAV. */
async function figuresOf(sequelize: Sequelize, input: TradeInput, transaction: Transaction) {
  const dayNav = () => navOn(sequelize, input.productId, input.tradedOn, transaction);
  switch (input.kind) {
    case 'buy':
    case 'dividend_reinvest': {
      const amount = toHundredths(input.amount);
      if (input.shares !== undefined) return { amount, shares: toHundredths(input.shares), nav: input.nav ?? round4(amount / toHundredths(input.shares)) };
      const nav = input.nav ?? (await dayNav());
      return { amount, shares: sharesAt(amount, nav), nav };
    }
    case 'redeem': {
      const nav = input.nav ?? (await dayNav());
      const shares = input.shares !== undefined ? toHundredths(input.shares) : sharesAt(toHundredths(input.amount!), nav);
      const amount = input.amount !== undefined ? toHundredths(input.amount) : valueAt(shares, nav);
      return { amount, shares: -shares, nav };
    }
    case 'dividend_cash':
    case 'maturity':
      return { amount: toHundredths(input.amount), shares: 0, nav: null };
    case 'adjust':
      return { amount: 0, shares: toHundredths(input.shares ?? 0), nav: null, cost: toHundredths(input.cost ?? 0) };
  }
}
const round4 = (n: number) => Math.round(n * 1e4) / 1e4;

export interface WrittenTrade {
  trade: TradeRow;
  customer: CustomerRow;
  product: ProductRow;
}

/** What a trade was checked against before it is written (steps 1–2 of the module comment). */
export interface CheckedTrade {
  customer: CustomerRow;
  product: ProductRow;
  credit: { repUserId: number; departmentId: number };
}

/**
 * The checks `writeTrade` runs before it writes, in the caller's transaction: the customer (row
 * locked), the product, the partner and the credit in the caller's scope. Suitability is the
 * caller's to judge (`assertSuitable`, or `checkSuitability` for a verdict without a refusal): an
 * approval asks for a draft's checks here before it queues, and writeTrade runs them again when
 * the draft is approved.
 */
export async function checkTrade(sequelize: Sequelize, caller: Caller, input: TradeInput, transaction: Transaction): Promise<CheckedTrade> {
  // A buy is a sale whichever door it comes through (the holding sheet's route asks only for customer.write).
  if (input.kind === 'buy' && !caller.access.permissions.has('sales.write')) throw missingPermission('sales.write');
  const customer = await lockVisibleCustomer(sequelize, caller, input.customerId, transaction);
  const product = await loadTradeProduct(sequelize, input, transaction);
  if (input.partnerId !== null && input.partnerId !== undefined) await assertVisiblePartner(sequelize, caller, input.partnerId, transaction);
  const credit = await creditOf(sequelize, caller, customer, input, transaction);
  return { customer, product, credit };
}

/** The partner a consignment trade names, in the caller's scope; any other is a bad `partnerId` (one not found and one out of scope alike). */
async function assertVisiblePartner(sequelize: Sequelize, caller: Caller, partnerId: number, transaction: Transaction): Promise<void> {
  await loadVisiblePartner(sequelize, caller.access, partnerId, transaction).catch(
    whenNotFound(() => invalidField('partnerId', '代销机构不存在或不在你的数据范围内')),
  );
}

/** A buy past a suitability mismatch that an approval granted (server/modules/approvals): no override permission needed of the caller. */
export interface ApprovedException {
  approvalId: number;
}

/**
 * Writes one trade inside `transaction` (see the module comment). Throws a DomainError the edge
 * explains (a customer outside the caller's scope is not found: a door whose body names the
 * customer answers that as a bad `customerId`, see `customerFromBody`); the caller's transaction
 * then rolls back whatever else it held.
 */
export async function writeTrade(
  sequelize: Sequelize,
  caller: Caller,
  input: TradeInput,
  transaction: Transaction,
  approved?: ApprovedException,
): Promise<WrittenTrade> {
  const { customer, product, credit } = await checkTrade(sequelize, caller, input, transaction);
  const override = input.kind === 'buy' ? assertSuitable(caller, customer, product, input.suitabilityOverride, approved !== undefined) : undefined;
  const figures = await figuresOf(sequelize, input, transaction);
  if (input.kind === 'buy') assertQualified(customer, product, figures.amount);
  const created = (
    await tradeModels(sequelize).Trade.create(
      {
        customer_id: customer.id,
        product_id: product.id,
        kind: input.kind,
        channel: input.channel,
        partner_id: input.channel === 'consignment' ? input.partnerId! : null,
        rep_user_id: credit.repUserId,
        department_id: credit.departmentId,
        amount_fen: figures.amount,
        shares_hundredths: figures.shares,
        nav: figures.nav,
        cost_delta_fen: figures.cost ?? 0,
        realised_gain_fen: 0,
        traded_on: input.tradedOn,
        confirmed_on: input.confirmedOn ?? null,
        suitability_override: override?.reason ?? null,
        notes: input.notes ?? null,
        created_by: caller.access.userId,
        ...(input.kind === 'buy' ? coolingOffOf(product, new Date()) : {}),
      },
      { transaction },
    )
  ).get();
  const trade = (await replayPosition(sequelize, customer.id, product.id, transaction)).get(created.id) ?? created;
  if (trade.kind === 'buy') await countSale(sequelize, trade, 1, transaction);
  await audit(
    sequelize,
    caller.actor,
    {
      action: `trade.${trade.kind}`,
      entity: auditEntityOf(trade.kind),
      entityId: trade.id,
      summary: `${TRADE_KINDS[trade.kind]}：${customer.name} ${product.name}${trade.amount_fen ? ` ${fromHundredths(trade.amount_fen)} 元` : ''}`,
      diff: {
        customerId: customer.id,
        productId: product.id,
        kind: trade.kind,
        amount: fromHundredths(trade.amount_fen),
        shares: fromHundredths(trade.shares_hundredths),
        tradedOn: input.tradedOn,
      },
    },
    { transaction },
  );
  if (override) await auditOverride(sequelize, caller.actor, trade, customer, product, approved?.approvalId, transaction);
  return { trade, customer, product };
}

/**
 * 冷静期 and 回访 (server/README.md#cooling-off-冷静期-and-回访, trades/cooling-off.ts): a buy of a
 * private product (仅限合格投资者) enters a 冷静期 of COOLING_OFF_HOURS from its payment — taken as
 * the moment it is recorded — and waits for its 回访; so does a buy of a product that needs 双录.
 */
export function coolingOffOf(product: ProductRow, paidAt: Date): { cooling_off_ends_at: Date | null; callback_status: 'pending' | null } {
  const privateProduct = Boolean(product.qualified_only);
  if (!privateProduct && !product.recording_required) return { cooling_off_ends_at: null, callback_status: null };
  return { cooling_off_ends_at: privateProduct ? new Date(paidAt.getTime() + COOLING_OFF_HOURS * 3_600_000) : null, callback_status: 'pending' };
}

/**
 * A buy the customer called off — in its 冷静期, or at its 回访 — voided through the ledger like any
 * void (the position replayed, 销售额's rollup moved), whoever records it (the route checks who
 * may); audited with the reason.
 */
export async function cancelBuy(sequelize: Sequelize, caller: Caller, current: TradeRow, summary: string, transaction: Transaction): Promise<TradeRow> {
  // The customer first, then the trade: the order every ledger write locks in.
  await lockVisibleCustomer(sequelize, caller, current.customer_id, transaction);
  const locked = await lockLiveTrade(sequelize, current.id, transaction);
  await tradeModels(sequelize).Trade.update({ voided_at: new Date() }, { where: { id: locked.id }, transaction });
  await replayPosition(sequelize, locked.customer_id, locked.product_id, transaction);
  await countSale(sequelize, locked, -1, transaction);
  await audit(sequelize, caller.actor, { action: 'trade.cancel', entity: 'sale', entityId: locked.id, summary }, { transaction });
  return locked;
}

/** What a caller may change on a recorded buy (`PATCH /api/sales/:id`); never its suitability override. */
export interface BuyAmendment {
  productId?: number;
  amount?: number;
  tradedOn?: string;
  channel?: 'direct' | 'consignment';
  partnerId?: number | null;
  notes?: string | null;
}

/**
 * Amends a live buy: the product (checked for suitability again, without an override — a new
 * exception is a new trade), amount, date, channel and partner. The shares follow the amount at the
 * new day's NAV. Both positions touched are replayed and the rollup moves.
 */
export async function amendBuy(sequelize: Sequelize, caller: Caller, current: TradeRow, change: BuyAmendment, transaction: Transaction): Promise<TradeRow> {
  const customer = await lockVisibleCustomer(sequelize, caller, current.customer_id, transaction);
  const locked = await lockLiveTrade(sequelize, current.id, transaction);
  const productId = change.productId ?? locked.product_id;
  const product = (await productModels(sequelize).Product.findByPk(productId, { transaction }))?.get();
  if (!product) throw invalidField('productId', '产品不存在');
  if (productId !== locked.product_id) {
    // Moved onto another product: a buy of that product, under the rules of a new one.
    const refusal = productRefusal('buy', product.status);
    if (refusal) throw invalidField('productId', refusal);
    assertSuitable(caller, customer, product, undefined);
  }
  const channel = change.channel ?? locked.channel;
  const partnerId = change.channel === 'direct' ? null : change.partnerId !== undefined ? change.partnerId : locked.partner_id;
  if (!partnerMatchesChannel({ channel, partnerId })) throw invalidField('partnerId', PARTNER_RULE.message);
  if (partnerId !== null && partnerId !== locked.partner_id) await assertVisiblePartner(sequelize, caller, partnerId, transaction);
  const tradedOn = change.tradedOn ?? dateOnlyOrNull(locked.traded_on)!;
  const amount = change.amount !== undefined ? toHundredths(change.amount) : Number(locked.amount_fen);
  if (productId !== locked.product_id || amount !== Number(locked.amount_fen)) assertQualified(customer, product, amount);
  const moved = productId !== locked.product_id || amount !== Number(locked.amount_fen) || tradedOn !== dateOnlyOrNull(locked.traded_on);
  const nav = moved ? await navOn(sequelize, productId, tradedOn, transaction) : null;
  const changes: Partial<TradeRow> = {
    product_id: productId,
    amount_fen: amount,
    traded_on: tradedOn,
    channel,
    partner_id: partnerId,
    ...(change.notes !== undefined ? { notes: change.notes } : {}),
    ...(nav !== null ? { nav, shares_hundredths: sharesAt(amount, nav) } : {}),
  };
  await tradeModels(sequelize).Trade.update(changes, { where: { id: locked.id }, transaction });
  await replayPosition(sequelize, locked.customer_id, locked.product_id, transaction);
  if (productId !== locked.product_id) await replayPosition(sequelize, locked.customer_id, productId, transaction);
  await countSale(sequelize, locked, -1, transaction);
  const after = { ...locked, ...changes };
  await countSale(sequelize, after, 1, transaction);
  const before = {
    productId: locked.product_id,
    amount: fromHundredths(locked.amount_fen),
    soldOn: dateOnlyOrNull(locked.traded_on),
    channel: locked.channel,
    partnerId: locked.partner_id,
  };
  await audit(
    sequelize,
    caller.actor,
    { action: 'sale.update', entity: 'sale', entityId: locked.id, summary: `修改销售记录 #${locked.id}`, diff: { before, after: change } },
    { transaction },
  );
  return (await tradeModels(sequelize).Trade.findByPk(locked.id, { transaction }))!.get();
}

/**
 * Voids a live trade (a sale entered by mistake): it stays on file, marked, and leaves the
 * position and the figures. Refused when the position could not stand without it (a later
 * redemption took its shares: void that first).
 */
export async function voidTrade(sequelize: Sequelize, caller: Caller, current: TradeRow, transaction: Transaction): Promise<void> {
  if (current.kind === 'buy' && !caller.access.permissions.has('sales.write')) throw missingPermission('sales.write');
  await lockVisibleCustomer(sequelize, caller, current.customer_id, transaction);
  const locked = await lockLiveTrade(sequelize, current.id, transaction);
  await tradeModels(sequelize).Trade.update({ voided_at: new Date() }, { where: { id: locked.id }, transaction });
  await replayPosition(sequelize, locked.customer_id, locked.product_id, transaction);
  if (locked.kind === 'buy') await countSale(sequelize, locked, -1, transaction);
  const summary = `作废${TRADE_KINDS[locked.kind]} #${locked.id}（${fromHundredths(locked.amount_fen)} 元）`;
  await audit(
    sequelize,
    caller.actor,
    { action: locked.kind === 'buy' ? 'sale.delete' : 'trade.void', entity: auditEntityOf(locked.kind), entityId: locked.id, summary },
    { transaction },
  );
}

async function lockLiveTrade(sequelize: Sequelize, id: number, transaction: Transaction): Promise<TradeRow> {
  const row = (await tradeModels(sequelize).Trade.findOne({ where: { id, voided_at: null }, transaction, lock: transaction.LOCK.UPDATE }))?.get();
  if (!row) throw notFound('交易记录不存在或已作废');
  return row;
}

/**
 * Replays a position: its live trades in trade-date order through applyTrade. Each trade's cost
 * and realised gain (and a maturity's shares) are written back where they changed, and the
 * holding becomes the result. A trade the position cannot take (a redemption of more shares than
 * were held then) refuses the whole write with a 400 naming the field. Returns the trades by id.
 */
export async function replayPosition(sequelize: Sequelize, customerId: number, productId: number, transaction: Transaction): Promise<Map<number, TradeRow>> {
  const { Trade, Holding } = tradeModels(sequelize);
  const trades = (
    await Trade.findAll({
      where: { customer_id: customerId, product_id: productId, voided_at: null },
      order: [
        ['traded_on', 'ASC'],
        ['id', 'ASC'],
      ],
      transaction,
    })
  ).map((t) => t.get());
  let position: Position = EMPTY_POSITION;
  const byId = new Map<number, TradeRow>();
  let firstBuy: string | null = null;
  let lastBuy: string | null = null;
  for (const t of trades) {
    const day = dateOnlyOrNull(t.traded_on)!;
    const shares = Number(t.shares_hundredths);
    const move = { kind: t.kind, amount: Number(t.amount_fen), shares: t.kind === 'adjust' ? shares : Math.abs(shares), cost: Number(t.cost_delta_fen) };
    let effect;
    try {
      effect = applyTrade(position, move);
    } catch (problem) {
      if (problem instanceof PositionProblem) throw invalidField(problem.field, `${day} 的${TRADE_KINDS[t.kind]}：${problem.message}`);
      throw problem;
    }
    const sharesAfter = t.kind === 'maturity' ? -position.shares : shares;
    const costDelta = t.kind === 'adjust' ? Number(t.cost_delta_fen) : effect.costDelta;
    if (costDelta !== Number(t.cost_delta_fen) || effect.realisedGain !== Number(t.realised_gain_fen) || sharesAfter !== shares)
      await Trade.update(
        { cost_delta_fen: costDelta, realised_gain_fen: effect.realisedGain, shares_hundredths: sharesAfter },
        { where: { id: t.id }, transaction },
      );
    byId.set(t.id, { ...t, cost_delta_fen: costDelta, realised_gain_fen: effect.realisedGain, shares_hundredths: sharesAfter });
    position = effect.position;
    if (t.kind === 'buy') {
      firstBuy ??= day;
      lastBuy = day;
    }
  }
  const term = (await productModels(sequelize).Product.findByPk(productId, { transaction }))?.get().term_days ?? null;
  const last = trades.length ? dateOnlyOrNull(trades[trades.length - 1]!.traded_on) : null;
  const projection = {
    shares_hundredths: position.shares,
    cost_fen: position.cost,
    realised_gain_fen: position.realisedGain,
    status: position.shares > 0 ? ('holding' as const) : ('closed' as const),
    first_bought_on: firstBuy,
    last_changed_on: last,
    matures_on: term && lastBuy ? addDays(lastBuy, term) : null,
  };
  // The customer's row is locked by every writer, so no one else opens this holding meanwhile. (Not
  // the count of an UPDATE: MySQL counts only rows it changed, and a replay may change nothing.)
  const holding = await Holding.findOne({ where: { customer_id: customerId, product_id: productId }, transaction });
  if (holding) await Holding.update(projection, { where: { id: holding.get().id }, transaction });
  else if (trades.length) await Holding.create({ customer_id: customerId, product_id: productId, ...projection }, { transaction });
  return byId;
}

/** A merge: the source customer's trades become the target's, and both sides' positions are replayed. */
export async function moveTrades(
  sequelize: Sequelize,
  sourceId: number,
  targetId: number,
  transaction: Transaction,
): Promise<{ trades: number; holdings: number }> {
  const { Trade, Holding } = tradeModels(sequelize);
  const products = (await Holding.findAll({ where: { customer_id: sourceId }, transaction })).map((h) => h.get().product_id);
  const [moved] = await Trade.update({ customer_id: targetId }, { where: { customer_id: sourceId }, transaction });
  await Holding.destroy({ where: { customer_id: sourceId }, transaction });
  for (const productId of products) await replayPosition(sequelize, targetId, productId, transaction);
  return { trades: moved, holdings: products.length };
}

/** For doors whose body names the customer: one not found or out of scope is a bad `customerId` (400), not a missing page. */
export const customerFromBody = whenNotFound(() => invalidField('customerId', '客户不存在或不在你的数据范围内'));
