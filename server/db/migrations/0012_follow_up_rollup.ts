import { DataTypes } from 'sequelize';
import { chinaMonthSql } from '../dialect';
import { timestamps } from './columns';
import type { Migration } from './types';

/**
 * `follow_ups_monthly`: live customer follow-ups counted per China month and author, for target
 * progress (server/README.md#dashboards). At a million follow-ups, counting a quarter's per author from the index
 * took ~350 ms on MariaDB; the rollup answers from a few thousand rows. The follow-up service
 * keeps it in step in the same transaction as each write; existing follow-ups are counted here.
 */
export const migration: Migration = {
  name: '0012_follow_up_rollup',
  async up({ sequelize, queryInterface: q, tableOptions }) {
    const key = { allowNull: false, primaryKey: true };
    await q.createTable(
      'follow_ups_monthly',
      {
        month: { type: DataTypes.STRING(7), ...key },
        user_id: { type: DataTypes.INTEGER, ...key },
        follow_up_count: { type: DataTypes.INTEGER, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    const month = chinaMonthSql(sequelize, 'followed_at');
    await sequelize.query(
      `INSERT INTO follow_ups_monthly (month, user_id, follow_up_count, created_at, updated_at)
       SELECT ${month}, user_id, COUNT(*), ?, ? FROM follow_ups WHERE deleted_at IS NULL GROUP BY ${month}, user_id`,
      { replacements: [new Date(), new Date()] },
    );
  },
  async down({ queryInterface: q }) {
    await q.dropTable('follow_ups_monthly');
  },
};
