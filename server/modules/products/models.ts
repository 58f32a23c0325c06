import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { ProductStatus, RISK_LEVELS } from '@shared/products';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

export interface ProductRow {
  id: number;
  code: string;
  name: string;
  category: string;
  risk_level: (typeof RISK_LEVELS)[number];
  status: ProductStatus;
  issuer: string | null;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

export const productModels = modelsFor((sequelize) => {
  const Product: ModelStatic<Model<ProductRow, Optional<ProductRow, 'id' | 'created_at' | 'updated_at'>>> = sequelize.define(
    'Product',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      code: DataTypes.STRING,
      name: DataTypes.STRING,
      category: DataTypes.STRING,
      risk_level: DataTypes.STRING,
      status: DataTypes.STRING,
      issuer: DataTypes.STRING,
      description: DataTypes.TEXT,
    },
    { tableName: 'products', ...TIMESTAMPS },
  );
  return { Product };
});
