/**
 * Applies stored callback events (server/README.md#callback-flow). Any number of workers may run against one MySQL:
 * rows are claimed with `FOR UPDATE SKIP LOCKED`; SQLite (demo) has one worker per database.
 * An event's database effects and its `done` mark commit in one transaction; a failure is
 * retried with exponential backoff and becomes `dead` after `maxAttempts`. Rows left
 * `processing` by a crashed worker are reclaimed after `reclaimAfterMs`.
 *
 * Events of one entity (`entity_key`) are applied in arrival order. The claim takes the oldest
 * unfinished event of up to `batchSize` entities (INBOX_QUEUE: no earlier event of the entity
 * pending or processing) and then the entity's pending events queued behind it: those wait for
 * an event this worker now holds, so no other worker can claim them. A run of consecutive events
 * of one entity that coalesce (handlers.ts) costs one WeCom read and one transaction, which marks
 * them all done.
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import { retryOnDeadlock, sqlList } from '../../db/dialect';
import { PolledWorker } from '../../jobs/poller';
import { backoffMs, DurableQueue } from '../../jobs/queue';
import { parseCallbackXml } from '../../wecom/xml';
import { handlerFor, type Apply, type EventHandler, type HandlerDeps } from './handlers';
import { INBOX_QUEUE } from './inbox';
import { IngestHold } from './ingest-hold';

export interface WorkerOptions {
  maxAttempts: number;
  pollMs?: number;
  /** Entities per claim. */
  batchSize?: number;
  /** Events of one entity per claim, at most. */
  perEntity?: number;
  reclaimAfterMs?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  /**
   * While callbacks keep arriving, rounds wait until deliveries have paused this long (ms)…
   * (`noteStored`). 0: no waiting.
   */
  ingestQuietMs?: number;
  /** …but never longer than this: a steady stream still gets a round every `ingestMaxHoldMs`. */
  ingestMaxHoldMs?: number;
  now?: () => number;
}

interface ClaimedEvent {
  id: number;
  event_type: string;
  change_type: string | null;
  entity_key: string;
  payload: string;
  attempts: number;
}

/** Consecutive claimed events of one entity handled together: one coalesced run, or a single event. */
interface Step {
  entity: string;
  events: ClaimedEvent[];
  handler: EventHandler | undefined;
}

/** A step after its read phase: what to write (null: nothing to apply), or why it failed. */
interface PreparedStep {
  step: Step;
  apply: Apply | null;
  error?: unknown;
}

export class EventWorker extends PolledWorker {
  readonly id = `worker:${randomUUID()}`;
  private readonly queue: DurableQueue;
  private lastReclaim = Number.NEGATIVE_INFINITY;
  private readonly batchSize: number;
  private readonly perEntity: number;
  private readonly reclaimAfterMs: number;
  private readonly now: () => number;
  private readonly ingest: IngestHold;

  constructor(
    private readonly deps: HandlerDeps,
    options: WorkerOptions,
  ) {
    super('wecom-events', options.pollMs ?? 1000, deps.logger);
    this.batchSize = options.batchSize ?? 50;
    this.perEntity = options.perEntity ?? 100;
    this.reclaimAfterMs = options.reclaimAfterMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.ingest = new IngestHold(options.ingestQuietMs ?? 100, options.ingestMaxHoldMs ?? 1000);
    this.queue = new DurableQueue(
      deps.sequelize,
      INBOX_QUEUE,
      { maxAttempts: options.maxAttempts, baseMs: options.retryBaseMs ?? 2000, capMs: options.retryCapMs ?? 10 * 60_000 },
      this.now,
    );
  }

  /**
   * This process stored callback deliveries (or queued dead ones again): apply them soon. Not at
   * once while more are arriving — answering WeCom within its 5 s comes first, and one contact's
   * edits that wait a moment coalesce into one WeCom read (see holdMs).
   */
  noteStored(): void {
    this.ingest.stored(this.now());
    this.nudge();
  }

  /** The poller's rounds wait while deliveries keep arriving (ingest-hold.ts). */
  holdMs(): number {
    return this.ingest.holdMs(this.now());
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
    const claimed = await this.load(await this.claim());
    // What the steps need from WeCom is fetched at once (the API round trips overlap; nothing is
    // written yet). Then the steps are written one by one in arrival order.
    const prepared = await Promise.all(stepsOf(claimed).map((step) => this.prepare(step)));
    const failed = new Set<string>();
    for (const step of prepared) await this.process(step, failed);
    return claimed.length;
  }

