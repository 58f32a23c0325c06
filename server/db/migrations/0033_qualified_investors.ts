import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * 合格投资者 (server/README.md#qualified-investors-合格投资者, shared/qualification.ts): a product
 * sold only to qualified investors and its minimum subscription (分, null: none); a customer's
 * qualification — its basis, the date of its evidence, until when it holds.
 */
export const migration: Migration = {
  name: '0033_qualified_investors',
  async up({ queryInterface: q }) {
    await q.addColumn('products', 'qualified_only', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
    await q.addColumn('products', 'min_subscription_fen', { type: DataTypes.BIGINT, allowNull: true });
    await q.addColumn('customers', 'qualification_basis', { type: DataTypes.STRING(32), allowNull: true });
    await q.addColumn('customers', 'qualification_evidence_on', { type: DataTypes.DATEONLY, allowNull: true });
    await q.addColumn('customers', 'qualification_valid_until', { type: DataTypes.DATEONLY, allowNull: true });
  },
  async down({ queryInterface: q }) {
    // Plain DROP COLUMN, as 0021: Sequelize's SQLite removeColumn rebuilds the table and loses its indexes and triggers.
    for (const column of ['qualification_valid_until', 'qualification_evidence_on', 'qualification_basis']) {
      await q.sequelize.query(`ALTER TABLE customers DROP COLUMN ${column}`);
    }
    for (const column of ['min_subscription_fen', 'qualified_only']) await q.sequelize.query(`ALTER TABLE products DROP COLUMN ${column}`);
  },
};
