/**
 * The few places where SQLite and MySQL SQL differ, and the statement builders raw SQL shares.
 * Models are the default way to a table; raw SQL stays where it earns its place — multi-row
 * upserts and inserts (one statement for a page of a sync), the benchmarked aggregates and
 * rollups, claims of the queue machinery — and always in the module that owns the table. A
 * module that needs one of the dialect differences asks here.
 */
import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { dialectOf } from './connection';

export type DateBucket = 'day' | 'month' | 'year';

const SQLITE_FORMATS: Record<DateBucket, string> = { day: '%Y-%m-%d', month: '%Y-%m', year: '%Y' };
const MYSQL_FORMATS: Record<DateBucket, string> = { day: '%Y-%m-%d', month: '%Y-%m', year: '%Y' };

/**
 * SQL expression that buckets a datetime column into `YYYY-MM-DD`, `YYYY-MM` or `YYYY` text.
 * `column` must be a trusted identifier (it is interpolated).
 */
export function dateBucketSql(sequelize: Sequelize, column: string, bucket: DateBucket): string {
  assertIdentifier(column);
  return dialectOf(sequelize) === 'sqlite' ? `strftime('${SQLITE_FORMATS[bucket]}', ${column})` : `DATE_FORMAT(${column}, '${MYSQL_FORMATS[bucket]}')`;
}

/**
 * SQL expression for the China (UTC+8) calendar month, `YYYY-MM`, of a timestamp column stored in
 * UTC (SQLite keeps `YYYY-MM-DD HH:MM:SS.SSS +00:00` text). `column` must be a trusted identifier.
 */
export function chinaMonthSql(sequelize: Sequelize, column: string): string {
  assertIdentifier(column);
  return dialectOf(sequelize) === 'sqlite'
    ? `strftime('%Y-%m', substr(${column}, 1, 23), '+8 hours')`
    : `DATE_FORMAT(DATE_ADD(${column}, INTERVAL 8 HOUR), '%Y-%m')`;
}

/**
 * A WHERE condition: `column` contains `keyword` literally — `%` and `_` in the keyword are
 * searched for, not wildcards. `column` must be a trusted identifier.
 */
export function containsWhere(sequelize: Sequelize, column: string, keyword: string): ReturnType<Sequelize['literal']> {
  return sequelize.literal(containsSql(sequelize, column, keyword));
}

/** `containsWhere` as SQL text, for a hand-written statement (`column` may be `alias.column`). */
export function containsSql(sequelize: Sequelize, column: string, keyword: string): string {
  return likeSql(sequelize, column, `%${escapeLike(keyword)}%`);
}

/**
 * A WHERE condition: `column` starts with `prefix` literally (Sequelize's `Op.startsWith` passes
 * `%` and `_` through as wildcards). `column` must be a trusted identifier.
 */
