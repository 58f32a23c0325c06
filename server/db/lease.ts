/**
 * A named lock every instance on the database sees — on one MySQL, on a primary with replicas,
 * and on a Galera cluster, where MySQL's `GET_LOCK` is local to the node it ran on (two
 * instances on two nodes would both get it). The lock is a row of `database_locks`, keyed by
 * its name: taking it is an INSERT, which the primary key lets only one holder win cluster-wide
 * (on Galera the loser's commit fails certification — error 1213 — which counts as "held").
 * The row carries a lease: its holder renews it while working, and a holder that died without
 * releasing it stops renewing, so the next taker may remove it once it expired.
 *
 * The table is made here, not by a migration: the migrations themselves run under this lock.
 */
import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';
import { randomUUID } from 'node:crypto';
import { dialectOf } from './connection';
import { retryOnDeadlock } from './dialect';

const TABLE = 'database_locks';
/** A lease is renewed every third of this, and may be taken over this long after its holder went silent. */
const LEASE_SECONDS = 30;
const created = new WeakSet<Sequelize>();

async function ensureTable(sequelize: Sequelize): Promise<void> {
  if (created.has(sequelize)) return;
  await sequelize.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
       name VARCHAR(100) NOT NULL PRIMARY KEY,
       holder VARCHAR(64) NOT NULL,
       expires_at DATETIME(3) NOT NULL
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  );
  created.add(sequelize);
}

/** A lost race for the row: a duplicate key here, or (Galera) a certification conflict / deadlock. */
function heldByAnother(err: unknown): boolean {
  const errno = (err as { original?: { errno?: number } }).original?.errno;
  return err instanceof UniqueConstraintError || errno === 1213 || errno === 1205;
}

async function tryTake(sequelize: Sequelize, name: string, holder: string): Promise<boolean> {
  // A lease its holder stopped renewing belongs to a crashed process.
  await sequelize.query(`DELETE FROM ${TABLE} WHERE name = ? AND expires_at < NOW(3)`, { replacements: [name] }).catch((err: unknown) => {
    if (!heldByAnother(err)) throw err;
  });
  try {
    await sequelize.query(`INSERT INTO ${TABLE} (name, holder, expires_at) VALUES (?, ?, NOW(3) + INTERVAL ${LEASE_SECONDS} SECOND)`, {
      replacements: [name, holder],
      type: QueryTypes.INSERT,
    });
    return true;
  } catch (err) {
    if (heldByAnother(err)) return false;
    throw err;
  }
}

/**
 * Run `fn` while holding the named lock (waiting up to `timeoutSeconds` for it). On SQLite there
 * is a single process by design, so the lock is a no-op.
 */
export async function withDatabaseLock<T>(sequelize: Sequelize, name: string, timeoutSeconds: number, fn: () => Promise<T>): Promise<T> {
  if (dialectOf(sequelize) === 'sqlite') return fn();
  await ensureTable(sequelize);
  const holder = randomUUID();
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (!(await tryTake(sequelize, name, holder))) {
    if (Date.now() > deadline) throw new Error(`could not acquire database lock "${name}" in ${timeoutSeconds}s`);
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
  }
  const renew = setInterval(
    () => {
      void sequelize
        .query(`UPDATE ${TABLE} SET expires_at = NOW(3) + INTERVAL ${LEASE_SECONDS} SECOND WHERE name = ? AND holder = ?`, { replacements: [name, holder] })
        .catch(() => undefined); // the next renewal tries again; a lease lapses only after LEASE_SECONDS of failures
    },
    (LEASE_SECONDS * 1000) / 3,
  );
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await retryOnDeadlock(() => sequelize.query(`DELETE FROM ${TABLE} WHERE name = ? AND holder = ?`, { replacements: [name, holder] }));
  }
}
