import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

export interface PartnerRow {
  id: number;
  name: string;
  type: string;
  status: string;
  credit_code: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  address: string | null;
  agreement_signed_on: string | null;
  info: string | null;
  notes: string | null;
  owner_user_id: number;
  department_id: number;
  last_follow_up_at: Date | null;
  next_follow_up_at: Date | null;
  version: number;
  created_by: number | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type Generated = 'id' | 'created_at' | 'updated_at' | 'version' | 'deleted_at' | 'last_follow_up_at';

export const partnerModels = modelsFor((sequelize) => {
  const Partner: ModelStatic<Model<PartnerRow, Optional<PartnerRow, Generated>>> = sequelize.define(
    'ConsignmentPartner',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: DataTypes.STRING,
      type: DataTypes.STRING,
      status: DataTypes.STRING,
      credit_code: DataTypes.STRING,
      contact_name: DataTypes.STRING,
      contact_phone: DataTypes.STRING,
      address: DataTypes.STRING,
      agreement_signed_on: DataTypes.DATEONLY,
      info: DataTypes.TEXT,
      notes: DataTypes.TEXT,
      owner_user_id: DataTypes.INTEGER,
      department_id: DataTypes.INTEGER,
      last_follow_up_at: DataTypes.DATE,
      next_follow_up_at: DataTypes.DATE,
      version: { type: DataTypes.INTEGER, defaultValue: 1 },
      created_by: DataTypes.INTEGER,
      deleted_at: DataTypes.DATE,
    },
    { tableName: 'consignment_partners', ...TIMESTAMPS },
  );
  return { Partner };
});
