import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { SaleChannel } from '@shared/sales';
import { TIMESTAMPS, bigintColumn, modelsFor } from '../../db/model-registry';

/** One product sale; it counts for the rep and the department it was booked to. */
export interface SaleRow {
  id: number;
  product_id: number;
  customer_id: number;
  rep_user_id: number;
  department_id: number;
  amount_fen: number;
  sold_on: string;
  channel: SaleChannel;
  partner_id: number | null;
  notes: string | null;
  created_by: number | null;
  /** Why a suitability mismatch was overridden (the investor insisted); null when none. */
  suitability_override: string | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const saleModels = modelsFor((sequelize) => {
  const Sale: ModelStatic<Model<SaleRow, Optional<SaleRow, 'id' | 'created_at' | 'updated_at' | 'deleted_at' | 'suitability_override'>>> = sequelize.define(
    'ProductSale',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      product_id: DataTypes.INTEGER,
      customer_id: DataTypes.INTEGER,
      rep_user_id: DataTypes.INTEGER,
      department_id: DataTypes.INTEGER,
      amount_fen: bigintColumn('amount_fen'),
      sold_on: DataTypes.DATEONLY,
      channel: DataTypes.STRING,
      partner_id: DataTypes.INTEGER,
      notes: DataTypes.STRING,
      created_by: DataTypes.INTEGER,
      suitability_override: DataTypes.STRING,
      deleted_at: DataTypes.DATE,
    },
    { tableName: 'product_sales', ...TIMESTAMPS },
  );
  return { Sale };
});

/** The columns the data scope of a sale is judged by. */
export const SALE_SCOPE = { owner: 'rep_user_id', department: 'department_id' };
