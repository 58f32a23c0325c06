/**
 * The machinery every sync run shares (org, external contacts): one run per kind across all
 * instances (a lease taken in the same transaction that creates the run row, renewed while the
 * run works), progress and counts in `sync_runs`, a crashed run marked failed by the next one,
 * and the outcome recorded even when the work throws.
 */
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { enqueueJob, JOB_QUEUE, liveJob } from '../../jobs/jobs';
import { DurableQueue } from '../../jobs/queue';
import { conflict } from '../../errors';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { audit, type Actor } from '../audit/service';
import type { SyncRunJson } from '@shared/sync';
import { syncRunModels, syncRunView, type SyncKind } from './models';

/** A full sync may wait out bad minutes: 8 retries with backoff per WeCom call. */
export const SYNC_RETRIES = 8;

/**
 * The client a sync run calls WeCom with: more retries, and an API WeCom blocked for its window
 * (45009) waited out — the admin sees why the run stands still — instead of failing the run.
 */
export function syncClient(wecom: WecomClient, progress: SyncProgress): WecomClient {
  return wecom
    .withRetries(SYNC_RETRIES)
    .waitingOutBlocks((api, waitMs) => progress.say(`企业微信接口限频（${api}），预计 ${Math.ceil(waitMs / 1000)} 秒后继续`));
}

const LEASE_TTL_MS = 60_000;
const HEARTBEAT_MS = 15_000;

export const SYNC_LABELS: Record<SyncKind, string> = { org: '组织架构同步', external_contacts: '客户联系同步' };

export interface SyncCounts {
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  left_count: number;
}

export interface SyncProgress {
  readonly counts: SyncCounts;
  tally(outcome: 'created' | 'updated' | 'unchanged' | 'left', n?: number): void;
  /** Adds to a named figure of the run's details. */
  count(detail: string, n?: number): void;
  /** Tells the admin something (once per distinct sentence). */
  note(text: string): void;
  /** The run will end `partial`: some of the work could not be done, for `reason`. */
  incomplete(reason: string): void;
  /** Shows `phase` now, progress unchanged (e.g. why the run is waiting). */
  say(phase: string): Promise<void>;
  /** Writes progress (0–100) and phase; throttled unless `force`. */
  report(progress: number, phase: string, force?: boolean): Promise<void>;
}

export interface StartedSync {
  run: SyncRunJson;
  /** Settles when the run has finished (succeeded or failed); never rejects. */
  done: Promise<SyncRunJson>;
}

export interface SyncRunnerDeps {
  sequelize: Sequelize;
  logger: Logger;
  now?: () => number;
}

/** What a sync of WeCom's data needs: the runner's, and the client it reads WeCom with. */
export interface WecomSyncDeps extends SyncRunnerDeps {
  wecom: WecomClient;
}

