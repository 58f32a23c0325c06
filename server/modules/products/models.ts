import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { ProductStatus, RISK_LEVELS } from '@shared/products';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

/** A nullable BIGINT read back as a number (MySQL hands BIGINT over as a string). */
const bigintOrNull = (column: string) => ({
  type: DataTypes.BIGINT,
  get(this: Model) {
    const v = this.getDataValue(column) as unknown;
    return v === null || v === undefined ? null : Number(v);
  },
});

export interface ProductRow {
  id: number;
  code: string;
  name: string;
  category: string;
  risk_level: (typeof RISK_LEVELS)[number];
  status: ProductStatus;
  issuer: string | null;
  description: string | null;
  /** A fixed-term product's term: a holding matures this many days after its last buy. */
  term_days: number | null;
  /** 仅限合格投资者 (0033). */
  qualified_only: boolean;
  /** 最低认购金额 in 分 (0033), null: none. */
  min_subscription_fen: number | null;
  /** 双录 (0033): a buy needs its recording's reference before its 回访 confirms it. */
  recording_required: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface ProductNavRow {
  id: number;
  product_id: number;
  nav_date: string;
  nav: string | number;
  /** 累计净值 (0029); null when not given. */
  accumulated_nav: string | number | null;
  created_at: Date;
  updated_at: Date;
}

export const productModels = modelsFor((sequelize) => {
  const Product: ModelStatic<
    Model<ProductRow, Optional<ProductRow, 'id' | 'created_at' | 'updated_at' | 'term_days' | 'qualified_only' | 'min_subscription_fen' | 'recording_required'>>
  > = sequelize.define(
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
      term_days: DataTypes.INTEGER,
      qualified_only: DataTypes.BOOLEAN,
      min_subscription_fen: bigintOrNull('min_subscription_fen'),
      recording_required: DataTypes.BOOLEAN,
    },
    { tableName: 'products', ...TIMESTAMPS },
  );
  const ProductNav: ModelStatic<Model<ProductNavRow, Optional<ProductNavRow, 'id' | 'created_at' | 'updated_at' | 'accumulated_nav'>>> = sequelize.define(
    'ProductNav',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      product_id: DataTypes.INTEGER,
      nav_date: DataTypes.DATEONLY,
      nav: DataTypes.DECIMAL(14, 4),
      accumulated_nav: DataTypes.DECIMAL(14, 4),
    },
    { tableName: 'product_navs', ...TIMESTAMPS },
  );
  return { Product, ProductNav };
});
