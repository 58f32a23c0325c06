/**
 * The admin's view of the background jobs (`jobs`, server/jobs): every kind, what it does in
 * Chinese, where it stands, why it last failed — and the retry of a dead one, which first lets its
 * kind put back what its death released (`JobHandler.onRetry`).
 */
import { Op, type Sequelize, type WhereOptions } from 'sequelize';
import type { PageOf } from '@shared/http';
import { JOB_STATUSES, type JobStatusCode, type JobView } from '@shared/jobs';
import { iso, isoOrNull } from '../../db/lookup';
import { conflict, notFound } from '../../errors';
import type { JobWorker } from '../../jobs/jobs';
import { jobModels, type JobRow } from '../../jobs/models';
import { audit, type Actor } from '../audit/service';
import { SYNC_LABELS } from '../sync-runs/runner';
import type { SyncKind } from '../sync-runs/models';
import { explainStoredError } from '../../wecom/errors';

/** 提交客户转接, 组织架构同步…; a kind this process does not run (an older version's) as 后台任务. */
function kindLabel(jobs: JobWorker, kind: string): string {
  if (kind.startsWith('sync.')) return SYNC_LABELS[kind.slice('sync.'.length) as SyncKind] ?? '同步任务';
  return jobs.handlerOf(kind)?.label ?? '后台任务';
}

function jobView(jobs: JobWorker, r: JobRow): JobView {
  return {
    id: r.id,
    kind: r.kind,
    kindLabel: kindLabel(jobs, r.kind),
    status: r.status,
    attempts: Number(r.attempts),
    runAt: iso(r.run_at),
    lastError: explainStoredError(r.last_error),
    createdAt: iso(r.created_at),
    finishedAt: isoOrNull(r.finished_at),
  };
}

export async function listJobs(
  sequelize: Sequelize,
  jobs: JobWorker,
  query: { status?: JobStatusCode; kind?: string; page: number; pageSize: number },
): Promise<PageOf<JobView>> {
  const where: WhereOptions<JobRow> = {};
  if (query.status) where.status = query.status;
  if (query.kind) where.kind = query.kind;
  const { rows, count } = await jobModels(sequelize).Job.findAndCountAll({
    where,
    order: [['id', 'DESC']],
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return { items: rows.map((r) => jobView(jobs, r.get())), total: count, page: query.page, pageSize: query.pageSize };
}

/** How many jobs stand in each status. */
export async function jobCounts(sequelize: Sequelize): Promise<Record<JobStatusCode, number>> {
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatusCode, number>;
  const grouped = (await jobModels(sequelize).Job.count({ group: ['status'] })) as unknown as { status: JobStatusCode; count: number }[];
  for (const { status, count } of grouped) counts[status] = Number(count);
  return counts;
}

const NOT_DEAD_TEXT: Partial<Record<JobStatusCode, string>> = { queued: '正在排队', running: '正在执行', done: '已完成' };

/** One dead job queued again (its kind first takes back what its death released). */
export async function retryJob(sequelize: Sequelize, jobs: JobWorker, actor: Actor, id: number): Promise<JobView> {
  const { Job } = jobModels(sequelize);
  const row = (await Job.findByPk(id))?.get();
  if (!row) throw notFound('任务不存在');
  if (row.status !== 'dead') throw conflict(`只有失败的任务可以重试，这个任务${NOT_DEAD_TEXT[row.status] ?? '状态不允许重试'}`);
  if (!(await jobs.retryDead(id))) throw conflict('这个任务已被重试或无法在本服务重试');
  await audit(sequelize, actor, { action: 'job.retry', entity: 'job', entityId: id, summary: `重试后台任务「${kindLabel(jobs, row.kind)}」` });
  return jobView(jobs, (await Job.findByPk(id))!.get());
}

/** Every dead job of the kinds this process runs, queued again; how many. */
export async function retryDeadJobs(sequelize: Sequelize, jobs: JobWorker, actor: Actor): Promise<number> {
  const dead = await jobModels(sequelize).Job.findAll({ attributes: ['id'], where: { status: 'dead', kind: { [Op.in]: jobs.kinds } }, order: [['id', 'ASC']] });
  let retried = 0;
  for (const r of dead) if (await jobs.retryDead(r.get().id)) retried++;
  await audit(sequelize, actor, { action: 'job.retry', entity: 'job', summary: `重试全部失败的后台任务（${retried} 个）` });
  return retried;
}
