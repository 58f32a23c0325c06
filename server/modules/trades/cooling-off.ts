/**
 * 冷静期 and 回访 of a private product's buy (server/README.md#cooling-off-冷静期-and-回访,
 * shared/cooling-off.ts for the rules and their sources): the customer may cancel during the
 * 冷静期 (the buy is voided through the ledger); after it, someone other than the seller records
 * the 回访 — confirmed (with the 双录 reference where the product needs one), cancelled (voided),
 * or unreachable (still waiting) — and 合规 lists the buys still waiting.
 */
import { Op, type Sequelize } from 'sequelize';
import { type CallbackInput, type CallbackItem } from '@shared/cooling-off';
import type { PageOf } from '@shared/http';
import { fromHundredths } from '@shared/money';
import { DomainError, forbidden } from '../../errors';
import { pageWindow, type PageRequest } from '../../db/paging';
import { dateOnlyOrNull, iso, named, namesById } from '../../db/lookup';
import { audit } from '../audit/service';
import { productModels } from '../products/models';
import { scopeWhere, type Access } from '../roles/access';
import type { Caller } from '../roles/ownership';
import { cancelBuy, inLedgerTransaction } from './ledger';
import { TRADE_SCOPE, tradeModels, type TradeRow } from './models';
import { loadVisibleTrade } from './reads';

const closed = (message: string) => new DomainError('conflict', 'conflict', message);

async function waitingBuy(sequelize: Sequelize, access: Access, id: number): Promise<TradeRow> {
  const trade = await loadVisibleTrade(sequelize, access, id, 'buy');
  if (trade.callback_status !== 'pending' && trade.callback_status !== 'unreachable') throw closed('这笔交易没有待回访的冷静期');
  return trade;
}

const inCoolingOff = (t: TradeRow, now: Date) => t.cooling_off_ends_at !== null && new Date(t.cooling_off_ends_at).getTime() > now.getTime();

/** 募集办法第二十八条: during the 冷静期 the customer may cancel; the buy is voided. */
export async function cancelInCoolingOff(sequelize: Sequelize, caller: Caller, id: number, reason: string): Promise<void> {
  const trade = await waitingBuy(sequelize, caller.access, id);
  const now = new Date();
  if (!inCoolingOff(trade, now)) throw closed('冷静期已结束：客户如需撤销，请在回访时记录');
  await inLedgerTransaction(sequelize, async (transaction) => {
    await cancelBuy(sequelize, caller, trade, `冷静期内撤销申购 #${id}（${fromHundredths(trade.amount_fen)} 元）：${reason}`, transaction);
    const [claimed] = await tradeModels(sequelize).Trade.update(
      { callback_status: 'cancelled', callback_by: caller.access.userId, callback_at: now, callback_note: reason },
      { where: { id, callback_status: trade.callback_status }, transaction },
    );
    if (claimed !== 1) throw closed('这笔交易已被处理，请刷新');
  });
}

/**
 * 募集办法第二十九条: after the 冷静期, someone other than the seller (neither the rep credited nor
 * who recorded it) records the 回访. Confirmed needs the 双录 reference when the product requires
 * one; cancelled voids the buy; unreachable keeps it waiting.
 */
export async function recordCallback(sequelize: Sequelize, caller: Caller, id: number, input: CallbackInput): Promise<void> {
  const trade = await waitingBuy(sequelize, caller.access, id);
  const now = new Date();
  if (inCoolingOff(trade, now)) throw closed('冷静期尚未结束，结束后才能回访');
  if (caller.access.userId === trade.rep_user_id || caller.access.userId === trade.created_by)
    throw forbidden('回访须由销售人员以外的人员进行（私募投资基金募集行为管理办法第二十九条）', 'callback_by_seller');
  const product = (await productModels(sequelize).Product.findByPk(trade.product_id))!.get();
  const recordingRef = input.recordingRef ?? trade.recording_ref;
  if (input.outcome === 'confirmed' && product.recording_required && !recordingRef)
    throw new DomainError('conflict', 'recording_required', '该产品需要双录：请填写录音录像编号后再确认');
  await inLedgerTransaction(sequelize, async (transaction) => {
    if (input.outcome === 'cancelled')
      await cancelBuy(
        sequelize,
        caller,
        trade,
        `回访时客户撤销申购 #${id}（${fromHundredths(trade.amount_fen)} 元）${input.note ? `：${input.note}` : ''}`,
        transaction,
      );
    const [claimed] = await tradeModels(sequelize).Trade.update(
      {
        callback_status: input.outcome,
        callback_by: caller.access.userId,
        callback_at: now,
        callback_note: input.note ?? null,
        recording_ref: recordingRef ?? null,
      },
      { where: { id, callback_status: trade.callback_status }, transaction },
    );
    if (claimed !== 1) throw closed('这笔交易已被处理，请刷新');
    if (input.outcome !== 'cancelled') {
      await audit(
        sequelize,
        caller.actor,
        {
          action: 'trade.callback',
          entity: 'sale',
          entityId: id,
          summary: `回访申购 #${id}：${input.outcome === 'confirmed' ? '确认' : '无法联系'}${input.note ? `，${input.note}` : ''}`,
          diff: { outcome: input.outcome, recordingRef: recordingRef ?? null },
        },
        { transaction },
      );
    }
  });
}

/** Buys waiting for their 回访 (in or past the 冷静期, or unreachable so far), the 冷静期's end first. */
export async function waitingCallbacks(sequelize: Sequelize, access: Access, page: PageRequest): Promise<PageOf<CallbackItem>> {
  const { rows, count } = await tradeModels(sequelize).Trade.findAndCountAll({
    where: { [Op.and]: [{ kind: 'buy', voided_at: null, callback_status: { [Op.in]: ['pending', 'unreachable'] } }, scopeWhere(access, TRADE_SCOPE)] },
    order: [
      ['cooling_off_ends_at', 'ASC'],
      ['id', 'ASC'],
    ],
    ...pageWindow(page),
  });
  const trades = rows.map((r) => r.get());
  const [products, customers, users] = await Promise.all([
    productModels(sequelize)
      .Product.findAll({ where: { id: { [Op.in]: [...new Set(trades.map((t) => t.product_id))] } } })
      .then((ps) => new Map(ps.map((p) => [p.get().id, p.get()]))),
    namesById(
      sequelize,
      'customers',
      trades.map((t) => t.customer_id),
    ),
    namesById(
      sequelize,
      'users',
      trades.flatMap((t) => (t.rep_user_id === null ? [] : [t.rep_user_id])),
    ),
  ]);
  const now = new Date();
  return {
    items: trades.map((t) => {
      const p = products.get(t.product_id);
      return {
        id: t.id,
        customer: named(customers, t.customer_id),
        product: { id: t.product_id, name: p?.name ?? '', recordingRequired: Boolean(p?.recording_required) },
        rep: t.rep_user_id === null ? null : named(users, t.rep_user_id),
        amount: fromHundredths(t.amount_fen),
        tradedOn: dateOnlyOrNull(t.traded_on)!,
        coolingOffEndsAt: t.cooling_off_ends_at ? iso(t.cooling_off_ends_at) : null,
        inCoolingOff: inCoolingOff(t, now),
        callbackStatus: t.callback_status ?? 'pending',
        recordingRef: t.recording_ref,
      };
    }),
    total: count,
    page: page.page,
    pageSize: page.pageSize,
  };
}
