import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * Points spent per key in the current window, for rate limits every instance shares
 * (server/db/rate-limit-store.ts): today the WeCom calls a person's requests may make per minute
 * (server/wecom/budget.ts). `expires_at` is epoch milliseconds, as rate-limiter-flexible counts.
 */
export const migration: Migration = {
  name: '0024_rate_limit_points',
  async up({ queryInterface, tableOptions }) {
    await queryInterface.createTable(
      'rate_limit_points',
      {
        // 191 chars keeps a utf8mb4 primary key under InnoDB's 767-byte index limit.
        limit_key: { type: DataTypes.STRING(191), primaryKey: true, allowNull: false },
        points: { type: DataTypes.INTEGER, allowNull: false },
        expires_at: { type: DataTypes.BIGINT, allowNull: true },
      },
      tableOptions,
    );
    await queryInterface.addIndex('rate_limit_points', ['expires_at'], { name: 'rate_limit_points_expires_at' });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('rate_limit_points');
  },
};
