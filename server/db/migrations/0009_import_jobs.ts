import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * Excel imports (server/README.md#import-flow). The uploaded file is kept with its job so the work can run in the
 * background, a dry run can be committed without a second upload, an interrupted import can be
 * resumed, and the error report can repeat the failed rows as they were uploaded.
 */
export const migration: Migration = {
  name: '0009_import_jobs',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'import_jobs',
      {
        ...id,
        kind: { type: DataTypes.STRING(16), allowNull: false },
        mode: { type: DataTypes.STRING(16), allowNull: false },
        dry_run: { type: DataTypes.BOOLEAN, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        file_name: { type: DataTypes.STRING(256), allowNull: false },
        file: { type: DataTypes.BLOB('long'), allowNull: false },
        /** The dry run this job commits, if any. */
        source_job_id: { type: DataTypes.INTEGER, allowNull: true },
        total: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        processed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        updated: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        skipped: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        failed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        /** The Excel row the committed batches reach: a resumed import carries on below it. */
        done_through_row: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        /** JSON array of the header texts no column matched. */
        unknown_columns: { type: DataTypes.TEXT, allowNull: false },
        error: { type: DataTypes.STRING(1024), allowNull: true },
        created_by: { type: DataTypes.INTEGER, allowNull: false },
        heartbeat_at: { type: DataTypes.DATE, allowNull: true },
        finished_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('import_jobs', ['created_by', 'id'], { name: 'import_jobs_creator' });
    await q.addIndex('import_jobs', ['status'], { name: 'import_jobs_status' });

    // Every row problem, written with the batch that reached the row (so a resume never repeats one).
    await q.createTable(
      'import_job_errors',
      {
        ...id,
        job_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'import_jobs', key: 'id' }, onDelete: 'CASCADE' },
        row_number: { type: DataTypes.INTEGER, allowNull: false },
        column_name: { type: DataTypes.STRING(128), allowNull: true },
        value: { type: DataTypes.STRING(512), allowNull: true },
        message: { type: DataTypes.STRING(512), allowNull: false },
      },
      tableOptions,
    );
    await q.addIndex('import_job_errors', ['job_id', 'row_number'], { name: 'import_job_errors_job' });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('import_job_errors');
    await q.dropTable('import_jobs');
  },
};
