import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * Investor suitability and valuation: the customer's risk profile (C1–C5, ordinary or
 * professional, when assessed and until when); a product's term and a holding's maturity; product
 * NAV by date (one per product and day); on a sale, the reason a mismatch was overridden; and
 * which of those dates the daily digest has announced.
 */
/** Reps record the questionnaire with the customer; managers and 合规 approve exceptions. */
const GRANTS: Record<string, string[]> = {
  sales: ['customer.risk'],
  manager: ['customer.risk', 'sales.override_suitability'],
  compliance: ['sales.override_suitability'],
};

/** Adds (or, with `revoke`, takes away) permissions of seed roles (0030 grants with it too). */
export async function grant(q: QueryInterface, more: Record<string, string[]>, revoke = false): Promise<void> {
  const roles = (await q.sequelize.query('SELECT id, code, permissions FROM roles', { type: QueryTypes.SELECT })) as {
    id: number;
    code: string;
    permissions: string;
  }[];
  for (const role of roles) {
    const extra = more[role.code];
    if (!extra) continue;
    const held = JSON.parse(role.permissions) as string[];
    const permissions = revoke ? held.filter((p) => !extra.includes(p)) : [...new Set([...held, ...extra])];
    await q.sequelize.query('UPDATE roles SET permissions = ? WHERE id = ?', { replacements: [JSON.stringify(permissions), role.id] });
  }
}

export const migration: Migration = {
  name: '0021_suitability',
  async up({ queryInterface: q, tableOptions }) {
    await q.addColumn('customers', 'risk_level', { type: DataTypes.STRING(2), allowNull: true });
    await q.addColumn('customers', 'investor_class', { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'ordinary' });
    await q.addColumn('customers', 'risk_assessed_on', { type: DataTypes.DATEONLY, allowNull: true });
    await q.addColumn('customers', 'risk_assessment_expires_on', { type: DataTypes.DATEONLY, allowNull: true });
    await q.addIndex('customers', ['risk_assessment_expires_on'], { name: 'customers_risk_expiry' });
    await q.addColumn('products', 'term_days', { type: DataTypes.INTEGER, allowNull: true });
    await q.addColumn('holdings', 'matures_on', { type: DataTypes.DATEONLY, allowNull: true });
    await q.addIndex('holdings', ['matures_on'], { name: 'holdings_matures_on' });
    await q.addColumn('product_sales', 'suitability_override', { type: DataTypes.STRING(500), allowNull: true });
    await q.createTable(
      'product_navs',
      {
        ...id,
        product_id: { type: DataTypes.INTEGER, allowNull: false },
        nav_date: { type: DataTypes.DATEONLY, allowNull: false },
        nav: { type: DataTypes.DECIMAL(14, 4), allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('product_navs', ['product_id', 'nav_date'], { name: 'product_navs_product_date', unique: true });
    // What the daily digest has announced: an expiring assessment or a maturing holding once, not every day.
    await q.createTable(
      'reminder_notices',
      {
        ...id,
        kind: { type: DataTypes.STRING(32), allowNull: false },
        subject_id: { type: DataTypes.INTEGER, allowNull: false },
        due_on: { type: DataTypes.DATEONLY, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('reminder_notices', ['kind', 'subject_id', 'due_on'], { name: 'reminder_notices_once', unique: true });
    await grant(q, GRANTS);
  },
  async down({ queryInterface: q }) {
    // Plain DROP COLUMN (SQLite ≥ 3.35, MySQL): Sequelize's SQLite removeColumn rebuilds the table
    // and loses the indexes other migrations made on it.
    const dropColumn = (table: string, column: string) => q.sequelize.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    await grant(q, GRANTS, true);
    await q.dropTable('reminder_notices');
    await q.dropTable('product_navs');
    await dropColumn('product_sales', 'suitability_override');
    await q.removeIndex('holdings', 'holdings_matures_on');
    await dropColumn('holdings', 'matures_on');
    await dropColumn('products', 'term_days');
    await q.removeIndex('customers', 'customers_risk_expiry');
    for (const c of ['risk_assessment_expires_on', 'risk_assessed_on', 'investor_class', 'risk_level']) await dropColumn('customers', c);
  },
};
