/**
 * Full org sync (DESIGN §6.2): departments, then employees, then those no longer present are
 * marked `left`. One run at a time across all instances (a lease); progress and counts live in
 * `sync_runs` so any instance can report them. Running it twice changes nothing the second time.
 *
 * Employees are enumerated with `user/list_id` (cursor, up to 10,000 per page) and read with
 * `user/get`: both work with the 通讯录同步 secret for corps and apps created after the 2022-08
 * privacy change, where `user/list` per department is restricted or omits fields.
 */
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { Lease } from '../../db/lease';
import { conflict } from '../../http/errors';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import type { WecomUser } from '../../wecom/types';
import { audit, type Actor } from '../audit/service';
import { orgModels, type UserRow } from './models';
import { applyDepartments, applyEmployee, markLeft, type RoleBootstrap } from './service';
import { syncRunModels, syncRunView, type SyncRunView } from './sync-runs';

export interface OrgSyncDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  bootstrap: RoleBootstrap;
  now?: () => number;
}

const LEASE_NAME = 'sync:org';
const LEASE_TTL_MS = 60_000;
const HEARTBEAT_MS = 15_000;
/** A full sync may wait out bad minutes: 8 retries with backoff per call. */
const SYNC_RETRIES = 8;
const USER_BATCH = 100;
const USER_NOT_FOUND = 60111;

export interface StartedSync {
  run: SyncRunView;
  /** Settles when the run has finished (succeeded or failed); never rejects. */
  done: Promise<SyncRunView>;
}

/**
 * Starts a sync in the background and returns at once. A second start while one runs anywhere
 * is a 409 whose details carry the running run's id.
 */
export async function startOrgSync(deps: OrgSyncDeps, actor: Actor): Promise<StartedSync> {
  const { sequelize } = deps;
  const now = deps.now ?? Date.now;
  const { SyncRun } = syncRunModels(sequelize);
  const lease = new Lease(sequelize, LEASE_NAME, `org-sync:${randomUUID()}`, LEASE_TTL_MS, now);
  // Lease and run row commit together: whoever is refused finds the running run's id.
  const row = await sequelize
    .transaction(async (transaction) => {
      if (!(await lease.acquire(transaction))) return null;
      // Runs left `running` by a crashed instance: their lease expired, so they are over.
      await SyncRun.update(
        { status: 'failed', error: '同步进程中断（服务重启或崩溃），请重新发起', finished_at: new Date(now()) },
        { where: { kind: 'org', status: 'running' }, transaction },
      );
      return SyncRun.create(
        { kind: 'org', status: 'running', started_by: actor.userId, started_at: new Date(now()), phase: '准备中' },
        { transaction },
      );
    });
  if (!row) {
    const running = await SyncRun.findOne({ where: { kind: 'org', status: 'running' }, order: [['id', 'DESC']] });
    throw conflict('已有组织架构同步正在进行', { runId: running?.get().id ?? null });
  }
  const run = syncRunView(row.get());
  await audit(sequelize, actor, { action: 'sync.org.start', entity: 'sync_run', entityId: run.id, summary: '发起组织架构同步' });

  const heartbeat = setInterval(() => void lease.renew().catch(() => {}), HEARTBEAT_MS);
  heartbeat.unref();
  const done = runOrgSync(deps, run.id)
    .finally(async () => {
      clearInterval(heartbeat);
      await lease.release().catch(() => {});
    })
    .then(async () => syncRunView((await SyncRun.findByPk(run.id))!.get()));
  return { run, done };
}

async function runOrgSync(deps: OrgSyncDeps, runId: number): Promise<void> {
  const { sequelize, logger } = deps;
  const now = deps.now ?? Date.now;
  const wecom = deps.wecom.withRetries(SYNC_RETRIES);
  const { SyncRun } = syncRunModels(sequelize);
  const { User, UserDepartment } = orgModels(sequelize);
  const counts = { created_count: 0, updated_count: 0, unchanged_count: 0, left_count: 0 };
  let lastReport = 0;
  const report = async (progress: number, phase: string, force = false) => {
    if (!force && now() - lastReport < 300) return;
    lastReport = now();
    await SyncRun.update({ progress: Math.floor(progress), phase, ...counts }, { where: { id: runId } });
  };
  const tally = (outcome: 'created' | 'updated' | 'unchanged', n = 1) => {
    counts[`${outcome}_count`] += n;
  };

  try {
    await report(1, '同步部门', true);
    const { department } = await wecom.listDepartments();
    const deptCounts = await sequelize.transaction((t) => applyDepartments(sequelize, department, t, new Date(now())));
    tally('created', deptCounts.created);
    tally('updated', deptCounts.updated);
    tally('unchanged', deptCounts.unchanged);
    counts.left_count += deptCounts.removed;
    await report(10, '获取成员列表', true);

    // list_id has one entry per (member, department): a member in two departments appears twice.
    const present = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await wecom.listUserIds(cursor);
      for (const { userid } of page.dept_user) present.add(userid);
      cursor = page.next_cursor || undefined;
    } while (cursor);
    const userids = [...present];
    await report(15, '同步成员', true);

    const existing = new Map((await User.findAll()).map((u) => [u.get().wecom_userid, u.get() as UserRow]));
    const memberships = new Map<number, Map<number, boolean>>();
    for (const m of await UserDepartment.findAll()) {
      const row = m.get();
      if (!memberships.has(row.user_id)) memberships.set(row.user_id, new Map());
      memberships.get(row.user_id)!.set(row.department_id, Boolean(row.is_leader));
    }

    for (let i = 0; i < userids.length; i += USER_BATCH) {
      const batch = userids.slice(i, i + USER_BATCH);
      const details = await Promise.all(batch.map((id) => getUserOrNull(wecom, id)));
      await sequelize.transaction(async (transaction) => {
        for (const wu of details) {
          if (!wu) continue;
          const user = existing.get(wu.userid) ?? null;
          const { outcome } = await applyEmployee(sequelize, wu, deps.bootstrap, transaction, {
            user,
            memberships: user ? (memberships.get(user.id) ?? new Map()) : new Map(),
          });
          tally(outcome);
        }
      });
      batch.forEach((userid, k) => {
        if (!details[k]) present.delete(userid);
      });
      await report(15 + (80 * Math.min(i + USER_BATCH, userids.length)) / Math.max(userids.length, 1), '同步成员');
    }

    await report(95, '标记离职成员', true);
    counts.left_count += await sequelize.transaction((t) => markLeft(sequelize, present, t));
    await SyncRun.update(
      { status: 'succeeded', progress: 100, phase: '完成', ...counts, finished_at: new Date(now()) },
      { where: { id: runId } },
    );
    logger.info({ runId, ...counts }, 'org sync finished');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logger.error({ runId, err }, 'org sync failed');
    await SyncRun.update(
      { status: 'failed', error: message.slice(0, 2000), ...counts, finished_at: new Date(now()) },
      { where: { id: runId } },
    ).catch(() => {});
  }
}

/** `user/get`, or null when the member was removed between listing and reading. */
async function getUserOrNull(wecom: WecomClient, userid: string): Promise<WecomUser | null> {
  try {
    return await wecom.getUser(userid);
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === USER_NOT_FOUND) return null;
    throw err;
  }
}
