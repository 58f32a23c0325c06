/**
 * Applies stored callback events (DESIGN §6.1). Any number of workers may run against one MySQL:
 * rows are claimed with `FOR UPDATE SKIP LOCKED`; SQLite (demo) has one worker per database.
 * An event's database effects and its `done` mark commit in one transaction; a failure is
 * retried with exponential backoff and becomes `dead` after `maxAttempts`. Rows left
 * `processing` by a crashed worker are reclaimed after `reclaimAfterMs`.
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import { retryOnDeadlock, sqlList } from '../../db/dialect';
import { PolledWorker } from '../../jobs/poller';
import { DurableQueue } from '../../jobs/queue';
import { parseCallbackXml } from '../../wecom/xml';
import { handlerFor, type Apply, type HandlerDeps } from './handlers';
import { INBOX_QUEUE } from './inbox';

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

export class EventWorker extends PolledWorker {
  readonly id = `worker:${randomUUID()}`;
  private readonly queue: DurableQueue;
  private lastReclaim = Number.NEGATIVE_INFINITY;
  private readonly batchSize: number;
  private readonly reclaimAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly deps: HandlerDeps,
    options: WorkerOptions,
  ) {
    super('wecom-events', options.pollMs ?? 1000, deps.logger);
    this.batchSize = options.batchSize ?? 20;
    this.reclaimAfterMs = options.reclaimAfterMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.queue = new DurableQueue(
      deps.sequelize,
      INBOX_QUEUE,
      { maxAttempts: options.maxAttempts, baseMs: options.retryBaseMs ?? 2000, capMs: options.retryCapMs ?? 10 * 60_000 },
      this.now,
    );
  }

  /** The admin's retry of dead events (all, or the given ones). */
  retryDead(ids?: number[]): Promise<number> {
    return this.queue.retryDead(ids);
  }

  /** Reclaims abandoned rows (now and then), claims one batch and processes it. */
  async runOnce(): Promise<number> {
    if (this.now() - this.lastReclaim >= this.reclaimAfterMs / 4) {
      await this.queue.reclaim(this.reclaimAfterMs);
      this.lastReclaim = this.now();
    }
    const claimed = await this.load(await this.queue.claim(this.id, this.batchSize));
    // A claim holds at most one event per entity, so what each needs from WeCom can be fetched
    // at once (the API round trips overlap); the writes then go one by one, in arrival order.
    const prepared = await Promise.all(claimed.map((event) => this.prepare(event)));
    for (const event of prepared) await this.process(event);
    return claimed.length;
  }

  private async load(ids: number[]): Promise<ClaimedEvent[]> {
    if (!ids.length) return [];
    return this.deps.sequelize.query<ClaimedEvent>(
      `SELECT id, event_type, change_type, payload, attempts FROM wecom_events WHERE id IN (${sqlList(ids)}) ORDER BY id`,
      {
        replacements: ids,
        type: QueryTypes.SELECT,
      },
    );
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
      const fate = await this.queue.fail(this.id, row.id, Number(row.attempts), err);
      logger.warn(
        { eventId: row.id, type: `${row.event_type}/${row.change_type}`, attempts: row.attempts, dead: fate === 'dead', error: (err as Error)?.message },
        'callback event failed',
      );
    }
  }

  private async finish(id: number, status: 'done' | 'ignored', transaction?: Transaction): Promise<void> {
    const finished = await this.queue.complete(this.id, id, status, { processed_at: new Date(this.now()), last_error: null }, transaction);
    // Our claim was reclaimed by another worker meanwhile: roll back rather than apply twice.
    if (!finished) throw new Error(`event ${id} is no longer claimed by this worker`);
  }
}
