import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { CUSTOMER_FIELDS } from '@shared/customers';
import type { ColumnsOf } from '@shared/record-fields';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

/**
 * A customers row: the declared fields' columns (CUSTOMER_FIELDS, shared/customers.ts) and these.
 * The model below is typed by it, so a declared column missing from the model fails to compile.
 */
export interface CustomerRow extends ColumnsOf<typeof CUSTOMER_FIELDS> {
  id: number;
  unionid: string | null;
  /** The name's pinyin initials (0042), written with the name (CUSTOMER_FIELDS `initialsColumn`). */
  name_initials: string | null;
  owner_user_id: number;
  department_id: number;
  last_follow_up_at: Date | null;
  version: number;
  merged_into_id: number | null;
  /** The 渠道活码 `State` a WeCom lead arrived through. */
  acquisition_channel: string | null;
  /** 合格投资者 (0033, shared/qualification.ts): basis, date of its evidence, until when it holds. */
  qualification_basis: string | null;
  qualification_evidence_on: string | null;
  qualification_valid_until: string | null;
  created_by: number | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type Generated =
  | 'id'
  | 'created_at'
  | 'updated_at'
  | 'version'
  | 'deleted_at'
  | 'unionid'
  | 'name_initials'
  | 'last_follow_up_at'
  | 'merged_into_id'
  | 'acquisition_channel'
  | 'risk_level'
  | 'investor_class'
  | 'risk_assessed_on'
  | 'risk_assessment_expires_on'
  | 'qualification_basis'
  | 'qualification_evidence_on'
  | 'qualification_valid_until'
  | 'marketing_opt_out';
type CustomerInstance = Model<CustomerRow, Optional<CustomerRow, Generated>>;
export type CustomerModel = ModelStatic<CustomerInstance>;

export const customerModels = modelsFor((sequelize) => {
  const Customer: CustomerModel = sequelize.define<CustomerInstance>(
    'Customer',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      type: DataTypes.STRING,
      name: DataTypes.STRING,
      name_initials: DataTypes.STRING,
      status: DataTypes.STRING,
      lifecycle_stage: DataTypes.STRING,
      source: DataTypes.STRING,
      level: DataTypes.STRING,
      institution: DataTypes.STRING,
      title: DataTypes.STRING,
      phone: DataTypes.STRING,
      email: DataTypes.STRING,
      unionid: DataTypes.STRING,
      notes: DataTypes.TEXT,
      owner_user_id: DataTypes.INTEGER,
      department_id: DataTypes.INTEGER,
      next_follow_up_at: DataTypes.DATE,
      last_follow_up_at: DataTypes.DATE,
      version: { type: DataTypes.INTEGER, defaultValue: 1 },
      merged_into_id: DataTypes.INTEGER,
      acquisition_channel: DataTypes.STRING,
      risk_level: DataTypes.STRING,
      investor_class: DataTypes.STRING,
      risk_assessed_on: DataTypes.DATEONLY,
      risk_assessment_expires_on: DataTypes.DATEONLY,
      id_type: DataTypes.STRING,
      id_number: DataTypes.STRING,
      birth_date: DataTypes.DATEONLY,
      qualification_basis: DataTypes.STRING,
      qualification_evidence_on: DataTypes.DATEONLY,
      qualification_valid_until: DataTypes.DATEONLY,
      gender: DataTypes.STRING,
      salutation: DataTypes.STRING,
      marketing_opt_out: { type: DataTypes.BOOLEAN, defaultValue: false },
      created_by: DataTypes.INTEGER,
      deleted_at: DataTypes.DATE,
      created_at: DataTypes.DATE,
      updated_at: DataTypes.DATE,
    },
    { tableName: 'customers', underscored: true },
  );
  return { Customer };
});

export interface StageChangeRow {
  id: number;
  customer_id: number;
  from_stage: string | null;
  to_stage: string;
  changed_by: number | null;
  changed_at: Date;
  created_at: Date;
  updated_at: Date;
}

export const stageChangeModels = modelsFor((sequelize) => {
  const StageChange: ModelStatic<Model<StageChangeRow, Optional<StageChangeRow, 'id' | 'created_at' | 'updated_at'>>> = sequelize.define(
    'CustomerStageChange',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      customer_id: DataTypes.INTEGER,
      from_stage: DataTypes.STRING,
      to_stage: DataTypes.STRING,
      changed_by: DataTypes.INTEGER,
      changed_at: DataTypes.DATE,
    },
    { tableName: 'customer_stage_changes', ...TIMESTAMPS },
  );
  return { StageChange };
});
