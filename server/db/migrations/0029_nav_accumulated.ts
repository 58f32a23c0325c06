import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * 累计净值 (accumulated NAV) beside 单位净值 on each day of `product_navs`: the unit NAV plus every
 * dividend paid since launch, as the fund company publishes it and as the daily NAV file a fund
 * company or consignment partner sends carries it. Optional (four decimals, like the unit NAV):
 * days on file predate it, and a product that never paid a dividend has it equal to the unit NAV.
 */
export const migration: Migration = {
  name: '0029_nav_accumulated',
  async up({ queryInterface: q }) {
    await q.addColumn('product_navs', 'accumulated_nav', { type: DataTypes.DECIMAL(14, 4), allowNull: true });
  },
  async down({ queryInterface: q }) {
    // Plain DROP COLUMN: Sequelize's SQLite removeColumn rebuilds the table and loses its unique index.
    await q.sequelize.query('ALTER TABLE product_navs DROP COLUMN accumulated_nav');
  },
};
