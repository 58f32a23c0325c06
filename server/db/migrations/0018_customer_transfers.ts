import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * 客户继承: one row per thing handed over (a customer's WeCom relation, a customer group, or only
 * the CRM owner), its WeCom status and the manager's decision on a failure. `live_key` holds the
 * contact (or chat) while its transfer is queued or waiting and is NULL after: unique, so one
 * contact is never in two transfers at once — by the schema, not a check-then-insert.
 */
export const migration: Migration = {
  name: '0018_customer_transfers',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'customer_transfers',
      {
        ...id,
        batch_id: { type: DataTypes.STRING(36), allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        subject: { type: DataTypes.STRING(16), allowNull: false },
        customer_id: { type: DataTypes.INTEGER, allowNull: true },
        external_userid: { type: DataTypes.STRING(64), allowNull: true },
        chat_id: { type: DataTypes.STRING(64), allowNull: true },
        handover_userid: { type: DataTypes.STRING(64), allowNull: true },
        takeover_userid: { type: DataTypes.STRING(64), allowNull: true },
        from_user_id: { type: DataTypes.INTEGER, allowNull: true },
        to_user_id: { type: DataTypes.INTEGER, allowNull: false },
        requested_by: { type: DataTypes.INTEGER, allowNull: true },
        message: { type: DataTypes.STRING(255), allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        errcode: { type: DataTypes.INTEGER, allowNull: true },
        reason: { type: DataTypes.STRING(255), allowNull: true },
        takeover_at: { type: DataTypes.DATE, allowNull: true },
        live_key: { type: DataTypes.STRING(80), allowNull: true, unique: true },
        resolution: { type: DataTypes.STRING(16), allowNull: true },
        resolved_by: { type: DataTypes.INTEGER, allowNull: true },
        resolved_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customer_transfers', ['batch_id'], { name: 'customer_transfers_batch' });
    await q.addIndex('customer_transfers', ['customer_id', 'id'], { name: 'customer_transfers_customer' });
    await q.addIndex('customer_transfers', ['status', 'kind', 'handover_userid', 'takeover_userid'], { name: 'customer_transfers_pair' });
    await q.addIndex('customer_transfers', ['external_userid'], { name: 'customer_transfers_contact' });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('customer_transfers');
  },
};
