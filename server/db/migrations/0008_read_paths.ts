import { DataTypes } from 'sequelize';
import { dateBucketSql } from '../dialect';
import { timestamps } from './columns';
import type { Migration } from './types';

/**
 * Read paths measured at 100k customers / 600k sales (README, Benchmarks).
 *
 * `sales_monthly`: live sales summed per month, channel, rep, department, product and partner
 * (server/README.md#dashboards): the dashboards read this instead of scanning every sale. Dashboard periods are whole China months,
 * quarters or years, so a month is the finest grain they need. `partner_id` is 0 for direct
 * sales so the key can be unique. The sales service keeps it in step in the same transaction as
 * every sale write; existing sales are summed in here.
 */
export const migration: Migration = {
  name: '0008_read_paths',
  async up({ sequelize, queryInterface: q, tableOptions }) {
    const key = { allowNull: false, primaryKey: true };
    await q.createTable(
      'sales_monthly',
      {
        month: { type: DataTypes.STRING(7), ...key },
        channel: { type: DataTypes.STRING(16), ...key },
        rep_user_id: { type: DataTypes.INTEGER, ...key },
        department_id: { type: DataTypes.INTEGER, ...key },
        product_id: { type: DataTypes.INTEGER, ...key },
        partner_id: { type: DataTypes.INTEGER, ...key },
        amount_fen: { type: DataTypes.BIGINT, allowNull: false },
        sale_count: { type: DataTypes.INTEGER, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    const month = dateBucketSql(sequelize, 'sold_on', 'month');
    await sequelize.query(
      `INSERT INTO sales_monthly (month, channel, rep_user_id, department_id, product_id, partner_id, amount_fen, sale_count, created_at, updated_at)
       SELECT ${month}, channel, rep_user_id, department_id, product_id, COALESCE(partner_id, 0), SUM(amount_fen), COUNT(*), ?, ?
         FROM product_sales WHERE deleted_at IS NULL
        GROUP BY ${month}, channel, rep_user_id, department_id, product_id, COALESCE(partner_id, 0)`,
      { replacements: [new Date(), new Date()] },
    );
    // Target progress counts a period's new customers and follow-ups per person: both from an
    // index alone (the follow-up index gains deleted_at; the old one goes once the new one exists,
    // as InnoDB needs an index behind the user_id foreign key at all times).
    await q.addIndex('customers', ['created_at', 'deleted_at', 'owner_user_id', 'department_id'], { name: 'customers_created' });
    await q.addIndex('follow_ups', ['user_id', 'followed_at', 'deleted_at'], { name: 'follow_ups_user_time_live' });
    await q.removeIndex('follow_ups', 'follow_ups_user_time');
    // A list's total counts the caller's scope: from this index alone instead of ~70k row reads
    // (MySQL: 160 → 25 ms for a manager's 72k customers).
    await q.addIndex('customers', ['deleted_at', 'department_id', 'owner_user_id'], { name: 'customers_live_scope' });
  },
  async down({ queryInterface: q }) {
    await q.removeIndex('customers', 'customers_live_scope');
    await q.addIndex('follow_ups', ['user_id', 'followed_at'], { name: 'follow_ups_user_time' });
    await q.removeIndex('follow_ups', 'follow_ups_user_time_live');
    await q.removeIndex('customers', 'customers_created');
    await q.dropTable('sales_monthly');
  },
};
