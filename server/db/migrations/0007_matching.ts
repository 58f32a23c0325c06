import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * Matching WeCom contacts to customers (server/README.md#matching): the history of each link (linked, unlinked,
 * lost when the WeCom relation ended), corp settings (`autoCreateLeads`), and the channel (the
 * 渠道活码 `State`) an auto-created lead arrived through. Plus a list index on customers.
 */
export const migration: Migration = {
  name: '0007_matching',
  async up({ queryInterface: q, tableOptions }) {
    await q.addColumn('customers', 'acquisition_channel', { type: DataTypes.STRING(64), allowNull: true });

    // Customer lists read live rows newest-first and stop after a page: with this, a manager's first
    // page over 100k customers walks the index instead of sorting 70k rows.
    await q.addIndex('customers', ['deleted_at', 'updated_at'], { name: 'customers_live_updated' });

    await q.createTable(
      'customer_wecom_link_events',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'customers', key: 'id' } },
        external_userid: { type: DataTypes.STRING(64), allowNull: false },
        event: { type: DataTypes.STRING(16), allowNull: false },
        matched_by: { type: DataTypes.STRING(16), allowNull: true },
        user_id: { type: DataTypes.INTEGER, allowNull: true },
        detail: { type: DataTypes.STRING(256), allowNull: true },
        at: { type: DataTypes.DATE, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customer_wecom_link_events', ['customer_id', 'at'], { name: 'customer_wecom_link_events_customer' });
    await q.addIndex('customer_wecom_link_events', ['external_userid'], { name: 'customer_wecom_link_events_contact' });

    await q.createTable(
      'corp_settings',
      {
        name: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        value: { type: DataTypes.TEXT, allowNull: false },
        updated_by: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
  },
  async down({ queryInterface: q }) {
    await q.dropTable('corp_settings');
    await q.dropTable('customer_wecom_link_events');
    await q.removeIndex('customers', 'customers_live_updated');
    await q.removeColumn('customers', 'acquisition_channel');
  },
};