export function startsWithWhere(sequelize: Sequelize, column: string, prefix: string): ReturnType<Sequelize['literal']> {
  return sequelize.literal(likeSql(sequelize, column, `${escapeLike(prefix)}%`));
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** MySQL escapes LIKE with `\` by default; SQLite has no escape character unless the statement names one. */
function likeSql(sequelize: Sequelize, column: string, pattern: string): string {
  assertIdentifier(column);
  const escapeClause = dialectOf(sequelize) === 'sqlite' ? "ESCAPE '\\'" : "ESCAPE '\\\\'";
  return `${column} LIKE ${sequelize.escape(pattern)} ${escapeClause}`;
}

/**
 * Suffix for a row-claiming SELECT. MySQL 8 / MariaDB 10.6+ skip rows other workers hold;
 * SQLite has one writer (demo mode runs one worker), so a plain SELECT inside the transaction
 * is already exclusive.
 */
export function forUpdateSkipLockedSql(sequelize: Sequelize): string {
  return dialectOf(sequelize) === 'mysql' ? ' FOR UPDATE SKIP LOCKED' : '';
}

/** Suffix locking the selected rows until the transaction ends (SQLite transactions are serialised). */
export function forUpdateSql(sequelize: Sequelize): string {
  return dialectOf(sequelize) === 'mysql' ? ' FOR UPDATE' : '';
}

/** `?, ?, ?` for an `IN (…)` list of these values (never called with an empty list). */
export function sqlList(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** Runs an UPDATE or DELETE and returns how many rows it changed. */
export async function updateRows(sequelize: Sequelize, sql: string, replacements: unknown[], transaction?: Transaction): Promise<number> {
  const [, affected] = (await sequelize.query(sql, { replacements, type: QueryTypes.UPDATE, transaction })) as [unknown, number];
  return affected;
}

/**
 * Insert one row unless it collides with a unique key. Returns 1 when inserted, 0 for a
 * duplicate, so callers can tell a first delivery from a repeat. (Not `INSERT IGNORE`: on MySQL
 * that also turns truncation and other errors into warnings.)
 */
export async function insertIgnoringDuplicates(
  sequelize: Sequelize,
  table: string,
  row: Record<string, unknown>,
  options: { transaction?: Transaction } = {},
): Promise<0 | 1> {
  assertIdentifier(table);
  const columns = Object.keys(row);
  columns.forEach(assertIdentifier);
  const placeholders = sqlList(columns);
  try {
    await sequelize.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders})`, {
      replacements: columns.map((c) => row[c]),
      type: QueryTypes.INSERT,
      transaction: options.transaction,
    });
    return 1;
  } catch (err) {
    if (err instanceof UniqueConstraintError) return 0;
    throw err;
  }
}

/**
 * Insert these rows in one statement, skipping any whose `key` columns collide with a row
 * already there (or an earlier one in the list). SQLite: `ON CONFLICT DO NOTHING`; MySQL: a no-op
 * `ON DUPLICATE KEY UPDATE` (not `INSERT IGNORE`, which also hides truncation and other errors).
 */
export async function insertSkippingDuplicates(
  sequelize: Sequelize,
  table: string,
  rows: readonly Record<string, unknown>[],
  key: readonly string[],
  options: { transaction?: Transaction } = {},
): Promise<void> {
  if (!rows.length) return;
  key.forEach(assertIdentifier);
  const { insert, replacements } = multiRowInsert(table, rows);
  const sql =
    dialectOf(sequelize) === 'mysql' ? `${insert} ON DUPLICATE KEY UPDATE ${key[0]} = ${key[0]}` : `${insert} ON CONFLICT (${key.join(', ')}) DO NOTHING`;
  await sequelize.query(sql, { replacements, type: QueryTypes.INSERT, transaction: options.transaction });
}