/** Starts `work` as a run of `kind` in the background; 409 (with the running run's id) if one runs. */
export async function startSyncRun(deps: SyncRunnerDeps, kind: SyncKind, actor: Actor, work: (progress: SyncProgress) => Promise<void>): Promise<StartedSync> {
  const { sequelize, logger } = deps;
  const now = deps.now ?? Date.now;
  const { SyncRun } = syncRunModels(sequelize);
  // A run is a job of the one job machinery, keyed per kind: the key is unique while the job is
  // live, so one run per kind holds across instances; the job's lease (renewed while the run works)
  // says whether its holder still lives.
  const queue = new DurableQueue(sequelize, JOB_QUEUE, { maxAttempts: 1, baseMs: 0, capMs: 0 }, now);
  const owner = `sync:${randomUUID()}`;
  const key = `sync:${kind}`;
  await queue.reclaim(LEASE_TTL_MS, { sql: 'idempotency_key = ?', params: [key] });
  const started = await sequelize.transaction(async (transaction) => {
    const stale = await liveJob(sequelize, key, transaction);
    if (stale?.status === 'running') return null;
    let jobId: number | null;
    if (stale) {
      // Its holder died (reclaimed above): that run is over; this start takes the job over.
      if (!(await queue.claimOne(owner, stale.id, transaction))) return null;
      await SyncRun.update(
        { status: 'failed', error: '同步进程中断（服务重启或崩溃），请重新发起', finished_at: new Date(now()) },
        { where: { kind, status: 'running' }, transaction },
      );
      jobId = stale.id;
    } else {
      // Created already held by us: another start reading it meanwhile sees it running.
      jobId = await enqueueJob(sequelize, { kind: `sync.${kind}`, key, payload: { kind }, heldBy: owner }, transaction, new Date(now()));
      if (jobId === null) return null; // another start won the key a moment ago
    }
    const row = await SyncRun.create({ kind, status: 'running', started_by: actor.userId, started_at: new Date(now()), phase: '准备中' }, { transaction });
    return { jobId, row };
  });
  if (!started) {
    const running = await SyncRun.findOne({ where: { kind, status: 'running' }, order: [['id', 'DESC']] });
    throw conflict(`已有${SYNC_LABELS[kind]}正在进行`, { runId: running?.get().id ?? null });
  }
  const { jobId, row } = started;
  const run = syncRunView(row.get());
  await audit(sequelize, actor, { action: `sync.${kind}.start`, entity: 'sync_run', entityId: run.id, summary: `发起${SYNC_LABELS[kind]}` });

  const counts: SyncCounts = { created_count: 0, updated_count: 0, unchanged_count: 0, left_count: 0 };
  const notes: string[] = [];
  const details: Record<string, number> = {};
  let partial = false;
  const extras = () => ({ notes: notes.length ? JSON.stringify(notes) : null, details: Object.keys(details).length ? JSON.stringify(details) : null });
  let lastReport = 0;
  const progress: SyncProgress = {
    counts,
    tally(outcome, n = 1) {
      counts[`${outcome}_count`] += n;
    },
    count(detail, n = 1) {
      details[detail] = (details[detail] ?? 0) + n;
    },
    note(text) {
      if (!notes.includes(text)) notes.push(text);
    },
    incomplete(reason) {
      partial = true;
      this.note(reason);
    },
    async say(phase) {
      await SyncRun.update({ phase }, { where: { id: run.id } });
    },
    async report(value, phase, force = false) {
      if (!force && now() - lastReport < 300) return;
      lastReport = now();
      await SyncRun.update({ progress: Math.floor(value), phase, ...counts, ...extras() }, { where: { id: run.id } });
    },
  };

  const heartbeat = setInterval(() => void queue.heartbeat(owner, [jobId]).catch(() => {}), HEARTBEAT_MS);
  heartbeat.unref();
  const done = (async () => {
    try {
      await work(progress);
      const status = partial ? 'partial' : 'succeeded';
      await SyncRun.update(
        { status, progress: 100, phase: partial ? '部分完成' : '完成', ...counts, ...extras(), finished_at: new Date(now()) },
        { where: { id: run.id } },
      );
      logger.info({ runId: run.id, kind, ...counts }, 'sync finished');
    } catch (err) {
      logger.error({ runId: run.id, kind, err }, 'sync failed');
      const message = err instanceof Error ? err.message : String(err);
      await SyncRun.update(
        { status: 'failed', error: message.slice(0, 2000), ...counts, ...extras(), finished_at: new Date(now()) },
        { where: { id: run.id } },
      ).catch(() => {});
    } finally {
      clearInterval(heartbeat);
      // Done either way: the key is free for the next run.
      await queue.complete(owner, jobId, 'done', { idempotency_key: null, finished_at: new Date(now()) }).catch(() => {});
    }
    const finished = await SyncRun.findByPk(run.id).catch(() => null); // the database may be closing
    return finished ? syncRunView(finished.get()) : run;
  })();
  return { run, done };
}
