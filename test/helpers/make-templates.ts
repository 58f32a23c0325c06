/**
 * Run by globalSetup under tsx: migrates this run's template databases into the folder named by
 * WCRM_TEST_TEMPLATE_DIR (SQLite always; MySQL when TEST_DATABASE_URL is set). See template-database.ts.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { migrateUp, openDatabase } from '../../server/db';
import { MYSQL_TEMPLATE_FILE, SQLITE_TEMPLATE_FILE, TEMPLATE_DIR_ENV, schemaFingerprint, type MysqlTemplate } from './template-database';

async function main(): Promise<void> {
  const dir = process.env[TEMPLATE_DIR_ENV];
  if (!dir) throw new Error(`${TEMPLATE_DIR_ENV} is not set`);
  const storage = join(dir, SQLITE_TEMPLATE_FILE);
  const sqlite = await openDatabase({ dialect: 'sqlite', storage, url: `sqlite:${storage}` });
  await migrateUp(sqlite);
  // Copies are page by page or the file itself: fold the WAL back into the file first.
  await sqlite.query('PRAGMA journal_mode = DELETE');
  await sqlite.close();
  const mysqlServerUrl = process.env.TEST_DATABASE_URL;
  if (mysqlServerUrl) writeFileSync(join(dir, MYSQL_TEMPLATE_FILE), JSON.stringify(await createMysqlTemplate(mysqlServerUrl)));
}

async function createMysqlTemplate(serverUrl: string): Promise<MysqlTemplate> {
  const schema = `wcrm_tpl_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${schema}`;
  const sequelize = await openDatabase({ dialect: 'mysql', url: url.toString() }); // creates the schema (utf8mb4)
  try {
    await migrateUp(sequelize);
  } finally {
    await sequelize.close();
  }
  const conn = await mysql.createConnection({ uri: serverUrl, charset: 'utf8mb4' });
  try {
    await conn.query(`USE \`${schema}\``);
    const [others] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM information_schema.views WHERE table_schema = ?) + (SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = ?) AS n`,
      [schema, schema],
    );
    // A view or routine would not be copied: fail loudly rather than hand tests a partial schema.
    if (Number(others[0]!.n) > 0) throw new Error('test template: the migrations made views or routines, which the MySQL template does not copy');
    const [names] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
      [schema],
    );
    const tables: MysqlTemplate['tables'] = [];
    for (const { name } of names as { name: string }[]) {
      const [[created]] = await conn.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE \`${name}\``);
      const [[rows]] = await conn.query<mysql.RowDataPacket[]>(`SELECT EXISTS (SELECT 1 FROM \`${name}\`) AS has`);
      const [[counter]] = await conn.query<mysql.RowDataPacket[]>(
        'SELECT auto_increment AS next FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
        [schema, name],
      );
      const autoIncrement = counter!.next === null ? null : Number(counter!.next);
      tables.push({ name, create: created!['Create Table'] as string, hasRows: Number(rows!.has) === 1, autoIncrement });
    }
    const [triggerNames] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT trigger_name AS name FROM information_schema.triggers WHERE trigger_schema = ? ORDER BY created, action_order',
      [schema],
    );
    const triggers: MysqlTemplate['triggers'] = [];
    for (const { name } of triggerNames as { name: string }[]) {
      const [[created]] = await conn.query<mysql.RowDataPacket[]>(`SHOW CREATE TRIGGER \`${name}\``);
      triggers.push({ create: created!['SQL Original Statement'] as string, sqlMode: created!['sql_mode'] as string });
    }
    return { schema, tables, triggers, fingerprint: await schemaFingerprint(conn, schema) };
  } catch (err) {
    await conn.query(`DROP DATABASE IF EXISTS \`${schema}\``);
    throw err;
  } finally {
    await conn.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
