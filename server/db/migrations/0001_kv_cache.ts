import { DataTypes } from 'sequelize';
import { timestamps } from './columns';
import type { Migration } from './types';

/** Access tokens and JS-SDK tickets shared by every instance (server/wecom/README.md#secrets-and-tokens, server/README.md#scale-out). */
export const migration: Migration = {
  name: '0001_kv_cache',
  async up({ queryInterface, tableOptions }) {
    await queryInterface.createTable(
      'kv_cache',
      {
        // 191 chars keeps a utf8mb4 primary key under InnoDB's 767-byte index limit.
        cache_key: { type: DataTypes.STRING(191), primaryKey: true, allowNull: false },
        value: { type: DataTypes.TEXT, allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await queryInterface.addIndex('kv_cache', ['expires_at'], { name: 'kv_cache_expires_at' });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('kv_cache');
  },
};
