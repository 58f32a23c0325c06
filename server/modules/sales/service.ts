/**
 * 销售 as a door into the trade ledger (server/modules/trades): a sale is a buy. Recording one
 * runs the ledger's checks (scope, suitability on the locked customer, the override's
 * permission) and moves the holding, AUM and 销售额 together.
 */
import type { Sequelize } from 'sequelize';
import type { ApprovalView } from '@shared/approval-labels';
import type { PageOf } from '@shared/http';
import type { TradeView } from '@shared/ledger';
import type { SaleInput, SalePatch, SaleView } from '@shared/sales';
import type { Access } from '../roles/access';
import type { Caller } from '../roles/ownership';
import type { SuitabilityExceptionDoor } from '../trades/exceptions';
import { amendBuy, customerFromBody, inLedgerTransaction, voidTrade, writeTrade } from '../trades/ledger';
import { listTrades, loadVisibleTrade, tradeViews, type TradeListQuery } from '../trades/reads';

/** The buy as a sale: the fields a sale has always had. */
export function saleViewOf(t: TradeView): SaleView {
  return {
    id: t.id,
    product: { id: t.product.id, code: t.product.code, name: t.product.name },
    customer: t.customer,
    rep: t.rep!,
    departmentId: t.departmentId!,
    amount: t.amount,
    shares: t.shares,
    nav: t.nav,
    soldOn: t.tradedOn,
    channel: t.channel,
    partner: t.partner,
    notes: t.notes,
    suitabilityOverride: t.suitabilityOverride,
    coolingOffEndsAt: t.coolingOffEndsAt,
    callbackStatus: t.callbackStatus,
    createdAt: t.createdAt,
  };
}

export async function createSale(sequelize: Sequelize, caller: Caller, input: SaleInput): Promise<SaleView> {
  const { soldOn, ...rest } = input;
  const { trade } = await inLedgerTransaction(sequelize, (transaction) =>
    writeTrade(sequelize, caller, { kind: 'buy', ...rest, tradedOn: soldOn }, transaction),
  ).catch(customerFromBody);
  return getSale(sequelize, caller.access, trade.id);
}

/**
 * `POST /api/sales`: the sale recorded, or — a rep asking for a suitability exception they may
 * not grant themselves — the buy submitted for approval (`pending`, answered 202): no trade yet.
 */
export async function submitSale(
  sequelize: Sequelize,
  caller: Caller,
  input: SaleInput,
  exceptions?: SuitabilityExceptionDoor,
): Promise<{ sale: SaleView } | { pending: ApprovalView }> {
  const { soldOn, ...rest } = input;
  const buy = { kind: 'buy' as const, ...rest, tradedOn: soldOn };
  if (!exceptions?.wants(caller, buy)) return { sale: await createSale(sequelize, caller, input) };
  const outcome = await exceptions.request(caller, buy);
  return 'pending' in outcome ? outcome : { sale: await getSale(sequelize, caller.access, outcome.trade.id) };
}

export async function getSale(sequelize: Sequelize, access: Access, id: number): Promise<SaleView> {
  const [view] = await tradeViews(sequelize, [await loadVisibleTrade(sequelize, access, id, 'buy')]);
  return saleViewOf(view!);
}

export type SaleListQuery = Omit<TradeListQuery, 'kind'>;

/** A page of sales (live buys) plus the total amount of every sale matching the filter. */
export async function listSales(sequelize: Sequelize, access: Access, query: SaleListQuery): Promise<PageOf<SaleView> & { totalAmount: number }> {
  const page = await listTrades(sequelize, access, { ...query, kind: 'buy' });
  return { ...page, items: page.items.map(saleViewOf) };
}

export async function updateSale(sequelize: Sequelize, caller: Caller, id: number, patch: SalePatch): Promise<SaleView> {
  const current = await loadVisibleTrade(sequelize, caller.access, id, 'buy');
  const { soldOn, suitabilityOverride: _never, ...rest } = patch;
  await inLedgerTransaction(sequelize, (transaction) => amendBuy(sequelize, caller, current, { ...rest, tradedOn: soldOn }, transaction));
  return getSale(sequelize, caller.access, id);
}

export async function deleteSale(sequelize: Sequelize, caller: Caller, id: number): Promise<void> {
  const current = await loadVisibleTrade(sequelize, caller.access, id, 'buy');
  await inLedgerTransaction(sequelize, (transaction) => voidTrade(sequelize, caller, current, transaction));
}
