import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * What a sync run wants the admin to know besides its counts: the WeCom rules it worked around
 * (in Chinese, with what to configure) and the figures of its safety checks (relations
 * re-checked before a delete, kept because WeCom's answer was ambiguous). A run that could not
 * finish everything ends `partial` and says why here.
 */
export const migration: Migration = {
  name: '0015_sync_run_notes',
  async up({ queryInterface: q }) {
    await q.addColumn('sync_runs', 'notes', { type: DataTypes.TEXT, allowNull: true });
    await q.addColumn('sync_runs', 'details', { type: DataTypes.TEXT, allowNull: true });
  },
  async down({ queryInterface: q }) {
    await q.removeColumn('sync_runs', 'details');
    await q.removeColumn('sync_runs', 'notes');
  },
};
