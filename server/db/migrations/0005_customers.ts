import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/** The customer profile (server/README.md#data-model); the process (contacts, follow-ups, holdings…) sits beside it. */
export const migration: Migration = {
  name: '0005_customers',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'customers',
      {
        ...id,
        type: { type: DataTypes.STRING(32), allowNull: false },
        name: { type: DataTypes.STRING(128), allowNull: false },
        status: { type: DataTypes.STRING(32), allowNull: false },
        lifecycle_stage: { type: DataTypes.STRING(32), allowNull: false },
        source: { type: DataTypes.STRING(32), allowNull: true },
        level: { type: DataTypes.STRING(32), allowNull: true },
        institution: { type: DataTypes.STRING(256), allowNull: true },
        title: { type: DataTypes.STRING(128), allowNull: true },
        phone: { type: DataTypes.STRING(32), allowNull: true },
        email: { type: DataTypes.STRING(256), allowNull: true },
        unionid: { type: DataTypes.STRING(64), allowNull: true },
        notes: { type: DataTypes.TEXT, allowNull: true },
        owner_user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' } },
        department_id: { type: DataTypes.INTEGER, allowNull: false },
        next_follow_up_at: { type: DataTypes.DATE, allowNull: true },
        last_follow_up_at: { type: DataTypes.DATE, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customers', ['phone'], { name: 'customers_phone' });
    await q.addIndex('customers', ['name', 'institution'], { name: 'customers_name_institution' });
    await q.addIndex('customers', ['owner_user_id', 'deleted_at'], { name: 'customers_owner' });
    await q.addIndex('customers', ['department_id', 'deleted_at'], { name: 'customers_department' });
    await q.addIndex('customers', ['unionid'], { name: 'customers_unionid' });
    await q.addIndex('customers', ['next_follow_up_at'], { name: 'customers_next_follow_up' });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('customers');
  },
};
