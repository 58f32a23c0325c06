import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * WeCom app messages to employees (reminders, server/README.md#reminders-and-wecom-notifications): an outbox written in the same
 * transaction as what caused it, sent by a worker that respects WeCom's per-member limits and
 * retries. `dedupe_key` makes every notification happen once (a day's digest per person, one
 * message per transfer…). `digest_runs` marks the days whose digest was queued, across instances.
 */
export const migration: Migration = {
  name: '0011_notifications',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'notifications',
      {
        ...id,
        kind: { type: DataTypes.STRING(32), allowNull: false },
        dedupe_key: { type: DataTypes.STRING(128), allowNull: false, unique: true },
        user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' } },
        title: { type: DataTypes.STRING(128), allowNull: false },
        description: { type: DataTypes.STRING(1024), allowNull: false },
        /** An H5 path (`/customers/12`); the sender makes it absolute. */
        path: { type: DataTypes.STRING(256), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        next_attempt_at: { type: DataTypes.DATE, allowNull: false },
        locked_at: { type: DataTypes.DATE, allowNull: true },
        last_error: { type: DataTypes.STRING(512), allowNull: true },
        sent_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('notifications', ['status', 'next_attempt_at'], { name: 'notifications_due' });
    await q.addIndex('notifications', ['user_id', 'created_at'], { name: 'notifications_user' });

    await q.createTable(
      'digest_runs',
      {
        day: { type: DataTypes.STRING(10), primaryKey: true, allowNull: false },
        queued: { type: DataTypes.INTEGER, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
  },
  async down({ queryInterface: q }) {
    await q.dropTable('digest_runs');
    await q.dropTable('notifications');
  },
};