  /** The entities' oldest events, then what queues behind them (up to `perEntity` each, in order). */
  private async claim(): Promise<number[]> {
    const heads = await this.queue.claim(this.id, this.batchSize);
    if (!heads.length || this.perEntity <= 1) return heads;
    const behind = await this.deps.sequelize.query<{ id: number; entity_key: string }>(
      `SELECT t.id, t.entity_key FROM wecom_events h JOIN wecom_events t ON t.entity_key = h.entity_key AND t.id > h.id
        WHERE h.id IN (${sqlList(heads)}) AND t.status = 'pending' ORDER BY t.id LIMIT ${heads.length * this.perEntity}`,
      { replacements: heads, type: QueryTypes.SELECT },
    );
    const taken = new Map<string, number>();
    const more = behind
      .filter((r) => {
        const n = (taken.get(r.entity_key) ?? 1) + 1;
        taken.set(r.entity_key, n);
        return n <= this.perEntity;
      })
      .map((r) => Number(r.id));
    return [...heads, ...(await this.queue.take(this.id, more))];
  }

  private async load(ids: number[]): Promise<ClaimedEvent[]> {
    if (!ids.length) return [];
    return this.deps.sequelize.query<ClaimedEvent>(
      `SELECT id, event_type, change_type, entity_key, payload, attempts FROM wecom_events WHERE id IN (${sqlList(ids)}) ORDER BY id`,
      {
        replacements: ids,
        type: QueryTypes.SELECT,
      },
    );
  }

  /** Runs the handler's read phase (WeCom API calls, nothing written); a failure is kept for `process`. */
  private async prepare(step: Step): Promise<PreparedStep> {
    if (!step.handler) return { step, apply: null };
    try {
      return {
        step,
        apply: await step.handler.handle(
          step.events.map((e) => parseCallbackXml(e.payload)),
          this.deps,
        ),
      };
    } catch (error) {
      return { step, apply: null, error };
    }
  }

  /** Applies one step, or gives it back untouched when an earlier step of its entity failed (`failed`). */
  private async process({ step, apply, error }: PreparedStep, failed: Set<string>): Promise<void> {
    const { sequelize, logger } = this.deps;
    const ids = step.events.map((e) => Number(e.id));
    if (failed.has(step.entity)) {
      // Not its failure: it waits behind the failed event (still earlier and unfinished) as it arrived.
      for (const id of ids) await this.queue.release(this.id, id, new Date(this.now()));
      return;
    }
    try {
      if (error !== undefined) throw error;
      if (!apply) {
        await this.finish(ids, 'ignored');
        return;
      }
      // Two workers writing the same mirror rows may deadlock; the victim's transaction is
      // rolled back whole, so it is simply run again — not counted as a failed attempt.
      await retryOnDeadlock(() =>
        sequelize.transaction(async (transaction) => {
          await apply(transaction);
          await this.finish(ids, 'done', transaction);
        }),
      );
    } catch (err) {
      failed.add(step.entity);
      // A coalesced run failed as one: each of its events is retried (one backoff for all, so they stay together).
      const delayMs = backoffMs(Math.max(...step.events.map((e) => Number(e.attempts))), this.queue.policy);
      const fates = [];
      for (const e of step.events) fates.push(await this.queue.fail(this.id, e.id, Number(e.attempts), err, { delayMs }));
      const head = step.events[0]!;
      logger.warn(
        {
          eventIds: ids,
          type: `${head.event_type}/${head.change_type}`,
          attempts: head.attempts,
          dead: fates.filter((f) => f === 'dead').length,
          error: (err as Error)?.message,
        },
        'callback event failed',
      );
    }
  }

  private async finish(ids: number[], status: 'done' | 'ignored', transaction?: Transaction): Promise<void> {
    const finished = await this.queue.complete(this.id, ids, status, { processed_at: new Date(this.now()), last_error: null }, transaction);
    // Our claim was reclaimed by another worker meanwhile: roll back rather than apply twice.
    if (!finished) throw new Error(`event ${ids.join(', ')} is no longer claimed by this worker`);
  }
}

/**
 * Claimed events (in id order) as steps in the order of their first event: an event joins the
 * step before it of the same entity when both coalesce under the same key, else starts its own.
 */
function stepsOf(events: readonly ClaimedEvent[]): Step[] {
  const steps: Step[] = [];
  const last = new Map<string, Step>();
  for (const event of events) {
    const handler = handlerFor(event.event_type, event.change_type);
    const previous = last.get(event.entity_key);
    if (previous && handler?.coalesce && previous.handler?.coalesce === handler.coalesce) {
      previous.events.push(event);
      continue;
    }
    const step = { entity: event.entity_key, events: [event], handler };
    steps.push(step);
    last.set(event.entity_key, step);
  }
  return steps;
}
