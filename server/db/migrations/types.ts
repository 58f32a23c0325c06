import type { QueryInterface, Sequelize } from 'sequelize';
import type { Dialect } from '../connection';

export interface MigrationContext {
  sequelize: Sequelize;
  queryInterface: QueryInterface;
  dialect: Dialect;
  /** Options for createTable: utf8mb4 + InnoDB on MySQL, nothing on SQLite. */
  tableOptions: Record<string, unknown>;
}

export interface Migration {
  /** Sortable, never renamed once released: `0001_kv_cache`. */
  name: string;
  up(ctx: MigrationContext): Promise<void>;
  down(ctx: MigrationContext): Promise<void>;
}
