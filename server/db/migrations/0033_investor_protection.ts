import { DataTypes } from 'sequelize';
import { grant } from './0021_suitability';
import type { Migration } from './types';

/** Phones whole for those who call customers; 合规 and 运营 see them masked and reveal one at a time (audited). */
const GRANTS: Record<string, string[]> = { sales: ['customer.view_sensitive'], manager: ['customer.view_sensitive'] };

/**
 * 合格投资者 (server/README.md#qualified-investors-合格投资者, shared/qualification.ts): a product
 * sold only to qualified investors and its minimum subscription (分, null: none); a customer's
 * qualification — its basis, the date of its evidence, until when it holds.
 *
 * 冷静期 and 回访 (server/README.md#cooling-off-冷静期-and-回访): a product that needs 双录
 * (`recording_required`); on a buy of a private product, when its 冷静期 ends, the 回访's state,
 * who recorded it and when, and the 双录 reference.
 *
 * `customer.view_sensitive` (phones and ID numbers whole) for 销售 and 经理, who call customers;
 * other roles see them masked and reveal one at a time, audited.
 */
export const migration: Migration = {
  name: '0033_investor_protection',
  async up({ queryInterface: q }) {
    await q.addColumn('products', 'qualified_only', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
    await q.addColumn('products', 'min_subscription_fen', { type: DataTypes.BIGINT, allowNull: true });
    await q.addColumn('customers', 'qualification_basis', { type: DataTypes.STRING(32), allowNull: true });
    await q.addColumn('customers', 'qualification_evidence_on', { type: DataTypes.DATEONLY, allowNull: true });
    await q.addColumn('customers', 'qualification_valid_until', { type: DataTypes.DATEONLY, allowNull: true });
    await q.addColumn('products', 'recording_required', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
    await q.addColumn('trades', 'cooling_off_ends_at', { type: DataTypes.DATE, allowNull: true });
    /** `pending` (in or after 冷静期, waiting for 回访), `confirmed`, `cancelled`, `unreachable`; null: no 回访 needed. */
    await q.addColumn('trades', 'callback_status', { type: DataTypes.STRING(16), allowNull: true });
    await q.addColumn('trades', 'callback_by', { type: DataTypes.INTEGER, allowNull: true });
    await q.addColumn('trades', 'callback_at', { type: DataTypes.DATE, allowNull: true });
    await q.addColumn('trades', 'callback_note', { type: DataTypes.STRING(500), allowNull: true });
    await q.addColumn('trades', 'recording_ref', { type: DataTypes.STRING(255), allowNull: true });
    await q.addIndex('trades', ['callback_status'], { name: 'trades_callback_status' });
    await grant(q, GRANTS);
  },
  async down({ queryInterface: q }) {
    await grant(q, GRANTS, true);
    await q.removeIndex('trades', 'trades_callback_status');
    for (const column of ['recording_ref', 'callback_note', 'callback_at', 'callback_by', 'callback_status', 'cooling_off_ends_at']) {
      await q.sequelize.query(`ALTER TABLE trades DROP COLUMN ${column}`);
    }
    await q.sequelize.query('ALTER TABLE products DROP COLUMN recording_required');
    // Plain DROP COLUMN, as 0021: Sequelize's SQLite removeColumn rebuilds the table and loses its indexes and triggers.
    for (const column of ['qualification_valid_until', 'qualification_evidence_on', 'qualification_basis']) {
      await q.sequelize.query(`ALTER TABLE customers DROP COLUMN ${column}`);
    }
    for (const column of ['min_subscription_fen', 'qualified_only']) await q.sequelize.query(`ALTER TABLE products DROP COLUMN ${column}`);
  },
};
