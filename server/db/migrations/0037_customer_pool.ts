import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * 公海 (server/README.md#customer-pool-公海):
 * - `customer_pools`: the corp's pool (`scope_key` 'corp', created here) and a department's
 *   ('dept:<id>'), each with its recycle rules (days; NULL: off), the AUM that exempts, the warning
 *   lead, the claim limits and the former owner's cool-down.
 * - `customer_pool_entries`: one row per stay of a customer in a pool — how it came (released,
 *   recycled by a rule, its owner left), who had it, when it left and to whom. `live_customer_id`
 *   holds the customer's id while it is in a pool and is NULL after: unique, so a customer is in
 *   one pool at most, and a claim is the conditional UPDATE that clears it (one claim wins).
 * - `customer_pool_warnings`: the warning sent to an owner before a rule recycles the customer,
 *   once per owner and rule (a recycle needs one sent `warn_days` before).
 */
export const migration: Migration = {
  name: '0037_customer_pool',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'customer_pools',
      {
        ...id,
        scope_key: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(64), allowNull: false },
        department_id: { type: DataTypes.INTEGER, allowNull: true },
        no_follow_up_days: { type: DataTypes.INTEGER, allowNull: true },
        no_trade_days: { type: DataTypes.INTEGER, allowNull: true },
        lead_days: { type: DataTypes.INTEGER, allowNull: true },
        aum_exempt_fen: { type: DataTypes.BIGINT, allowNull: true },
        warn_days: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 3 },
        max_held: { type: DataTypes.INTEGER, allowNull: true },
        max_claims_per_day: { type: DataTypes.INTEGER, allowNull: true },
        cooldown_days: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 30 },
        updated_by: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    const now = new Date();
    await q.bulkInsert('customer_pools', [
      { scope_key: 'corp', name: '公司公海', department_id: null, warn_days: 3, cooldown_days: 30, created_at: now, updated_at: now },
    ]);
    await q.createTable(
      'customer_pool_entries',
      {
        ...id,
        pool_id: { type: DataTypes.INTEGER, allowNull: false },
        customer_id: { type: DataTypes.INTEGER, allowNull: false },
        live_customer_id: { type: DataTypes.INTEGER, allowNull: true, unique: true },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        rule: { type: DataTypes.STRING(32), allowNull: true },
        reason: { type: DataTypes.STRING(255), allowNull: true },
        former_owner_user_id: { type: DataTypes.INTEGER, allowNull: true },
        entered_by: { type: DataTypes.INTEGER, allowNull: true },
        entered_at: { type: DataTypes.DATE, allowNull: false },
        left_at: { type: DataTypes.DATE, allowNull: true },
        left_how: { type: DataTypes.STRING(16), allowNull: true },
        taken_by: { type: DataTypes.INTEGER, allowNull: true },
        wecom_state: { type: DataTypes.STRING(16), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customer_pool_entries', ['pool_id', 'left_at'], { name: 'customer_pool_entries_pool' });
    await q.addIndex('customer_pool_entries', ['customer_id', 'entered_at'], { name: 'customer_pool_entries_customer' });
    await q.addIndex('customer_pool_entries', ['taken_by', 'left_at'], { name: 'customer_pool_entries_taker' });
    await q.addIndex('customer_pool_entries', ['former_owner_user_id', 'customer_id'], { name: 'customer_pool_entries_former' });
    await q.createTable(
      'customer_pool_warnings',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false },
        owner_user_id: { type: DataTypes.INTEGER, allowNull: false },
        rule: { type: DataTypes.STRING(32), allowNull: false },
        warned_at: { type: DataTypes.DATE, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customer_pool_warnings', ['customer_id', 'owner_user_id', 'rule'], { name: 'customer_pool_warnings_once', unique: true });
  },
  async down({ queryInterface: q }) {
    for (const table of ['customer_pool_warnings', 'customer_pool_entries', 'customer_pools']) await q.dropTable(table);
  },
};
