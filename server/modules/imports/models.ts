import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { ImportCounts, ImportKind, ImportMode, ImportStatus } from '@shared/imports';
import { idColumn, modelsFor, TIMESTAMPS } from '../../db/model-registry';

export interface ImportJobRow extends ImportCounts {
  id: number;
  kind: ImportKind;
  mode: ImportMode;
  dry_run: boolean;
  status: ImportStatus;
  file_name: string;
  file: Buffer;
  source_job_id: number | null;
  done_through_row: number;
  unknown_columns: string;
  error: string | null;
  created_by: number;
  heartbeat_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface ImportErrorRow {
  id: number;
  job_id: number;
  row_number: number;
  column_name: string | null;
  value: string | null;
  message: string;
}

type JobDefaults =
  | 'id'
  | 'created_at'
  | 'updated_at'
  | 'source_job_id'
  | 'total'
  | 'processed'
  | 'created'
  | 'updated'
  | 'skipped'
  | 'failed'
  | 'done_through_row'
  | 'error'
  | 'heartbeat_at'
  | 'finished_at';

export const importModels = modelsFor((sequelize) => {
  const ImportJob: ModelStatic<Model<ImportJobRow, Optional<ImportJobRow, JobDefaults>>> = sequelize.define(
    'ImportJob',
    {
      id: idColumn(),
      kind: DataTypes.STRING,
      mode: DataTypes.STRING,
      dry_run: DataTypes.BOOLEAN,
      status: DataTypes.STRING,
      file_name: DataTypes.STRING,
      file: DataTypes.BLOB('long'),
      source_job_id: DataTypes.INTEGER,
      total: DataTypes.INTEGER,
      processed: DataTypes.INTEGER,
      created: DataTypes.INTEGER,
      updated: DataTypes.INTEGER,
      skipped: DataTypes.INTEGER,
      failed: DataTypes.INTEGER,
      done_through_row: DataTypes.INTEGER,
      unknown_columns: DataTypes.TEXT,
      error: DataTypes.STRING,
      created_by: DataTypes.INTEGER,
      heartbeat_at: DataTypes.DATE,
      finished_at: DataTypes.DATE,
    },
    { tableName: 'import_jobs', ...TIMESTAMPS },
  );
  const ImportError: ModelStatic<Model<ImportErrorRow, Optional<ImportErrorRow, 'id'>>> = sequelize.define(
    'ImportJobError',
    {
      id: idColumn(),
      job_id: DataTypes.INTEGER,
      row_number: DataTypes.INTEGER,
      column_name: DataTypes.STRING,
      value: DataTypes.STRING,
      message: DataTypes.STRING,
    },
    { tableName: 'import_job_errors', timestamps: false },
  );
  return { ImportJob, ImportError };
});
