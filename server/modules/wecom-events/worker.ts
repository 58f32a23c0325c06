/**
 * Applies stored callback events (DESIGN §6.1). Any number of workers may run against one MySQL:
 * rows are claimed with `FOR UPDATE SKIP LOCKED`; SQLite (demo) has one worker per database.
 * An event's database effects and its `done` mark commit in one transaction; a failure is
 * retried with exponential backoff and becomes `dead` after `maxAttempts`. Rows left
 * `processing` by a crashed worker are reclaimed after `reclaimAfterMs`.
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import { forUpdateSkipLockedSql, retryOnDeadlock, sqlList, updateRows } from '../../db/dialect';
import { parseCallbackXml } from '../../wecom/xml';
import { handlerFor, type Apply, type HandlerDeps } from './handlers';

export interface WorkerOptions {
  maxAttempts: number;
  pollMs?: number;
  batchSize?: number;
  reclaimAfterMs?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  now?: () => number;
}

interface ClaimedEvent {
  id: number;
  event_type: string;
  change_type: string | null;
  payload: string;
  attempts: number;
}

/** A claimed event after its read phase: what to write (null: nothing to apply), or why it failed. */
interface PreparedEvent {
  row: ClaimedEvent;
  apply: Apply | null;
  error?: unknown;
}

export class EventWorker {
  readonly id = `worker:${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private lastReclaim = Number.NEGATIVE_INFINITY;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly reclaimAfterMs: number;
  private readonly retryBaseMs: number;
  private readonly retryCapMs: number;
  private readonly now: () => number;

  constructor(
    private readonly deps: HandlerDeps,
    private readonly options: WorkerOptions,
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 20;
    this.reclaimAfterMs = options.reclaimAfterMs ?? 5 * 60_000;
    this.retryBaseMs = options.retryBaseMs ?? 2000;
    this.retryCapMs = options.retryCapMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the batch in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Something was stored: look now rather than at the next poll. */
  nudge(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  /** Processes due events until none is left (tests, CLIs). Returns how many it handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      if (n === 0) return total;
      total += n;
    }
  }

  /** Reclaims abandoned rows (now and then), claims one batch and processes it. */
  async runOnce(): Promise<number> {
    if (this.now() - this.lastReclaim >= this.reclaimAfterMs / 4) {
      await retryOnDeadlock(() => this.reclaimAbandoned());
      this.lastReclaim = this.now();
    }
    const claimed = await retryOnDeadlock(() => this.claim());
    // A claim holds at most one event per entity, so what each needs from WeCom can be fetched
    // at once (the API round trips overlap); the writes then go one by one, in arrival order.
    const prepared = await Promise.all(claimed.map((event) => this.prepare(event)));
    for (const event of prepared) await this.process(event);
    return claimed.length;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => {
          this.deps.logger.error({ err }, 'event worker tick failed');
          return 0;
        })
        .then((n) => {
          this.running = undefined;
          if (!this.stopped) this.schedule(n > 0 ? 0 : this.pollMs);
        });
    }, delay);
    this.timer.unref();
  }

  private async reclaimAbandoned(): Promise<void> {
    const { sequelize } = this.deps;
    await sequelize.query(
      "UPDATE wecom_events SET status = 'pending', locked_by = NULL, locked_at = NULL, updated_at = ? WHERE status = 'processing' AND locked_at < ?",
      { replacements: [new Date(this.now()), new Date(this.now() - this.reclaimAfterMs)] },
    );
  }

  private async claim(): Promise<ClaimedEvent[]> {
    const { sequelize } = this.deps;
    const now = new Date(this.now());
    return sequelize.transaction(async (transaction) => {
      // The oldest due event of each entity whose earlier events are all finished.
      const rows = await sequelize.query<{ id: number }>(
        `SELECT e.id FROM wecom_events e
          WHERE e.status = 'pending' AND e.next_attempt_at <= ?
            AND NOT EXISTS (SELECT 1 FROM wecom_events p
                             WHERE p.entity_key = e.entity_key AND p.id < e.id AND p.status IN ('pending', 'processing'))
          ORDER BY e.id LIMIT ?${forUpdateSkipLockedSql(sequelize)}`,
        { replacements: [now, this.batchSize], type: QueryTypes.SELECT, transaction },
      );
      if (rows.length === 0) return [];
      const ids = rows.map((r) => Number(r.id));
      const marks = sqlList(ids);
      await sequelize.query(
        `UPDATE wecom_events SET status = 'processing', locked_by = ?, locked_at = ?, attempts = attempts + 1, updated_at = ?
          WHERE id IN (${marks}) AND status = 'pending'`,
        { replacements: [this.id, now, now, ...ids], transaction },
      );
      // Only what this claim really took: a row another worker finished meanwhile is not ours.
      return sequelize.query<ClaimedEvent>(
        `SELECT id, event_type, change_type, payload, attempts FROM wecom_events
          WHERE id IN (${marks}) AND status = 'processing' AND locked_by = ? ORDER BY id`,
        { replacements: [...ids, this.id], type: QueryTypes.SELECT, transaction },
      );
    });
  }

  /** Runs the handler's read phase (WeCom API calls, nothing written); a failure is kept for `process`. */
  private async prepare(row: ClaimedEvent): Promise<PreparedEvent> {
    const handler = handlerFor(row.event_type, row.change_type);
    if (!handler) return { row, apply: null };
    try {
      return { row, apply: await handler(parseCallbackXml(row.payload), this.deps) };
    } catch (error) {
      return { row, apply: null, error };
    }
  }

  private async process({ row, apply, error }: PreparedEvent): Promise<void> {
    const { sequelize, logger } = this.deps;
    try {
      if (error !== undefined) throw error;
      if (!apply) {
        await this.finish(row.id, 'ignored');
        return;
      }
      // Two workers writing the same mirror rows may deadlock; the victim's transaction is
      // rolled back whole, so it is simply run again — not counted as a failed attempt.
      await retryOnDeadlock(() =>
        sequelize.transaction(async (transaction) => {
          await apply(transaction);
          await this.finish(row.id, 'done', transaction);
        }),
      );
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
      const dead = row.attempts >= this.options.maxAttempts;
      const delay = Math.min(this.retryCapMs, this.retryBaseMs * 2 ** (row.attempts - 1)) * (0.75 + Math.random() * 0.5);
      logger.warn({ eventId: row.id, type: `${row.event_type}/${row.change_type}`, attempts: row.attempts, dead, error: message }, 'callback event failed');
      await sequelize.query(
        'UPDATE wecom_events SET status = ?, last_error = ?, next_attempt_at = ?, locked_by = NULL, locked_at = NULL, updated_at = ? WHERE id = ? AND locked_by = ?',
        { replacements: [dead ? 'dead' : 'pending', message, new Date(this.now() + delay), new Date(this.now()), row.id, this.id] },
      );
    }
  }

  private async finish(id: number, status: 'done' | 'ignored', transaction?: Transaction): Promise<void> {
    const affected = await updateRows(
      this.deps.sequelize,
      'UPDATE wecom_events SET status = ?, processed_at = ?, last_error = NULL, locked_by = NULL, locked_at = NULL, updated_at = ? WHERE id = ? AND locked_by = ?',
      [status, new Date(this.now()), new Date(this.now()), id, this.id],
      transaction,
    );
    // Our claim was reclaimed by another worker meanwhile: roll back rather than apply twice.
    if (affected !== 1) throw new Error(`event ${id} is no longer claimed by this worker`);
  }
}
