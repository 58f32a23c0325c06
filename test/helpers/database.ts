/**
 * Gives a test file a fresh, migrated database on every dialect under test: SQLite in memory
 * always, and MySQL/MariaDB when TEST_DATABASE_URL is set (a scratch schema per test file,
 * dropped afterwards).
 *
 *   describe.each(databaseTargets())('$label', (target) => {
 *     const db = useTestDatabase(target);
 *     it('…', async () => { await db.sequelize.query('SELECT 1'); });
 *   });
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Sequelize } from 'sequelize';
import type { DatabaseConfig } from '../../config';
import { migrateUp, openDatabase } from '../../server/db';
import { grantHandTypedRiskLevels } from './risk-levels';
import { copySqliteTemplate, hasMysqlTemplate, keepMysqlScratch, scratchSchemaName, sqliteTemplateFile, takeMysqlScratch } from './template-database';

export interface DatabaseTarget {
  label: 'sqlite' | 'mysql';
  /** For mysql: the server URL whose database is only used to create scratch schemas. */
  serverUrl?: string;
  /** For sqlite: a file, as `npm start` opens it (WAL, one connection per transaction), instead of memory. */
  sqliteFile?: string;
}

export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ label: 'sqlite' }];
  const mysql = process.env.TEST_DATABASE_URL;
  if (mysql) targets.push({ label: 'mysql', serverUrl: mysql });
  return targets;
}

export interface TestDatabase {
  readonly sequelize: Sequelize;
  readonly config: DatabaseConfig;
}

export interface ScratchDatabase extends TestDatabase {
  drop(): Promise<void>;
}

/**
 * Creates (and, unless `migrate: false`, migrates) a database nobody else uses. Migrated means a
 * copy of the run's migrated template (template-database.ts) when globalSetup made one.
 */
export async function createScratchDatabase(target: DatabaseTarget, options: { migrate?: boolean } = {}): Promise<ScratchDatabase> {
  const migrate = options.migrate !== false;
  let config: DatabaseConfig;
  let dropSchema = async () => {};
  let fill = (sequelize: Sequelize): Promise<unknown> => migrateUp(sequelize);
  if (target.label === 'sqlite') {
    const storage = target.sqliteFile ?? ':memory:';
    config = { dialect: 'sqlite', storage, url: `sqlite:${storage}` };
    const template = sqliteTemplateFile();
    if (migrate && template && storage === ':memory:') {
      fill = (sequelize) => copySqliteTemplate(sequelize, template);
    } else if (migrate && template && !existsSync(storage)) {
      mkdirSync(dirname(storage), { recursive: true });
      copyFileSync(template, storage);
      fill = async () => {};
    }
  } else {
    const server = new URL(target.serverUrl!);
    let schema: string;
    if (migrate && hasMysqlTemplate() && target.serverUrl === process.env.TEST_DATABASE_URL) {
      schema = await takeMysqlScratch(server.toString());
      fill = async () => {};
      dropSchema = async () => keepMysqlScratch(schema);
    } else {
      schema = scratchSchemaName();
      const admin = await openDatabase({ dialect: 'mysql', url: server.toString() });
      await admin.query(`CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await admin.close();
      dropSchema = async () => {
        const again = await openDatabase({ dialect: 'mysql', url: server.toString() });
        await again.query(`DROP DATABASE IF EXISTS \`${schema}\``);
        await again.close();
      };
    }
    const url = new URL(server.toString());
    url.pathname = `/${schema}`;
    config = { dialect: 'mysql', url: url.toString() };
  }
  const sequelize = await openDatabase(config);
  if (migrate) {
    await fill(sequelize);
    await grantHandTypedRiskLevels(sequelize);
  }
  return {
    sequelize,
    config,
    async drop() {
      await sequelize.close();
      await dropSchema();
    },
  };
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in before the tests run. */
export function useTestDatabase(target: DatabaseTarget, options: { migrate?: boolean } = {}): TestDatabase {
  let scratch: ScratchDatabase | undefined;
  const handle = {
    get sequelize() {
      if (!scratch) throw new Error('useTestDatabase: the database is only ready inside tests');
      return scratch.sequelize;
    },
    get config() {
      if (!scratch) throw new Error('useTestDatabase: the database is only ready inside tests');
      return scratch.config;
    },
  };
  beforeAll(async () => {
    scratch = await createScratchDatabase(target, options);
  });
  afterAll(async () => {
    await scratch?.drop();
  });
  return handle;
}
