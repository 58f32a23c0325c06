import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { TargetMetric } from '@shared/targets';
import { TIMESTAMPS, bigintColumn, modelsFor } from '../../db/model-registry';

export interface TargetRow {
  id: number;
  /** `2026-11`, `2026-Q4` or `2026`. */
  period: string;
  scope_type: 'user' | 'department';
  scope_id: number;
  metric: TargetMetric;
  /** Fen for sales_amount, a count otherwise. */
  value: number;
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
}

export const targetModels = modelsFor((sequelize) => {
  const Target: ModelStatic<Model<TargetRow, Optional<TargetRow, 'id' | 'created_at' | 'updated_at'>>> = sequelize.define(
    'Target',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      period: DataTypes.STRING,
      scope_type: DataTypes.STRING,
      scope_id: DataTypes.INTEGER,
      metric: DataTypes.STRING,
      value: bigintColumn('value'),
      created_by: DataTypes.INTEGER,
    },
    { tableName: 'targets', ...TIMESTAMPS },
  );
  return { Target };
});
