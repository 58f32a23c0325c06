/**
 * Durable jobs (the `jobs` table) on the one queue machinery (queue.ts): enqueue in the caller's
 * transaction, an idempotency key unique while the job is live, handlers per kind with their own
 * concurrency, a lease renewed while a handler runs (a crashed process's job is reclaimed and run
 * again — handlers are written to be re-runnable), backoff, `dead`, admin retry.
 *
 * Work a person starts and watches (a sync run, an import) is run at once in the process that
 * queued it (`runNow`), so it starts without waiting for a poll and its caller can await it; the
 * job row is what makes it survive that process.
 */
import { randomUUID } from 'node:crypto';
import type { JobKind } from '@shared/jobs';
import { Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { explainWecomFailure, WecomApiError, WecomTransportError } from '../wecom/errors';
import { jobModels, type JobRow } from './models';
import { DurableQueue, queueTable, type RetryPolicy } from './queue';
import { PolledWorker } from './poller';

export const JOB_QUEUE = queueTable(
  'jobs',
  { column: 'status', ready: 'queued', running: 'running', dead: 'dead' },
  {
    dueAt: 'run_at',
    order: 'q.run_at, q.id',
    // Jobs of one serial key run one at a time, in the order queued (a dead one no longer holds the line).
    claimable:
      "q.serial_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs p WHERE p.serial_key = q.serial_key AND p.id < q.id AND p.status IN ('queued', 'running'))",
  },
);

export interface NewJob {
  kind: JobKind;
  payload: unknown;
  /** Unique while the job is queued or running: a second enqueue with it is a no-op. */
  key?: string;
  /**
   * Jobs with one serial key run one at a time, in the order queued — each is queued (none is
   * dropped), and none starts before the earlier ones have finished or died.
   */
  serialKey?: string;
  runAt?: Date;
  /** Queued already taken by this holder (work that starts here and now, in the same transaction). */
  heldBy?: string;
}

/** Queues a job (in `transaction` if given); its id, or null when a live job holds `key`. */
export async function enqueueJob(sequelize: Sequelize, job: NewJob, transaction?: Transaction, now = new Date()): Promise<number | null> {
  try {
    const created = await jobModels(sequelize).Job.create(
      {
        kind: job.kind,
        idempotency_key: job.key ?? null,
        serial_key: job.serialKey ?? null,
        payload: JSON.stringify(job.payload ?? null),
        status: job.heldBy ? 'running' : 'queued',
        attempts: job.heldBy ? 1 : 0,
        run_at: job.runAt ?? now,
        locked_by: job.heldBy ?? null,
        locked_at: job.heldBy ? now : null,
      },
      { transaction },
    );
    return created.get().id;
  } catch (err) {
    if (job.key && err instanceof UniqueConstraintError) return null;
    throw err;
  }
}

/**
 * Queues the job, or — when a live job holds its key — makes that job due no later than this
 * one would be (a poll asked for sooner than the one already planned).
 */
export async function enqueueOrHasten(sequelize: Sequelize, job: NewJob & { key: string }, transaction?: Transaction, now = new Date()): Promise<void> {
  const id = await enqueueJob(sequelize, job, transaction, now);
  if (id !== null) return;
  const at = job.runAt ?? now;
  await jobModels(sequelize).Job.update({ run_at: at }, { where: { idempotency_key: job.key, status: 'queued', run_at: { [Op.gt]: at } }, transaction });
}

/** The live job holding `key`, if any. */
export async function liveJob(sequelize: Sequelize, key: string, transaction?: Transaction): Promise<JobRow | null> {
  return (await jobModels(sequelize).Job.findOne({ where: { idempotency_key: key }, transaction }))?.get() ?? null;
}

/**
 * A failure as the admin's job list shows it: in Chinese, without codes (the error itself, with
 * its errcode and stack, goes to the log).
 */
export function failureText(err: unknown): string {
  if (err instanceof WecomApiError || err instanceof WecomTransportError) return explainWecomFailure(err).message;
  if (err instanceof DomainError) return err.message;
  return '系统内部错误（详情见服务日志）';
}

export interface JobContext {
  jobId: number;
  attempt: number;
  logger: Logger;
}

/** What a kind's `onDead` is told: the job, why it died, and the transaction that marks it dead. */
export interface DeadJob {
  jobId: number;
  /** The last failure (a WeCom error, a bug…): the handler words it for people. */
  error: unknown;
  transaction: Transaction;
}

export interface JobHandler<P = unknown> {
  kind: JobKind;
  /** What the job does, in Chinese, for the admin's job list (e.g. 「提交客户转接」). */
  label: string;
  /** Jobs of this kind one process runs at once. */
  concurrency: number;
  retry: RetryPolicy;
  /** A job not renewed this long is its crashed holder's: it is run again. */
  leaseMs: number;
  /**
   * Does the work. `{ runAgainAt }`: not finished — the same job (its key still held) runs
   * again then, without counting as a failed attempt (a poll waiting on WeCom).
   */
  run(payload: P, context: JobContext): Promise<void | { runAgainAt: Date }>;
  /** Errors not worth another attempt (bad input, a refusal that will not change). */
  permanent?(error: unknown): boolean;
  /**
   * The job is dead (its attempts spent, or a permanent failure): put the business rows that wait
   * on it into a failed state a person can act on — with the reason in Chinese — so nothing waits
   * for a job that will never run again. Required of every kind: no kind can forget it (a kind
   * with nothing waiting on it says so in a comment). Runs in the transaction that marks the job dead.
   */
  onDead(payload: P, dead: DeadJob): Promise<void>;
  /**
   * An admin retries the dead job: undo what `onDead` did (the rows wait on the job again) so the
   * retried run does the work; in the transaction that queues the job again.
   */
  onRetry(payload: P, transaction: Transaction): Promise<void>;
}

export class JobWorker extends PolledWorker {
  readonly id = `jobs:${randomUUID()}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly queues = new Map<string, DurableQueue>();
  private readonly inFlight = new Map<string, Set<number>>();
  private lastReclaim = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly logger: Logger,
    private readonly options: { pollMs?: number; now?: () => number } = {},
  ) {
    super('jobs', options.pollMs ?? 1000, logger);
  }

  private get now(): () => number {
    return this.options.now ?? Date.now;
  }

  registerAll(handlers: readonly JobHandler[]): this {
    for (const h of handlers) this.register(h);
    return this;
  }

  register<P>(handler: JobHandler<P>): this {
    this.handlers.set(handler.kind, handler as JobHandler);
    this.queues.set(handler.kind, new DurableQueue(this.sequelize, JOB_QUEUE, handler.retry, this.now));
    this.inFlight.set(handler.kind, new Set());
    return this;
  }

  /** Reclaims crashed holders' jobs now and then; starts due jobs up to each kind's concurrency. */
  async runOnce(): Promise<number> {
    const shortestLease = Math.min(...[...this.handlers.values()].map((h) => h.leaseMs));
    if (this.now() - this.lastReclaim >= shortestLease / 2) {
      for (const [kind, handler] of this.handlers) await this.reclaim(kind, handler.leaseMs);
      this.lastReclaim = this.now();
    }
    const started: Promise<void>[] = [];
    for (const [kind, handler] of this.handlers) {
      const free = handler.concurrency - this.inFlight.get(kind)!.size;
      const ids = await this.queues.get(kind)!.claim(this.id, free, { sql: 'q.kind = ?', params: [kind] });
      started.push(...ids.map((id) => this.execute(handler, id)));
    }
    await Promise.all(started);
    return started.length;
  }

  /** Takes job `id` (it must be queued) and runs it here, now; resolves when it has ended. */
  async runNow(id: number): Promise<void> {
    const row = await this.load(id);
    const handler = row && this.handlers.get(row.kind);
    if (!handler || !(await this.queues.get(row.kind)!.claimOne(this.id, id))) return;
    await this.execute(handler, id);
  }

  /** The kinds this worker runs (the admin's job list labels them). */
  handlerOf(kind: string): Pick<JobHandler, 'kind' | 'label'> | undefined {
    return this.handlers.get(kind);
  }

  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * The admin's retry of a dead job: its kind's `onRetry` puts its rows back to waiting on it and
   * the job is queued again with a fresh budget, in one transaction. False when the job is not
   * dead (or of a kind this worker does not run).
   */
  async retryDead(id: number): Promise<boolean> {
    const row = await this.load(id);
    const handler = row && this.handlers.get(row.kind);
    if (!handler || row.status !== 'dead') return false;
    return this.sequelize.transaction(async (transaction) => {
      if ((await this.queues.get(row.kind)!.retryDead([id], transaction)) !== 1) return false;
      await handler.onRetry(JSON.parse(row.payload), transaction);
      return true;
    });
  }

  private async reclaim(kind: string, leaseMs: number): Promise<void> {
    const back = await this.queues.get(kind)!.reclaim(leaseMs, { sql: 'kind = ?', params: [kind] });
    if (back) this.logger.warn({ kind, jobs: back }, 'jobs of a crashed process taken back');
  }

  /**
   * A failed run goes back to the queue with backoff, or dies. A dead job frees its key (the same
   * work may be started again) and its kind puts what waited on it into a failed, retryable state —
   * all in the transaction that marks it dead, so a crash cannot leave a dead job whose rows still
   * wait on it. Should the kind's `onDead` itself fail, the job is still marked dead (one that
   * cannot die would run for ever) and the fault is logged for the admin.
   */
  private async settleFailure(handler: JobHandler, id: number, attempt: number, payload: unknown, error: unknown): Promise<'retry' | 'dead'> {
    const queue = this.queues.get(handler.kind)!;
    const permanent = handler.permanent?.(error) ?? false;
    const fail = (transaction?: Transaction) => queue.fail(this.id, id, attempt, failureText(error), { permanent, transaction });
    if (!queue.diesAfter(attempt, permanent)) return fail();
    const freeKey = (transaction?: Transaction) =>
      jobModels(this.sequelize).Job.update({ idempotency_key: null, finished_at: new Date(this.now()) }, { where: { id }, transaction });
    try {
      await this.sequelize.transaction(async (transaction) => {
        await fail(transaction);
        await freeKey(transaction);
        await handler.onDead(payload, { jobId: id, error, transaction });
      });
    } catch (err) {
      this.logger.error({ jobId: id, kind: handler.kind, err }, 'a dead job could not release what waited on it');
      await fail();
      await freeKey();
    }
    return 'dead';
  }

  private async load(id: number): Promise<JobRow | null> {
    return (await jobModels(this.sequelize).Job.findByPk(id))?.get() ?? null;
  }

  private async execute(handler: JobHandler, id: number): Promise<void> {
    const queue = this.queues.get(handler.kind)!;
    const running = this.inFlight.get(handler.kind)!;
    running.add(id);
    const heartbeat = setInterval(() => void queue.heartbeat(this.id, [id]).catch(() => undefined), Math.max(100, handler.leaseMs / 3));
    heartbeat.unref();
    try {
      const row = (await this.load(id))!;
      const attempt = Number(row.attempts);
      try {
        const outcome = await handler.run(JSON.parse(row.payload), { jobId: id, attempt, logger: this.logger.child({ jobId: id, kind: handler.kind }) });
        if (outcome) await queue.release(this.id, id, outcome.runAgainAt);
        else await queue.complete(this.id, id, 'done', { idempotency_key: null, finished_at: new Date(this.now()), last_error: null });
      } catch (err) {
        const fate = await this.settleFailure(handler, id, attempt, JSON.parse(row.payload), err);
        this.logger.warn({ jobId: id, kind: handler.kind, attempt, fate, err }, 'job failed');
      }
    } finally {
      clearInterval(heartbeat);
      running.delete(id);
    }
  }
}
