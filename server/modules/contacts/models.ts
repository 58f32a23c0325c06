import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { CONTACT_FIELDS } from '@shared/customers';
import type { ColumnsOf } from '@shared/record-fields';
import { idColumn, modelsFor, TIMESTAMPS } from '../../db/model-registry';

/** A customer_contacts row: the declared fields' columns (CONTACT_FIELDS, shared/customers.ts) and these; the model is typed by it. */
export interface ContactRow extends ColumnsOf<typeof CONTACT_FIELDS> {
  id: number;
  customer_id: number;
  /** customer_id on the primary contact, NULL on the others (unique: one primary per customer). */
  primary_of_customer_id: number | null;
  created_at: Date;
  updated_at: Date;
}

type ContactInstance = Model<ContactRow, Optional<ContactRow, 'id' | 'created_at' | 'updated_at'>>;

export const contactModels = modelsFor((sequelize) => {
  const Contact: ModelStatic<ContactInstance> = sequelize.define<ContactInstance, Omit<ContactRow, 'created_at' | 'updated_at'>>(
    'CustomerContact',
    {
      id: idColumn(),
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
