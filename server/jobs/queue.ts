/**
 * The one claim / lease / reclaim / backoff machinery every piece of durable background work
 * uses (server/README.md#jobs). A queue is a table whose rows are units of work with a status, an attempt
 * count, a due time and a holder: the callback inbox (`wecom_events`), the notification outbox
 * (`notifications`) and the generic `jobs` table (sync runs, imports, transfer polling…). Each
 * keeps its own domain columns; how a row is taken, kept, given back and retried is decided here
 * once.
 *
 * - claim: `SELECT … FOR UPDATE SKIP LOCKED` on MySQL (any number of instances); SQLite has one
 *   writer, so the SELECT inside the claiming transaction is already exclusive. On a Galera
 *   cluster SKIP LOCKED sees only the locks of its own node: two nodes may select the same row,
 *   and the second commit fails certification with a deadlock (1213) — a lost claim, run again
 *   (`retryOnDeadlock`), never a row held twice;
 * - lease: a claimed row records who holds it and since when (`locked_at`); holders of long work
 *   renew it (heartbeat);
 * - reclaim: a row whose lease is older than `leaseMs` belongs to a crashed holder: ready again;
 * - failure: full-jitter exponential backoff, `dead` after `maxAttempts`; an admin retry makes a
 *   dead row ready with a fresh budget.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { assertIdentifier, forUpdateSkipLockedSql, retryOnDeadlock, sqlList, updateRows } from '../db/dialect';

export interface QueueTable {
  /** Trusted identifier; so are all the names below. */
  table: string;
  status: { column: string; ready: string; running: string; dead: string };
  attempts: string;
  dueAt: string;
  lockedBy: string;
  lockedAt: string;
  lastError: string;
  /** More SQL a row must satisfy to be claimed, on the table aliased `q` (e.g. per-entity order). */
  claimable?: string;
  /** ORDER BY of the claim, on alias `q`. */
  order: string;
}

/**
 * A queue table described by what differs from the conventions (`attempts`, `locked_by`,
 * `locked_at`, `last_error`, due time `next_attempt_at`).
 */
export function queueTable(
  table: string,
  statuses: QueueTable['status'],
  overrides: Partial<Omit<QueueTable, 'table' | 'status'>> & Pick<QueueTable, 'order'>,
): QueueTable {
  return {
    table,
    status: statuses,
    attempts: 'attempts',
    dueAt: 'next_attempt_at',
    lockedBy: 'locked_by',
    lockedAt: 'locked_at',
    lastError: 'last_error',
    ...overrides,
  };
}

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

/** Full-jitter exponential backoff: a random delay in [0, min(cap, base·2^(attempt-1))). */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random = Math.random): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1)));
}

export class DurableQueue {
  private readonly t: QueueTable;

  constructor(
    private readonly sequelize: Sequelize,
    table: QueueTable,
    readonly policy: RetryPolicy,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    for (const name of [table.table, table.status.column, table.attempts, table.dueAt, table.lockedBy, table.lockedAt, table.lastError]) assertIdentifier(name);
    this.t = table;
  }

  /**
   * One UPDATE of the queue's rows. Outside a transaction it is run again when it lost a lock
   * race — on Galera also a certification conflict with a write on another node (1213), whose
   * statement changed nothing. In the caller's transaction the caller retries the whole of it.
   */
  private write(sql: string, replacements: unknown[], transaction?: Transaction): Promise<number> {
    return transaction ? updateRows(this.sequelize, sql, replacements, transaction) : retryOnDeadlock(() => updateRows(this.sequelize, sql, replacements));
  }

