/**
 * A customer's holdings, as a door into the trade ledger (server/modules/trades): the holding
 * sheet posts trades here, and reads the position the ledger keeps.
 */
import type { Sequelize } from 'sequelize';
import type { HoldingTradeInput, HoldingView, TradeView } from '@shared/ledger';
import type { Caller } from '../roles/ownership';
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
    const holding = (await tradeModels(sequelize).Holding.findOne({ where: { customer_id: customerId, product_id: trade.product_id }, transaction }))!.get();
    const [holdingView] = await holdingViews(sequelize, [holding], transaction);
    const [tradeView] = await tradeViews(sequelize, [trade], transaction);
    return { holding: holdingView!, trade: tradeView! };
  });
}
