import { DataTypes, type Model, type Sequelize } from 'sequelize';

/**
 * Models are defined per Sequelize instance (tests open many). `modelsFor(define)` memoises a
 * domain's model definitions on each instance, so a module asks `orgModels(sequelize)` anywhere.
 */
export function modelsFor<T>(define: (sequelize: Sequelize) => T): (sequelize: Sequelize) => T {
  const cache = new WeakMap<Sequelize, T>();
  return (sequelize) => {
    let models = cache.get(sequelize);
    if (!models) {
      models = define(sequelize);
      cache.set(sequelize, models);
    }
    return models;
  };
}

/** A BIGINT read back as a number (MySQL hands BIGINT and SUM results over as strings). */
export const bigintColumn = (column: string) => ({
  type: DataTypes.BIGINT,
  get(this: Model) {
    return Number(this.getDataValue(column));
  },
});

/** The `id` column of a table whose rows the database numbers: a new object for each model (Sequelize writes into a column's definition). */
export const idColumn = () => ({ type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true });

/** The `created_at` / `updated_at` columns as plain attributes of a model (one with TIMESTAMPS has them as its timestamps). */
export const TIMESTAMP_COLUMNS = { created_at: DataTypes.DATE, updated_at: DataTypes.DATE } as const;

/**
 * Model options: the table's `created_at` / `updated_at` columns are the model's own timestamp
 * attributes, set by Sequelize on create and update and readable under those names.
 */
export const TIMESTAMPS = { underscored: true, timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' } as const;