  /**
   * Takes up to `limit` due, ready rows for `owner` (more conditions in `where`, with its
   * replacements) and returns their ids, oldest first. The attempt is counted at the claim, so a
   * holder that dies mid-work has used it.
   */
  async claim(owner: string, limit: number, where: { sql: string; params: unknown[] } = { sql: '1 = 1', params: [] }): Promise<number[]> {
    if (limit <= 0) return [];
    const { table, status, attempts, dueAt, lockedBy, lockedAt } = this.t;
    return retryOnDeadlock(() =>
      this.sequelize.transaction(async (transaction) => {
        const now = new Date(this.now());
        const rows = await this.sequelize.query<{ id: number }>(
          `SELECT q.id FROM ${table} q
            WHERE q.${status.column} = ? AND q.${dueAt} <= ? AND (${where.sql})${this.t.claimable ? ` AND (${this.t.claimable})` : ''}
            ORDER BY ${this.t.order} LIMIT ${Number(limit)}${forUpdateSkipLockedSql(this.sequelize)}`,
          { replacements: [status.ready, now, ...where.params], type: QueryTypes.SELECT, transaction },
        );
        if (!rows.length) return [];
        const ids = rows.map((r) => Number(r.id));
        await updateRows(
          this.sequelize,
          `UPDATE ${table} SET ${status.column} = ?, ${lockedBy} = ?, ${lockedAt} = ?, ${attempts} = ${attempts} + 1, updated_at = ?
            WHERE id IN (${sqlList(ids)}) AND ${status.column} = ?`,
          [status.running, owner, now, now, ...ids, status.ready],
          transaction,
        );
        // Only what this claim really took: a row another holder took meanwhile is not ours.
        const taken = await this.sequelize.query<{ id: number }>(`SELECT id FROM ${table} WHERE id IN (${sqlList(ids)}) AND ${lockedBy} = ? ORDER BY id`, {
          replacements: [...ids, owner],
          type: QueryTypes.SELECT,
          transaction,
        });
        return taken.map((r) => Number(r.id));
      }),
    );
  }

  /** Takes one given row if it is ready (work started here and now, e.g. a sync run). */
  async claimOne(owner: string, id: number, transaction?: Transaction): Promise<boolean> {
    const { table, status, attempts, lockedBy, lockedAt } = this.t;
    const now = new Date(this.now());
    const taken = await this.write(
      `UPDATE ${table} SET ${status.column} = ?, ${lockedBy} = ?, ${lockedAt} = ?, ${attempts} = ${attempts} + 1, updated_at = ? WHERE id = ? AND ${status.column} = ?`,
      [status.running, owner, now, now, id, status.ready],
      transaction,
    );
    return taken === 1;
  }

  /**
   * Takes the given rows that are ready, counting an attempt as `claim` does — rows nobody else
   * may claim meanwhile (e.g. queued behind rows `owner` holds). Returns the ids taken.
   */
  async take(owner: string, ids: readonly number[]): Promise<number[]> {
    if (!ids.length) return [];
    const { table, status, attempts, lockedBy, lockedAt } = this.t;
    const now = new Date(this.now());
    await this.write(
      `UPDATE ${table} SET ${status.column} = ?, ${lockedBy} = ?, ${lockedAt} = ?, ${attempts} = ${attempts} + 1, updated_at = ?
        WHERE id IN (${sqlList(ids)}) AND ${status.column} = ?`,
      [status.running, owner, now, now, ...ids, status.ready],
    );
    const taken = await this.sequelize.query<{ id: number }>(`SELECT id FROM ${table} WHERE id IN (${sqlList(ids)}) AND ${lockedBy} = ? ORDER BY id`, {
      replacements: [...ids, owner],
      type: QueryTypes.SELECT,
    });
    return taken.map((r) => Number(r.id));
  }

  /** Keeps the lease of rows still being worked on. */
  async heartbeat(owner: string, ids: readonly number[]): Promise<void> {
    if (!ids.length) return;
    const { table, lockedBy, lockedAt } = this.t;
    await this.write(`UPDATE ${table} SET ${lockedAt} = ? WHERE id IN (${sqlList(ids)}) AND ${lockedBy} = ?`, [new Date(this.now()), ...ids, owner]);
  }

  /** Rows held longer than `leaseMs` without a heartbeat (and matching `where`): their holder died; ready again. */
  async reclaim(leaseMs: number, where: { sql: string; params: unknown[] } = { sql: '1 = 1', params: [] }): Promise<number> {
    const { table, status, lockedBy, lockedAt } = this.t;
    return this.write(
      `UPDATE ${table} SET ${status.column} = ?, ${lockedBy} = NULL, ${lockedAt} = NULL, updated_at = ? WHERE ${status.column} = ? AND ${lockedAt} < ? AND (${where.sql})`,
      [status.ready, new Date(this.now()), status.running, new Date(this.now() - leaseMs), ...where.params],
    );
  }

