/**
 * A customer's holdings, as a door into the trade ledger (server/modules/trades): the holding
 * sheet posts trades here, and reads the position the ledger keeps.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { ApprovalView } from '@shared/approval-labels';
import type { HoldingTradeInput, HoldingView, TradeView } from '@shared/ledger';
import type { Caller } from '../roles/ownership';
import type { SuitabilityExceptionDoor } from '../trades/exceptions';
import type { TradeRow } from '../trades/models';
import { inLedgerTransaction, writeTrade } from '../trades/ledger';
import { holdingViews, tradeViews } from '../trades/reads';
import { tradeModels } from '../trades/models';

/** Records a trade on a customer's holding (a buy also needs `sales.write`: the ledger asks). */
export async function addHoldingTrade(
  sequelize: Sequelize,
  caller: Caller,
  customerId: number,
  input: HoldingTradeInput,
): Promise<{ holding: HoldingView; trade: TradeView }> {
  return inLedgerTransaction(sequelize, async (transaction) => {
    const { trade } = await writeTrade(sequelize, caller, { ...input, customerId }, transaction);
    return positionAfter(sequelize, trade, transaction);
  });
}

/**
 * The holding sheet's door, as `POST /api/sales` is the sale form's: a buy with a suitability
 * exception its caller may only ask for becomes a pending approval (`exceptions`, wired in app.ts),
 * not a 403; everything else is recorded at once.
 */
export async function submitHoldingTrade(
  sequelize: Sequelize,
  caller: Caller,
  customerId: number,
  input: HoldingTradeInput,
  exceptions?: SuitabilityExceptionDoor,
): Promise<{ holding: HoldingView; trade: TradeView } | { pending: ApprovalView }> {
  const trade = { ...input, customerId };
  if (!exceptions?.wants(caller, trade)) return addHoldingTrade(sequelize, caller, customerId, input);
  const outcome = await exceptions.request(caller, trade);
  return 'pending' in outcome ? outcome : positionAfter(sequelize, outcome.trade);
}

/** The trade and the position it left. */
async function positionAfter(sequelize: Sequelize, trade: TradeRow, transaction?: Transaction): Promise<{ holding: HoldingView; trade: TradeView }> {
  const holding = (await tradeModels(sequelize).Holding.findOne({
    where: { customer_id: trade.customer_id, product_id: trade.product_id },
    transaction,
  }))!.get();
  const [holdingView] = await holdingViews(sequelize, [holding], transaction);
  const [tradeView] = await tradeViews(sequelize, [trade], transaction);
  return { holding: holdingView!, trade: tradeView! };
}
