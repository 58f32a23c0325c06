import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { PARTNER_FIELDS } from '@shared/partners';
import type { ColumnsOf } from '@shared/record-fields';
import { idColumn, modelsFor, TIMESTAMPS } from '../../db/model-registry';

/** A consignment_partners row: the declared fields' columns (PARTNER_FIELDS, shared/partners.ts) and these; the model is typed by it. */
export interface PartnerRow extends ColumnsOf<typeof PARTNER_FIELDS> {
  id: number;
  owner_user_id: number;
  department_id: number;
  last_follow_up_at: Date | null;
  version: number;
  created_by: number | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type Generated = 'id' | 'created_at' | 'updated_at' | 'version' | 'deleted_at' | 'last_follow_up_at';

type PartnerInstance = Model<PartnerRow, Optional<PartnerRow, Generated>>;

export const partnerModels = modelsFor((sequelize) => {
  const Partner: ModelStatic<PartnerInstance> = sequelize.define<PartnerInstance, Omit<PartnerRow, 'created_at' | 'updated_at'>>(
    'ConsignmentPartner',
    {
      id: idColumn(),
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
