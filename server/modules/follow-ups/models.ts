import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

/** One follow-up of a customer or of a partner (the two tables share this shape). */
export interface FollowUpRow {
  id: number;
  user_id: number;
  followed_at: Date;
  channel: string;
  content: string;
  outcome: string | null;
  next_action: string | null;
  next_follow_up_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}
export interface CustomerFollowUpRow extends FollowUpRow {
  customer_id: number;
}
export interface PartnerFollowUpRow extends FollowUpRow {
  partner_id: number;
}

type Generated = 'id' | 'created_at' | 'updated_at' | 'deleted_at';

const followUpColumns = {
  id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
  user_id: DataTypes.INTEGER,
  followed_at: DataTypes.DATE,
  channel: DataTypes.STRING,
  content: DataTypes.TEXT,
  outcome: DataTypes.STRING,
  next_action: DataTypes.STRING,
  next_follow_up_at: DataTypes.DATE,
  deleted_at: DataTypes.DATE,
};

export const followUpModels = modelsFor((sequelize) => {
  const FollowUp: ModelStatic<Model<CustomerFollowUpRow, Optional<CustomerFollowUpRow, Generated>>> = sequelize.define(
    'FollowUp',
    { ...followUpColumns, customer_id: DataTypes.INTEGER },
    { tableName: 'follow_ups', ...TIMESTAMPS },
  );
  const PartnerFollowUp: ModelStatic<Model<PartnerFollowUpRow, Optional<PartnerFollowUpRow, Generated>>> = sequelize.define(
    'PartnerFollowUp',
    { ...followUpColumns, partner_id: DataTypes.INTEGER },
    { tableName: 'partner_follow_ups', ...TIMESTAMPS },
  );
  return { FollowUp, PartnerFollowUp };
});
