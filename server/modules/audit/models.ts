import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import { idColumn, modelsFor, TIMESTAMP_COLUMNS } from '../../db/model-registry';

export interface AuditLogRow {
  id: number;
  actor_user_id: number | null;
  /** The actor's WeCom userid, or `system` / `cli`. Kept even if the user row changes. */
  actor_label: string;
  action: string;
  entity: string | null;
  entity_id: string | null;
  summary: string;
  /** JSON: what changed ({field: [before, after]}) or other structured detail. */
  diff: string | null;
  ip: string | null;
  created_at: Date;
  updated_at: Date;
}

export type AuditLogModel = ModelStatic<
  Model<AuditLogRow, Optional<AuditLogRow, 'id' | 'created_at' | 'updated_at' | 'entity' | 'entity_id' | 'diff' | 'ip' | 'actor_user_id'>>
>;

export const auditModels = modelsFor((sequelize) => {
  const AuditLog: AuditLogModel = sequelize.define(
    'AuditLog',
    {
      id: idColumn(),
      actor_user_id: DataTypes.INTEGER,
      actor_label: DataTypes.STRING,
      action: DataTypes.STRING,
      entity: DataTypes.STRING,
      entity_id: DataTypes.STRING,
      summary: DataTypes.STRING,
      diff: DataTypes.TEXT,
      ip: DataTypes.STRING,
      ...TIMESTAMP_COLUMNS,
    },
    { tableName: 'audit_logs', underscored: true },
  );
  return { AuditLog };
});
