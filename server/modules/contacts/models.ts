import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

export interface ContactRow {
  id: number;
  customer_id: number;
  name: string;
  title: string | null;
  phone: string | null;
  email: string | null;
  relation: string | null;
  notes: string | null;
  /** customer_id on the primary contact, NULL on the others (unique: one primary per customer). */
  primary_of_customer_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export const contactModels = modelsFor((sequelize) => {
  const Contact: ModelStatic<Model<ContactRow, Optional<ContactRow, 'id' | 'created_at' | 'updated_at'>>> = sequelize.define(
    'CustomerContact',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      customer_id: DataTypes.INTEGER,
      name: DataTypes.STRING,
      title: DataTypes.STRING,
      phone: DataTypes.STRING,
      email: DataTypes.STRING,
      relation: DataTypes.STRING,
      notes: DataTypes.TEXT,
      primary_of_customer_id: DataTypes.INTEGER,
    },
    { tableName: 'customer_contacts', ...TIMESTAMPS },
  );
  return { Contact };
});
