import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/** Who a customer was handed from and to, and by whom: shown in the customer's timeline. */
export const migration: Migration = {
  name: '0010_customer_owner_changes',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'customer_owner_changes',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'customers', key: 'id' } },
        from_user_id: { type: DataTypes.INTEGER, allowNull: false },
        to_user_id: { type: DataTypes.INTEGER, allowNull: false },
        changed_by: { type: DataTypes.INTEGER, allowNull: true },
        at: { type: DataTypes.DATE, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customer_owner_changes', ['customer_id', 'at'], { name: 'customer_owner_changes_customer' });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('customer_owner_changes');
  },
};
