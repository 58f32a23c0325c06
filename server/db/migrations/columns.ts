import { DataTypes } from 'sequelize';

/** `created_at` / `updated_at`, present on every table (server/README.md#data-model). */
export const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

export const id = {
  id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
};
