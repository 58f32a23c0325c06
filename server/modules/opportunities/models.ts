import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import { TIMESTAMPS, bigintColumn, modelsFor } from '../../db/model-registry';

/** One 商机 (migration 0036). */
export interface OpportunityRow {
  id: number;
  name: string;
  customer_id: number;
  partner_id: number | null;
  /** A JSON array of product ids. */
  product_ids: string;
  expected_amount_fen: number;
  stage: string;
  expected_on: string;
  next_step: string | null;
  owner_user_id: number;
  department_id: number;
  loss_reason: string | null;
  loss_note: string | null;
  trade_id: number | null;
  stage_changed_at: Date;
  closed_at: Date | null;
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
}

/** A stage an opportunity entered (`from_stage` NULL: it was created). */
export interface OpportunityStageChangeRow {
  id: number;
  opportunity_id: number;
  customer_id: number;
  from_stage: string | null;
  to_stage: string;
  changed_by: number | null;
  at: Date;
  created_at: Date;
  updated_at: Date;
}

type OpportunityInstance = Model<OpportunityRow, Optional<OpportunityRow, 'id' | 'created_at' | 'updated_at'>>;
type StageChangeInstance = Model<OpportunityStageChangeRow, Optional<OpportunityStageChangeRow, 'id' | 'created_at' | 'updated_at'>>;

export const opportunityModels = modelsFor((sequelize) => {
  const Opportunity: ModelStatic<OpportunityInstance> = sequelize.define<OpportunityInstance>(
    'Opportunity',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: DataTypes.STRING,
      customer_id: DataTypes.INTEGER,
      partner_id: DataTypes.INTEGER,
      product_ids: DataTypes.TEXT,
      expected_amount_fen: bigintColumn('expected_amount_fen'),
      stage: DataTypes.STRING,
      expected_on: DataTypes.DATEONLY,
      next_step: DataTypes.STRING,
      owner_user_id: DataTypes.INTEGER,
      department_id: DataTypes.INTEGER,
      loss_reason: DataTypes.STRING,
      loss_note: DataTypes.STRING,
      trade_id: DataTypes.INTEGER,
      stage_changed_at: DataTypes.DATE,
      closed_at: DataTypes.DATE,
      created_by: DataTypes.INTEGER,
      created_at: DataTypes.DATE,
      updated_at: DataTypes.DATE,
    },
    { tableName: 'opportunities', ...TIMESTAMPS },
  );
  const StageChange: ModelStatic<StageChangeInstance> = sequelize.define<StageChangeInstance>(
    'OpportunityStageChange',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      opportunity_id: DataTypes.INTEGER,
      customer_id: DataTypes.INTEGER,
      from_stage: DataTypes.STRING,
      to_stage: DataTypes.STRING,
      changed_by: DataTypes.INTEGER,
      at: DataTypes.DATE,
      created_at: DataTypes.DATE,
      updated_at: DataTypes.DATE,
    },
    { tableName: 'opportunity_stage_changes', ...TIMESTAMPS },
  );
  return { Opportunity, StageChange };
});
