import { createRequire } from 'node:module';
import type { Sequelize } from 'sequelize';
import type * as UmzugModule from 'umzug';
import type { Logger } from '../logger';
import { dialectOf } from './connection';
import { withDatabaseLock } from './lease';
import { migrations as allMigrations } from './migrations';
import type { Migration, MigrationContext } from './migrations/types';

const MIGRATION_TABLE = 'schema_migrations';

/**
 * umzug loads when a migration runs, not with each module that opens the database: the server
 * migrates once at start, and each test file that never migrates saved its load (~0.1 s of CPU).
 */
function createUmzug(sequelize: Sequelize, migrations: readonly Migration[] = allMigrations, logger?: Logger) {
  const { SequelizeStorage, Umzug } = createRequire(__filename)('umzug') as typeof UmzugModule;
  const dialect = dialectOf(sequelize);
  const context: MigrationContext = {
    sequelize,
    queryInterface: sequelize.getQueryInterface(),
    dialect,
    tableOptions: dialect === 'mysql' ? { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci', engine: 'InnoDB' } : {},
  };
  return new Umzug<MigrationContext>({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: ({ context: c }) => m.up(c),
      down: ({ context: c }) => m.down(c),
    })),
    context,
    storage: new SequelizeStorage({ sequelize, tableName: MIGRATION_TABLE }),
    logger: logger
      ? {
          info: (e) => logger.info(e, 'migration'),
          warn: (e) => logger.warn(e, 'migration'),
          error: (e) => logger.error(e, 'migration'),
          debug: (e) => logger.debug(e, 'migration'),
        }
      : undefined,
  });
}

/**
 * Applies pending migrations. Several instances starting together against one MySQL (or several
 * Galera nodes) take a database lock (server/db/lease.ts) so exactly one of them migrates; the
 * others wait and find nothing pending.
 */
export async function migrateUp(sequelize: Sequelize, options: { logger?: Logger; migrations?: readonly Migration[] } = {}): Promise<string[]> {
  const umzug = createUmzug(sequelize, options.migrations, options.logger);
  return withDatabaseLock(sequelize, 'wecom-crm:migrate', 120, async () => {
    const applied = await umzug.up();
    return applied.map((m) => m.name);
  });
}

/** Reverts every migration (tests use it to prove the `down` steps work). */
export async function migrateDownAll(sequelize: Sequelize, logger?: Logger): Promise<string[]> {
  const umzug = createUmzug(sequelize, undefined, logger);
  const reverted = await umzug.down({ to: 0 });
  return reverted.map((m) => m.name);
}

export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  const pending = await createUmzug(sequelize).pending();
  return pending.map((m) => m.name);
}
