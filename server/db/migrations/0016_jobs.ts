import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * The generic queue of durable background work (server/jobs): sync runs, imports and whatever
 * later work has no table of its own (transfer-result polling…). `idempotency_key` is unique
 * while a job is queued or running (set back to NULL when it ends), so "one org sync at a time"
 * or "poll this transfer once" holds across instances by the schema.
 */
export const migration: Migration = {
  name: '0016_jobs',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'jobs',
      {
        ...id,
        kind: { type: DataTypes.STRING(64), allowNull: false },
        idempotency_key: { type: DataTypes.STRING(191), allowNull: true, unique: true },
        payload: { type: DataTypes.TEXT, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        run_at: { type: DataTypes.DATE, allowNull: false },
        locked_by: { type: DataTypes.STRING(64), allowNull: true },
        locked_at: { type: DataTypes.DATE, allowNull: true },
        last_error: { type: DataTypes.TEXT, allowNull: true },
        finished_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('jobs', ['status', 'kind', 'run_at'], { name: 'jobs_due' });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('jobs');
  },
};
