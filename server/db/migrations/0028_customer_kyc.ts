import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * KYC on the customer (客户身份识别): the identity document's type (a code of shared/identity.ts),
 * its number (stored whole, shown masked) and the date of birth. (0027 is another change's.)
 */
export const migration: Migration = {
  name: '0028_customer_kyc',
  async up({ queryInterface: q }) {
    await q.addColumn('customers', 'id_type', { type: DataTypes.STRING(32), allowNull: true });
    await q.addColumn('customers', 'id_number', { type: DataTypes.STRING(32), allowNull: true });
    await q.addColumn('customers', 'birth_date', { type: DataTypes.DATEONLY, allowNull: true });
  },
  async down({ queryInterface: q }) {
    // Plain DROP COLUMN, as 0021: Sequelize's SQLite removeColumn rebuilds the table and loses its indexes and triggers.
    for (const column of ['birth_date', 'id_number', 'id_type']) await q.sequelize.query(`ALTER TABLE customers DROP COLUMN ${column}`);
  },
};
