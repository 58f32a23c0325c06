import { DataTypes, QueryTypes } from 'sequelize';
import { INITIALS_MAX, pinyinInitials } from '../../util/pinyin';
import type { Migration } from './types';

/**
 * `customers.name_initials`: the pinyin initials of the name (「zcn」 for 张晨娜), so the list's
 * initials search is a prefix read of an index. Every write of a name sets it (the field's
 * `searchKey`, server/db/record-fields.ts); here the existing customers get theirs.
 */
export const migration: Migration = {
  name: '0042_customer_name_initials',
  async up({ queryInterface: q, sequelize }) {
    await q.addColumn('customers', 'name_initials', { type: DataTypes.STRING(INITIALS_MAX), allowNull: true });
    await q.addIndex('customers', ['name_initials'], { name: 'customers_name_initials' });
    const BATCH = 500;
    for (let after = 0; ;) {
      const rows = await sequelize.query<{ id: number; name: string }>('SELECT id, name FROM customers WHERE id > ? ORDER BY id LIMIT ?', {
        replacements: [after, BATCH],
        type: QueryTypes.SELECT,
      });
      if (!rows.length) break;
      const cases = rows.map(() => 'WHEN ? THEN ?').join(' ');
      await sequelize.query(`UPDATE customers SET name_initials = CASE id ${cases} END WHERE id IN (${rows.map(() => '?').join(',')})`, {
        replacements: [...rows.flatMap((r) => [r.id, pinyinInitials(r.name)]), ...rows.map((r) => r.id)],
      });
      after = Number(rows.at(-1)!.id);
    }
  },
  async down({ queryInterface: q, sequelize }) {
    await q.removeIndex('customers', 'customers_name_initials');
    // Plain DROP COLUMN, as 0028: Sequelize's SQLite removeColumn rebuilds the table and loses its indexes and triggers.
    await sequelize.query('ALTER TABLE customers DROP COLUMN name_initials');
  },
};
