/**
 * `sales_monthly`: 销售额 — live buys summed per month × channel × rep × department × product ×
 * partner (migrations 0008, 0027). Every buy written, amended or voided moves its contribution in
 * the same transaction, so the dashboards and targets read months instead of scanning trades.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { addToCounters, dateBucketSql, updateRows } from '../../db/dialect';
import { dateOnlyOrNull } from '../../db/lookup';
import type { TradeRow } from './models';

type Contribution = Pick<TradeRow, 'traded_on' | 'channel' | 'rep_user_id' | 'department_id' | 'product_id' | 'partner_id' | 'amount_fen'>;

function keyOf(sale: Contribution) {
  return {
    month: dateOnlyOrNull(sale.traded_on)!.slice(0, 7),
    channel: sale.channel,
    rep_user_id: sale.rep_user_id,
    department_id: sale.department_id,
    product_id: sale.product_id,
    partner_id: sale.partner_id ?? 0,
  };
}

/** Count a live buy in (`sign` 1) or out of (`sign` -1) its month. */
export async function countSale(sequelize: Sequelize, sale: Contribution, sign: 1 | -1, transaction: Transaction): Promise<void> {
  const key = keyOf(sale);
  await addToCounters(
    sequelize,
    'sales_monthly',
    key,
    { amount_fen: sign * Number(sale.amount_fen), sale_count: sign },
    { updated_at: new Date(), created_at: new Date() },
    { transaction },
  );
  if (sign < 0) {
    const columns = Object.keys(key);
    await updateRows(
      sequelize,
      `DELETE FROM sales_monthly WHERE ${columns.map((c) => `${c} = ?`).join(' AND ')} AND sale_count = 0`,
      Object.values(key),
      transaction,
    );
  }
}

/** Sum every live buy again (after a bulk load that bypassed the ledger). */
export async function rebuildSalesRollup(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const month = dateBucketSql(sequelize, 'traded_on', 'month');
  const now = new Date();
  await updateRows(sequelize, 'DELETE FROM sales_monthly', [], transaction);
  await sequelize.query(
    `INSERT INTO sales_monthly (month, channel, rep_user_id, department_id, product_id, partner_id, amount_fen, sale_count, created_at, updated_at)
     SELECT ${month}, channel, rep_user_id, department_id, product_id, COALESCE(partner_id, 0), SUM(amount_fen), COUNT(*), ?, ?
       FROM trades WHERE kind = 'buy' AND voided_at IS NULL
      GROUP BY ${month}, channel, rep_user_id, department_id, product_id, COALESCE(partner_id, 0)`,
    { replacements: [now, now], transaction },
  );
}
