import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { HoldingRecordKind } from '@shared/products';
import { TIMESTAMPS, bigintColumn, modelsFor } from '../../db/model-registry';
import { customerModels } from '../customers/models';

/** A customer's position in one product. Its figures are the sums of its records' deltas. */
export interface HoldingRow {
  id: number;
  customer_id: number;
  product_id: number;
  amount_fen: number;
  cost_fen: number;
  shares_hundredths: number;
  status: 'holding' | 'closed';
  first_bought_on: string | null;
  last_changed_on: string | null;
  matures_on: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface HoldingRecordRow {
  id: number;
  holding_id: number;
  kind: HoldingRecordKind;
  amount_delta_fen: number;
  cost_delta_fen: number;
  shares_delta_hundredths: number;
  traded_on: string;
  user_id: number | null;
  notes: string | null;
  created_at: Date;
  updated_at: Date;
}

export const holdingModels = modelsFor((sequelize) => {
  const Holding: ModelStatic<Model<HoldingRow, Optional<HoldingRow, 'id' | 'created_at' | 'updated_at'>>> = sequelize.define(
    'Holding',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      customer_id: DataTypes.INTEGER,
      product_id: DataTypes.INTEGER,
      amount_fen: bigintColumn('amount_fen'),
      cost_fen: bigintColumn('cost_fen'),
      shares_hundredths: bigintColumn('shares_hundredths'),
      status: DataTypes.STRING,
      first_bought_on: DataTypes.DATEONLY,
      last_changed_on: DataTypes.DATEONLY,
      matures_on: DataTypes.DATEONLY,
    },
    { tableName: 'holdings', ...TIMESTAMPS },
  );
  const HoldingRecord: ModelStatic<Model<HoldingRecordRow, Optional<HoldingRecordRow, 'id' | 'created_at' | 'updated_at'>>> = sequelize.define(
    'HoldingRecord',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      holding_id: DataTypes.INTEGER,
      kind: DataTypes.STRING,
      amount_delta_fen: bigintColumn('amount_delta_fen'),
      cost_delta_fen: bigintColumn('cost_delta_fen'),
      shares_delta_hundredths: bigintColumn('shares_delta_hundredths'),
      traded_on: DataTypes.DATEONLY,
      user_id: DataTypes.INTEGER,
      notes: DataTypes.STRING,
    },
    { tableName: 'holding_records', ...TIMESTAMPS },
  );
  Holding.belongsTo(customerModels(sequelize).Customer, { foreignKey: 'customer_id', as: 'customer' });
  return { Holding, HoldingRecord };
});
