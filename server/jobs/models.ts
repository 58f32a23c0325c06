import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import { idColumn, modelsFor, TIMESTAMPS } from '../db/model-registry';

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';

export interface JobRow {
  id: number;
  kind: string;
  idempotency_key: string | null;
  /** Jobs sharing it run one at a time, in order (jobs.ts `NewJob.serialKey`). */
  serial_key: string | null;
  /** JSON. */
  payload: string;
  status: JobStatus;
  attempts: number;
  run_at: Date;
  locked_by: string | null;
  locked_at: Date | null;
  last_error: string | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type JobModel = ModelStatic<
  Model<JobRow, Optional<JobRow, 'id' | 'serial_key' | 'attempts' | 'locked_by' | 'locked_at' | 'last_error' | 'finished_at' | 'created_at' | 'updated_at'>>
>;

export const jobModels = modelsFor((sequelize) => {
  const Job: JobModel = sequelize.define(
    'Job',
    {
      id: idColumn(),
      kind: DataTypes.STRING(64),
      idempotency_key: DataTypes.STRING(191),
      serial_key: DataTypes.STRING(191),
      payload: DataTypes.TEXT,
      status: DataTypes.STRING(16),
      attempts: DataTypes.INTEGER,
      run_at: DataTypes.DATE,
      locked_by: DataTypes.STRING(64),
      locked_at: DataTypes.DATE,
      last_error: DataTypes.TEXT,
      finished_at: DataTypes.DATE,
    },
    { tableName: 'jobs', ...TIMESTAMPS },
  );
  return { Job };
});
