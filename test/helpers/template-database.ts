/**
 * A migrated database made once per jest run (globalSetup) and copied into every scratch
 * database, instead of running the migrations again for each: on SQLite a migration run took
 * ~100 ms and a copy takes ~2 ms; on MariaDB a migration run took 1.5–7 s (its ALTERs rebuild
 * tables) and replaying the finished tables takes a fraction of that. The copy is the migrated
 * database itself (SQLite: page by page; MySQL: each table's and trigger's own CREATE as the server
 * shows it, and the rows the migrations seeded), so a test sees the same schema, seed rows,
 * triggers, auto-increment counters and schema_migrations as after `migrateUp`.
 *
 * globalSetup runs make-templates.ts under tsx (jest's globalSetup knows no `@shared/` paths, which
 * the migrations import). Without the environment it leaves (a script importing the helpers
 * outside jest), scratch databases are migrated as before.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Sequelize } from 'sequelize';

/** The folder globalSetup made for this run's templates (inherited by the jest workers). */
export const TEMPLATE_DIR_ENV = 'WCRM_TEST_TEMPLATE_DIR';
export const SQLITE_TEMPLATE_FILE = 'template.sqlite';
export const MYSQL_TEMPLATE_FILE = 'template-mysql.json';

/** What a MySQL scratch schema is built from. */
export interface MysqlTemplate {
  /** The migrated template schema, for copying its seeded rows. */
  schema: string;
  /** Each table's CREATE TABLE in the order the server lists them (foreign key checks are off while they run). */
  tables: { name: string; create: string; hasRows: boolean }[];
  /** Each trigger's CREATE TRIGGER with the sql_mode it was created under, in creation order. */
  triggers: { create: string; sqlMode: string }[];
}

/** globalTeardown: drops the MySQL template schema and removes the folder. */
export async function dropTemplates(mysqlServerUrl: string | undefined): Promise<void> {
  const dir = process.env[TEMPLATE_DIR_ENV];
  if (!dir) return;
  const template = readMysqlTemplate();
  if (template && mysqlServerUrl) {
    const conn = await mysql.createConnection({ uri: mysqlServerUrl });
    await conn.query(`DROP DATABASE IF EXISTS \`${template.schema}\``);
    await conn.end();
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The migrated SQLite file to copy, when globalSetup made one. */
export function sqliteTemplateFile(): string | undefined {
  const dir = process.env[TEMPLATE_DIR_ENV];
  return dir ? join(dir, SQLITE_TEMPLATE_FILE) : undefined;
}

/** Copies the template into a freshly opened, still empty SQLite database (memory or file) through SQLite's backup API. */
export async function copySqliteTemplate(sequelize: Sequelize, templateFile: string): Promise<void> {
  await sequelize.query('SELECT 1'); // the one connection exists from here on
  type Backup = { step(pages: number, done: (err: Error | null) => void): void; finish(done: (err: Error | null) => void): void };
  type RawSqlite = { backup(file: string, destName: string, sourceName: string, fileIsDestination: boolean, ready: (err: Error | null) => void): Backup };
  const manager = sequelize.connectionManager as unknown as { getConnection(options: object): Promise<RawSqlite> };
  const raw = await manager.getConnection({});
  await new Promise<void>((done, fail) => {
    const backup = raw.backup(templateFile, 'main', 'main', false, (err) => {
      if (err) return fail(err);
      backup.step(-1, (stepErr) => backup.finish((finishErr) => (stepErr || finishErr ? fail(stepErr ?? finishErr) : done())));
    });
  });
}

function readMysqlTemplate(): MysqlTemplate | undefined {
  const dir = process.env[TEMPLATE_DIR_ENV];
  if (!dir) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, MYSQL_TEMPLATE_FILE), 'utf8')) as MysqlTemplate;
  } catch {
    return undefined;
  }
}

/** Whether MySQL scratch schemas can be built from a template (globalSetup ran with TEST_DATABASE_URL). */
export function hasMysqlTemplate(): boolean {
  return readMysqlTemplate() !== undefined;
}

/** Builds the (already created, empty) schema `schema` from the template: tables, seeded rows, then triggers. */
export async function copyMysqlTemplate(serverUrl: string, schema: string): Promise<void> {
  const template = readMysqlTemplate();
  if (!template) throw new Error('test template: no MySQL template (globalSetup did not run with TEST_DATABASE_URL)');
  const conn = await mysql.createConnection({ uri: serverUrl, charset: 'utf8mb4' });
  try {
    await conn.query(`USE \`${schema}\``);
    await conn.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const table of template.tables) await conn.query(table.create);
    for (const table of template.tables) {
      if (table.hasRows) await conn.query(`INSERT INTO \`${table.name}\` SELECT * FROM \`${template.schema}\`.\`${table.name}\``);
    }
    for (const trigger of template.triggers) {
      await conn.query('SET SESSION sql_mode = ?', [trigger.sqlMode]);
      await conn.query(trigger.create);
    }
  } finally {
    await conn.end();
  }
}
