import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * Write-backs to WeCom in order (server/jobs, engagement's remark write-back):
 * - `jobs.serial_key`: jobs sharing one run one at a time, in the order queued (a later phone edit
 *   is written after the earlier one, never beside it);
 * - `crm_remark_mobiles`: per follow relation, the remark mobiles the CRM itself wrote into WeCom,
 *   so that a number it wrote and no longer holds is taken out again while the numbers a rep typed
 *   in WeCom stay.
 */
export const migration: Migration = {
  name: '0025_ordered_jobs',
  async up({ queryInterface: q, tableOptions }) {
    await q.addColumn('jobs', 'serial_key', { type: DataTypes.STRING(191), allowNull: true });
    await q.addIndex('jobs', ['serial_key', 'status'], { name: 'jobs_serial_key_status' });
    await q.createTable(
      'crm_remark_mobiles',
      {
        ...id,
        external_userid: { type: DataTypes.STRING(64), allowNull: false },
        userid: { type: DataTypes.STRING(64), allowNull: false },
        /** JSON array of the numbers, as written. */
        mobiles: { type: DataTypes.TEXT, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('crm_remark_mobiles', ['external_userid', 'userid'], { name: 'crm_remark_mobiles_relation', unique: true });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('crm_remark_mobiles');
    await q.removeIndex('jobs', 'jobs_serial_key_status');
    await q.removeColumn('jobs', 'serial_key');
  },
};