/** `INSERT INTO table (…) VALUES (…), (…)` for these rows (all with the first row's columns), and its values in order. */
function multiRowInsert(table: string, rows: readonly Record<string, unknown>[]): { insert: string; replacements: unknown[] } {
  const columns = Object.keys(rows[0]!);
  [table, ...columns].forEach(assertIdentifier);
  return {
    insert: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => `(${sqlList(columns)})`).join(', ')}`,
    replacements: rows.flatMap((row) => columns.map((c) => row[c])),
  };
}

export function assertIdentifier(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
}

/**
 * `INSERT … ` the rows, and on a primary/unique key collision `SET` each column in `set` to what
 * `expression(column, incoming)` says (`incoming` names the value the INSERT carried).
 * SQLite: `ON CONFLICT (…) DO UPDATE`; MySQL: `ON DUPLICATE KEY UPDATE`. All rows have the
 * first row's columns.
 */
async function insertOrSet(
  sequelize: Sequelize,
  table: string,
  rows: readonly Record<string, unknown>[],
  conflictColumns: readonly string[],
  set: readonly string[],
  expression: (column: string, incoming: string) => string,
  transaction: Transaction | undefined,
): Promise<void> {
  if (!rows.length) return;
  [...conflictColumns, ...set].forEach(assertIdentifier);
  const { insert, replacements } = multiRowInsert(table, rows);
  const mysql = dialectOf(sequelize) === 'mysql';
  const assignments = set.map((c) => `${c} = ${expression(c, mysql ? `VALUES(${c})` : `excluded.${c}`)}`).join(', ');
  const sql = mysql ? `${insert} ON DUPLICATE KEY UPDATE ${assignments}` : `${insert} ON CONFLICT (${conflictColumns.join(', ')}) DO UPDATE SET ${assignments}`;
  await sequelize.query(sql, { replacements, type: QueryTypes.INSERT, transaction });
}

/** Insert a row, or overwrite `updateColumns` of the row with the same primary/unique key. */
export async function upsertRow(
  sequelize: Sequelize,
  table: string,
  row: Record<string, unknown>,
  conflictColumns: readonly string[],
  updateColumns: readonly string[],
  options: { transaction?: Transaction } = {},
): Promise<void> {
  await upsertRows(sequelize, table, [row], conflictColumns, updateColumns, options);
}

/** `upsertRow` for many rows in one statement (no two of them may share a key). */
export async function upsertRows(
  sequelize: Sequelize,
  table: string,
  rows: readonly Record<string, unknown>[],
  conflictColumns: readonly string[],
  updateColumns: readonly string[],
  options: { transaction?: Transaction } = {},
): Promise<void> {
  await insertOrSet(sequelize, table, rows, conflictColumns, updateColumns, (_, incoming) => incoming, options.transaction);
}

/**
 * Add `amounts` to the counters of the row keyed by `key`, creating it when absent — atomic
 * under concurrent writers on both dialects (no read-modify-write).
 */
export async function addToCounters(
  sequelize: Sequelize,
  table: string,
  key: Record<string, unknown>,
  amounts: Record<string, number>,
  extra: Record<string, unknown>,
  options: { transaction?: Transaction } = {},
): Promise<void> {
  const counters = Object.keys(amounts);
  await insertOrSet(
    sequelize,
    table,
    [{ ...key, ...amounts, ...extra }],
    Object.keys(key),
    [...counters, ...Object.keys(extra)],
    (c, incoming) => (counters.includes(c) ? `${c} + ${incoming}` : incoming),
    options.transaction,
  );
}

const TRANSIENT_LOCK_ERRORS = new Set([1213 /* ER_LOCK_DEADLOCK */, 1205 /* ER_LOCK_WAIT_TIMEOUT */]);

/**
 * Runs a write that may break a unique index: when two writes race, the index decides, and
 * `explain` answers its violation as the check before the write would have (it throws the
 * friendly error; when it returns, the violation itself is thrown).
 */
export async function explainUniqueViolation<T>(write: () => Promise<T>, explain: () => Promise<void>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof UniqueConstraintError)) throw err;
    await explain();
    throw err;
  }
}

/**
 * Runs `fn`, again (up to `attempts` times) when MySQL picked it as a deadlock victim or a lock
 * wait timed out — expected now and then when several workers claim rows of one table.
 */
export async function retryOnDeadlock<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const errno = (err as { original?: { errno?: number } }).original?.errno;
      if (attempt >= attempts || errno === undefined || !TRANSIENT_LOCK_ERRORS.has(errno)) throw err;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
    }
  }
}

/**
 * After a bulk load (demo data, an import): refresh the statistics the query planner picks
 * indexes by. SQLite keeps none until told (without them it may count 70k rows through a list
 * index); InnoDB maintains its own.
 */
export async function refreshPlannerStatistics(sequelize: Sequelize): Promise<void> {
  if (dialectOf(sequelize) === 'sqlite') await sequelize.query('ANALYZE');
}

/**
 * SQLite binds at most 32,766 parameters per statement: multi-row INSERTs of wide rows go in
 * slices of this many rows (1,000 × ~16 columns).
 */
export const INSERT_ROWS_PER_STATEMENT = 1000;

/** `write` over consecutive slices of `rows`, results concatenated in order. */
export async function inSlices<T, R>(rows: readonly T[], write: (slice: T[]) => Promise<R[]>, size = INSERT_ROWS_PER_STATEMENT): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(...(await write(rows.slice(i, i + size))));
  return out;
}
