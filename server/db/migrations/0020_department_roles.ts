import { DataTypes } from 'sequelize';
import { timestamps } from './columns';
import type { Migration } from './types';

/**
 * The role a new employee gets from their department (合规 / 运营 people are not 销售): one row per
 * department, inherited by its subdepartments; a department without one (up to the root) falls
 * back to `sales`. Two more seed roles for those departments: 运营 and 合规 read everything, write
 * nothing a rep writes.
 */
const ROLES = [
  {
    code: 'operations',
    name: '运营',
    data_scope: 'all',
    permissions: ['customer.read', 'partner.read', 'product.read', 'sales.read', 'target.read', 'dashboard.view', 'import.run', 'engagement.manage'],
  },
  {
    code: 'compliance',
    name: '合规',
    data_scope: 'all',
    permissions: ['customer.read', 'partner.read', 'product.read', 'sales.read', 'target.read', 'dashboard.view', 'audit.read'],
  },
];

export const migration: Migration = {
  name: '0020_department_roles',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'department_default_roles',
      {
        department_id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
        role_code: { type: DataTypes.STRING(64), allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    const now = new Date();
    await q.bulkInsert(
      'roles',
      ROLES.map((r) => ({ ...r, permissions: JSON.stringify(r.permissions), is_system: false, created_at: now, updated_at: now })),
    );
  },
  async down({ queryInterface: q }) {
    await q.bulkDelete('roles', { code: ROLES.map((r) => r.code) });
    await q.dropTable('department_default_roles');
  },
};
