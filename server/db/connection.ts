import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Sequelize, Transaction, type Options } from 'sequelize';
import type { DatabaseConfig } from '../../config';
import type { Logger } from '../logger';
import { Semaphore } from '../util/semaphore';
import { spaceBulkInsertIds } from './auto-increment';
import { failOverBetweenNodes, NODE_CONNECT_TIMEOUT_MS } from './failover';
import { replicationOption, routeReads } from './replicas';

export type Dialect = 'sqlite' | 'mysql';

/** How long a SQLite statement waits for another connection's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/** Attempts of a statement that still met SQLITE_BUSY (Sequelize's `retry`, with backoff). */
const SQLITE_BUSY_RETRIES = 5;

/**
 * Opens Sequelize on SQLite or MySQL/MariaDB. All timestamps are stored in UTC; MySQL tables and
 * connections use utf8mb4 so Chinese names and emoji nicknames from WeChat round-trip.
 */
export async function openDatabase(config: DatabaseConfig, logger?: Logger): Promise<Sequelize> {
  const logging = logger ? (sql: string) => logger.trace({ sql }, 'sql') : false;
  const common: Options = {
    logging,
    define: { underscored: true, timestamps: true },
    timezone: '+00:00',
  };

  let sequelize: Sequelize;
  if (config.dialect === 'sqlite') {
    const memory = config.storage === ':memory:';
    if (!memory) mkdirSync(dirname(resolve(config.storage)), { recursive: true });
    sequelize = new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage: config.storage,
      // One connection: SQLite has a single writer anyway, and `:memory:` must not be split.
      pool: { max: 1, min: 1, idle: Number.MAX_SAFE_INTEGER },
      // A transaction takes the write lock when it begins (waiting up to the busy timeout for it),
      // not at its first write: a deferred one that read first cannot upgrade once another
      // connection wrote meanwhile, and answers SQLITE_BUSY however long it waits.
      transactionType: Transaction.TYPES.IMMEDIATE,
      // What still meets a lock held longer than the busy timeout is tried again, a few times.
      retry: { max: SQLITE_BUSY_RETRIES, match: [/SQLITE_BUSY/], backoffBase: 100, backoffExponent: 1.5 },
    });
    // Sequelize itself turns foreign keys on for every connection it opens.
    configureEveryConnection(sequelize, memory);
    if (!memory) await sequelize.query('PRAGMA journal_mode = WAL');
    serializeTransactions(sequelize);
  } else {
    sequelize = openMysql(config, common, logger);
    try {
      await sequelize.authenticate();
    } catch (err) {
      if (!isUnknownDatabase(err)) throw err;
      // A fresh server: create the schema with the right charset rather than fail.
      await sequelize.close();
      await createMysqlDatabase(config, common);
      logger?.info({ database: new URL(config.url).pathname.slice(1) }, 'created MySQL database');
      sequelize = openMysql(config, common, logger);
      await sequelize.authenticate();
    }
  }
  return sequelize;
}

type MysqlConfig = Omit<Extract<DatabaseConfig, { dialect: 'mysql' }>, 'dialect'>;

function openMysql(config: MysqlConfig, common: Options, logger?: Logger): Sequelize {
  const parsed = new URL(config.url);
  const failover = config.fallbackNodes?.length
    ? failOverBetweenNodes([{ host: parsed.hostname, port: Number(parsed.port || 3306) }, ...config.fallbackNodes], logger)
    : undefined;
  const sequelize = new Sequelize(config.url, {
    ...common,
    ...(config.readUrls?.length ? { replication: replicationOption(config.url, config.readUrls) } : {}),
    dialect: 'mysql',
    dialectOptions: {
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: false,
      ...(failover ? { connectTimeout: NODE_CONNECT_TIMEOUT_MS } : {}),
    },
    define: { ...common.define, charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
    pool: { max: 10, min: 0, idle: 10_000, acquire: 30_000, ...(failover ? { validate: failover.validate } : {}) },
  });
  failover?.install(sequelize);
  spaceBulkInsertIds(sequelize);
  if (config.readUrls?.length) routeReads(sequelize, logger);
  return sequelize;
}

async function createMysqlDatabase(config: MysqlConfig, common: Options): Promise<void> {
  const target = new URL(config.url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[\w$]{1,64}$/.test(name)) throw new Error(`refusing to create database with name "${name}"`);
  target.pathname = '/';
  const server = openMysql({ url: target.toString(), ...(config.fallbackNodes ? { fallbackNodes: config.fallbackNodes } : {}) }, common);
  try {
    await server.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await server.close();
  }
}

function isUnknownDatabase(err: unknown): boolean {
  const original = (err as { original?: { errno?: number } }).original;
  return original?.errno === 1049; // ER_BAD_DB_ERROR
}

export function dialectOf(sequelize: Sequelize): Dialect {
  const d = sequelize.getDialect();
  if (d === 'sqlite' || d === 'mysql') return d;
  throw new Error(`unsupported dialect ${d}`);
}

/** Cheap round trip used by /readyz. */
export async function pingDatabase(sequelize: Sequelize): Promise<void> {
  await sequelize.query('SELECT 1');
}

/** The part of a node-sqlite3 connection the set-up below uses. */
interface SqliteConnection {
  configure(option: 'busyTimeout', ms: number): void;
  run(sql: string): unknown;
}

/**
 * On a file Sequelize opens a new SQLite connection for every transaction (and one for the
 * rest), bypassing the pool and its hooks, so a PRAGMA run once reaches only the first: the
 * transactions' connections had node-sqlite3's 1 s busy timeout and the default synchronous
 * mode. Every connection gets the busy timeout (issue 29: 500 SQLITE_BUSY under 20 parallel
 * edits) and, on a file, WAL's synchronous = NORMAL — durable across process crashes; only an
 * OS crash can lose the last commits — the moment it is opened.
 */
function configureEveryConnection(sequelize: Sequelize, memory: boolean): void {
  const manager = (sequelize as unknown as { connectionManager: { getConnection(options?: unknown): Promise<SqliteConnection> } }).connectionManager;
  const open = manager.getConnection.bind(manager);
  const configured = new WeakSet<SqliteConnection>();
  manager.getConnection = async (options?: unknown) => {
    const connection = await open(options);
    if (!configured.has(connection)) {
      configured.add(connection);
      connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
      if (!memory) connection.run('PRAGMA synchronous = NORMAL');
    }
    return connection;
  };
}

/**
 * SQLite has one writer, and Sequelize runs every `:memory:` transaction on one shared
 * connection, where two interleaved BEGINs corrupt each other. Managed transactions therefore
 * take turns. (MySQL needs none of this: each transaction has its own pooled connection.)
 */
function serializeTransactions(sequelize: Sequelize): void {
  const gate = new Semaphore(1);
  const original = sequelize.transaction.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  (sequelize as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args) => {
    const managed = args.some((a) => typeof a === 'function');
    return managed ? gate.run(() => original(...args)) : original(...args);
  };
}