  /**
   * Marks held rows (one, or several at once) finished: their new status and any more columns.
   * False when a row is no longer ours (reclaimed meanwhile): the caller must not keep what it
   * did — run it in the work's transaction, so a lost claim rolls the work back.
   */
  async complete(
    owner: string,
    id: number | readonly number[],
    finalStatus: string,
    set: Record<string, unknown> = {},
    transaction?: Transaction,
  ): Promise<boolean> {
    const { table, status, lockedBy, lockedAt } = this.t;
    const ids = typeof id === 'number' ? [id] : id;
    if (!ids.length) return true;
    const columns = Object.keys(set);
    columns.forEach(assertIdentifier);
    const assignments = columns.map((c) => `${c} = ?`).join(', ');
    const affected = await this.write(
      `UPDATE ${table} SET ${status.column} = ?, ${lockedBy} = NULL, ${lockedAt} = NULL, updated_at = ?${assignments ? `, ${assignments}` : ''} WHERE id IN (${sqlList(ids)}) AND ${lockedBy} = ?`,
      [finalStatus, new Date(this.now()), ...columns.map((c) => set[c]), ...ids, owner],
      transaction,
    );
    return affected === ids.length;
  }

  /**
   * A held row failed after `attempts` attempts: ready again after a backoff, or `dead` once the
   * budget is spent or the failure is permanent. Returns what became of it.
   */
  async fail(
    owner: string,
    id: number,
    attempts: number,
    error: unknown,
    options: { permanent?: boolean; delayMs?: number; transaction?: Transaction } = {},
  ): Promise<'retry' | 'dead'> {
    const { table, status, dueAt, lockedBy, lockedAt, lastError } = this.t;
    const dead = this.diesAfter(attempts, options.permanent === true);
    const delay = options.delayMs ?? backoffMs(attempts, this.policy, this.random);
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    await this.write(
      `UPDATE ${table} SET ${status.column} = ?, ${lastError} = ?, ${dueAt} = ?, ${lockedBy} = NULL, ${lockedAt} = NULL, updated_at = ? WHERE id = ? AND ${lockedBy} = ?`,
      [dead ? status.dead : status.ready, message, new Date(this.now() + delay), new Date(this.now()), id, owner],
      options.transaction,
    );
    return dead ? 'dead' : 'retry';
  }

  /** Whether a failure after `attempts` attempts is the last one (`fail` then marks the row dead). */
  diesAfter(attempts: number, permanent: boolean): boolean {
    return permanent || attempts >= this.policy.maxAttempts;
  }

  /** Gives a held row back untouched, due at `dueAt` (not a failure: e.g. waiting for a budget). */
  async release(owner: string, id: number, dueAt: Date, note: string | null = null): Promise<void> {
    const { table, status, attempts, dueAt: due, lockedBy, lockedAt, lastError } = this.t;
    await this.write(
      `UPDATE ${table} SET ${status.column} = ?, ${attempts} = ${attempts} - 1, ${due} = ?, ${lastError} = ?, ${lockedBy} = NULL, ${lockedAt} = NULL, updated_at = ? WHERE id = ? AND ${lockedBy} = ?`,
      [status.ready, dueAt, note, new Date(this.now()), id, owner],
    );
  }

  /** Queued rows waiting out a backoff become due now (an admin's 立即重试); returns how many. */
  async dueNow(ids: readonly number[]): Promise<number> {
    if (!ids.length) return 0;
    const { table, status, dueAt } = this.t;
    return this.write(`UPDATE ${table} SET ${dueAt} = ?, updated_at = ? WHERE ${status.column} = ? AND id IN (${sqlList(ids)})`, [
      new Date(this.now()),
      new Date(this.now()),
      status.ready,
      ...ids,
    ]);
  }

  /** The admin's retry: dead rows (all, or those in `ids`) ready now, with a fresh budget. */
  async retryDead(ids?: readonly number[], transaction?: Transaction): Promise<number> {
    const { table, status, attempts, dueAt } = this.t;
    const only = ids ? ` AND id IN (${sqlList(ids)})` : '';
    if (ids && !ids.length) return 0;
    return this.write(
      `UPDATE ${table} SET ${status.column} = ?, ${attempts} = 0, ${dueAt} = ?, updated_at = ? WHERE ${status.column} = ?${only}`,
      [status.ready, new Date(this.now()), new Date(this.now()), status.dead, ...(ids ?? [])],
      transaction,
    );
  }
}
