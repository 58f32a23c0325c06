import { DataTypes } from 'sequelize';
import { timestamps } from './columns';
import type { Migration } from './types';

/**
 * Server-side sessions (server/README.md#scale-out): the cookie carries a random token, the table its SHA-256
 * (a copy of the table opens no session). Logout and an employee leaving revoke rows; every
 * instance reads the same table, so processes stay stateless.
 */
export const migration: Migration = {
  name: '0013_sessions',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'sessions',
      {
        id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' } },
        last_seen_at: { type: DataTypes.DATE, allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        revoked_at: { type: DataTypes.DATE, allowNull: true },
        ip: { type: DataTypes.STRING(64), allowNull: true },
        user_agent: { type: DataTypes.STRING(256), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('sessions', ['user_id', 'revoked_at'], { name: 'sessions_user' });
    await q.addIndex('sessions', ['expires_at'], { name: 'sessions_expiry' });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('sessions');
  },
};
