/**
 * A migrated database made once per jest run (globalSetup) and copied into every scratch
 * database, instead of running the migrations again for each: on SQLite a migration run took
 * ~100 ms and a copy takes ~2 ms; on MariaDB a migration run took 1.5–7 s (its ALTERs rebuild
 * tables) and replaying the finished tables takes a fraction of that. The copy is the migrated
 * database itself (SQLite: page by page; MySQL: each table's and trigger's own CREATE as the server
 * shows it, and the rows the migrations seeded), so a test sees the same schema, seed rows,
 * triggers, auto-increment counters and schema_migrations as after `migrateUp`.
 *
 * A MySQL scratch schema is not dropped when its test file is done: its worker keeps it and hands it
 * to the worker's next file emptied (every table's rows deleted, the seeded rows and the
 * auto-increment counters put back), which takes a fraction of building one: creating ~90 InnoDB
 * tables and dropping them again cost 3–4 s a test file, most of the MySQL half's set-up. A schema
 * that a connection still uses, or whose tables, columns, indexes or triggers no longer match the
 * template, is left alone; globalTeardown drops every scratch schema of the run.
 *
 * globalSetup runs make-templates.ts under tsx (jest's globalSetup knows no `@shared/` paths, which
 * the migrations import). Without the environment it leaves (a script importing the helpers
 * outside jest), scratch databases are migrated as before.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
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
  tables: { name: string; create: string; hasRows: boolean; autoIncrement: number | null }[];
  /** Each trigger's CREATE TRIGGER with the sql_mode it was created under, in creation order. */
  triggers: { create: string; sqlMode: string }[];
  /** schemaFingerprint of the template: a kept schema that still has it can be emptied and reused. */
  fingerprint: string;
}

/** The run's id (globalSetup), in every scratch schema's name so that teardown drops only this run's. */
export const RUN_ID_ENV = 'WCRM_TEST_RUN_ID';

/** The name of a new MySQL scratch schema of this run and worker. */
export function scratchSchemaName(): string {
  return `wcrm_t_${process.env[RUN_ID_ENV] ?? 'x'}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Tables with their columns, indexes and triggers, as one string: what a test could have changed. */
export async function schemaFingerprint(conn: mysql.Connection, schema: string): Promise<string> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT CONCAT_WS('|',
       (SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name, ' ', column_type, ' ', is_nullable, ' ', IFNULL(column_default, '')) ORDER BY table_name, ordinal_position)
          FROM information_schema.columns WHERE table_schema = ?),
       (SELECT GROUP_CONCAT(CONCAT(table_name, '.', index_name, '.', seq_in_index, '.', column_name, '.', non_unique) ORDER BY table_name, index_name, seq_in_index)
          FROM information_schema.statistics WHERE table_schema = ?),
       (SELECT GROUP_CONCAT(CONCAT(trigger_name, ' ', MD5(action_statement)) ORDER BY trigger_name)
          FROM information_schema.triggers WHERE trigger_schema = ?)) AS f`,
    [schema, schema, schema],
  );
  return String(rows[0]!.f);
}

/** globalTeardown: drops the MySQL template schema and the scratch schemas the workers kept, and removes the folder. */
export async function dropTemplates(mysqlServerUrl: string | undefined): Promise<void> {
  const dir = process.env[TEMPLATE_DIR_ENV];
  if (!dir) return;
  const template = readMysqlTemplate();
  if (template && mysqlServerUrl) {
    const conn = await mysql.createConnection({ uri: mysqlServerUrl });
    const [leftovers] = await conn.query<mysql.RowDataPacket[]>('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?', [
      `wcrm\\_t\\_${process.env[RUN_ID_ENV]}\\_%`,
    ]);
    for (const schema of [template.schema, ...(leftovers as { name: string }[]).map((k) => k.name)]) await conn.query(`DROP DATABASE IF EXISTS \`${schema}\``);
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

/** Schemas built from the template that this worker's finished test files gave back. */
const kept: string[] = [];

/**
 * A schema on the MySQL server holding what the template holds, for one test file: one this worker
 * kept, emptied, or else a new one. Give it back with `keepMysqlScratch` when done.
 */
export async function takeMysqlScratch(serverUrl: string): Promise<string> {
  const template = readMysqlTemplate();
  if (!template) throw new Error('test template: no MySQL template (globalSetup did not run with TEST_DATABASE_URL)');
  const conn = await mysql.createConnection({ uri: serverUrl, charset: 'utf8mb4', multipleStatements: true });
  try {
    for (let schema = kept.pop(); schema; schema = kept.pop()) {
      if (await emptyToTemplate(conn, schema, template)) return schema;
    }
    const schema = scratchSchemaName();
    await conn.query(`CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await copyMysqlTemplate(conn, schema, template);
    return schema;
  } finally {
    await conn.end();
  }
}

/** A test file is done with `schema` (its connections closed): the worker's next file may take it. */
export function keepMysqlScratch(schema: string): void {
  kept.push(schema);
}

/**
 * Puts `schema` back to the template's rows and counters; false when its structure no longer is the
 * template's. Deletes twice: a trigger fired by the first pass may write into a table the pass had
 * already emptied (the rollups).
 */
async function emptyToTemplate(conn: mysql.Connection, schema: string, template: MysqlTemplate): Promise<boolean> {
  // A connection a test left open could still write into it: then it is not this file's to reuse.
  const [users] = await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ?', [schema]);
  if (Number(users[0]!.n) > 0) return false;
  if ((await schemaFingerprint(conn, schema)) !== template.fingerprint) return false;
  await conn.query(`USE \`${schema}\``);
  await conn.query('SET FOREIGN_KEY_CHECKS = 0');
  const deletes = template.tables.map((t) => `DELETE FROM \`${t.name}\`;`).join('');
  const inserts = template.tables
    .filter((t) => t.hasRows)
    .map((t) => `INSERT INTO \`${t.name}\` SELECT * FROM \`${template.schema}\`.\`${t.name}\`;`)
    .join('');
  await conn.query(`START TRANSACTION;${deletes}${deletes}${inserts}COMMIT;`);
  const [counters] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT table_name AS name, auto_increment AS next FROM information_schema.tables WHERE table_schema = ?',
    [schema],
  );
  const nextOf = new Map((counters as { name: string; next: number | null }[]).map((c) => [c.name, c.next === null ? null : Number(c.next)]));
  for (const table of template.tables) {
    if (table.autoIncrement !== null && nextOf.get(table.name) !== table.autoIncrement) {
      await conn.query(`ALTER TABLE \`${table.name}\` AUTO_INCREMENT = ${table.autoIncrement}`);
    }
  }
  return true;
}

/** Builds the (already created, empty) schema `schema` from the template: tables, seeded rows, then triggers. */
async function copyMysqlTemplate(conn: mysql.Connection, schema: string, template: MysqlTemplate): Promise<void> {
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
}
