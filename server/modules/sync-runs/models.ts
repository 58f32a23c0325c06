import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { SyncKind, SyncRunJson, SyncStatus } from '@shared/sync';
import { iso, isoOrNull } from '../../db/lookup';
import { idColumn, modelsFor, TIMESTAMP_COLUMNS } from '../../db/model-registry';

export type { SyncKind, SyncStatus };

export interface SyncRunRow {
  id: number;
  kind: SyncKind;
  status: SyncStatus;
  started_by: number | null;
  progress: number;
  phase: string | null;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  left_count: number;
  error: string | null;
  /** JSON: the admin notes (Chinese sentences). */
  notes: string | null;
  /** JSON: named figures beyond the four counts (e.g. relations re-checked). */
  details: string | null;
  started_at: Date;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type SyncRunModel = ModelStatic<
  Model<
    SyncRunRow,
    Optional<
      SyncRunRow,
      | 'id'
      | 'created_at'
      | 'updated_at'
      | 'progress'
      | 'phase'
      | 'created_count'
      | 'updated_count'
      | 'unchanged_count'
      | 'left_count'
      | 'error'
      | 'finished_at'
      | 'notes'
      | 'details'
    >
  >
>;

export const syncRunModels = modelsFor((sequelize) => {
  const SyncRun: SyncRunModel = sequelize.define(
    'SyncRun',
    {
      id: idColumn(),
      kind: DataTypes.STRING,
      status: DataTypes.STRING,
      started_by: DataTypes.INTEGER,
      progress: DataTypes.INTEGER,
      phase: DataTypes.STRING,
      created_count: DataTypes.INTEGER,
      updated_count: DataTypes.INTEGER,
      unchanged_count: DataTypes.INTEGER,
      left_count: DataTypes.INTEGER,
      error: DataTypes.TEXT,
      notes: DataTypes.TEXT,
      details: DataTypes.TEXT,
      started_at: DataTypes.DATE,
      finished_at: DataTypes.DATE,
      ...TIMESTAMP_COLUMNS,
    },
    { tableName: 'sync_runs', underscored: true },
  );
  return { SyncRun };
});

/** A run as the admin API reports it. */
export function syncRunView(row: SyncRunRow): SyncRunJson {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    startedBy: row.started_by,
    progress: row.progress,
    phase: row.phase,
    counts: { created: row.created_count, updated: row.updated_count, unchanged: row.unchanged_count, left: row.left_count },
    error: row.error,
    notes: row.notes ? (JSON.parse(row.notes) as string[]) : [],
    details: row.details ? (JSON.parse(row.details) as Record<string, number>) : {},
    startedAt: iso(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
  };
}
