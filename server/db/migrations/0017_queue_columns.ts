import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * The outbox and the import jobs become queues of the one job machinery (server/jobs/queue.ts),
 * which records who holds a row: `locked_by` on both; the import jobs also count attempts and
 * carry a due time like every other queue.
 */
export const migration: Migration = {
  name: '0017_queue_columns',
  async up({ queryInterface: q }) {
    await q.addColumn('notifications', 'locked_by', { type: DataTypes.STRING(64), allowNull: true });
    await q.addColumn('import_jobs', 'locked_by', { type: DataTypes.STRING(64), allowNull: true });
    await q.addColumn('import_jobs', 'attempts', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
    await q.addColumn('import_jobs', 'run_at', { type: DataTypes.DATE, allowNull: true });
  },
  async down({ queryInterface: q }) {
    await q.removeColumn('import_jobs', 'run_at');
    await q.removeColumn('import_jobs', 'attempts');
    await q.removeColumn('import_jobs', 'locked_by');
    await q.removeColumn('notifications', 'locked_by');
  },
};
