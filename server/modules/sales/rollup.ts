/**
 * `sales_monthly`: live sales summed per month × channel × rep × department × product × partner
 * (migration 0008). Every sale write moves the sale's contribution in the same transaction, so
 * the dashboards can read months instead of scanning sales.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { addToCounters, dateBucketSql, updateRows } from '../../db/dialect';
import { dateOnlyOrNull } from '../../db/lookup';
import type { SaleRow } from './models';

type Contribution = Pick<SaleRow, 'sold_on' | 'channel' | 'rep_user_id' | 'department_id' | 'product_id' | 'partner_id' | 'amount_fen'>;

function keyOf(sale: Contribution) {
  return {
    month: dateOnlyOrNull(sale.sold_on)!.slice(0, 7),
    channel: sale.channel,
    rep_user_id: sale.rep_user_id,
    department_id: sale.department_id,
    product_id: sale.product_id,
    partner_id: sale.partner_id ?? 0,
  };
}

/** Count a live sale in (`sign` 1) or out of (`sign` -1) its month. */
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

/** Sum every live sale again (after a bulk load that bypassed the service). */
export async function rebuildSalesRollup(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const month = dateBucketSql(sequelize, 'sold_on', 'month');
  const now = new Date();
  await updateRows(sequelize, 'DELETE FROM sales_monthly', [], transaction);
  await sequelize.query(
    `INSERT INTO sales_monthly (month, channel, rep_user_id, department_id, product_id, partner_id, amount_fen, sale_count, created_at, updated_at)
     SELECT ${month}, channel, rep_user_id, department_id, product_id, COALESCE(partner_id, 0), SUM(amount_fen), COUNT(*), ?, ?
       FROM product_sales WHERE deleted_at IS NULL
      GROUP BY ${month}, channel, rep_user_id, department_id, product_id, COALESCE(partner_id, 0)`,
    { replacements: [now, now], transaction },
  );
}
