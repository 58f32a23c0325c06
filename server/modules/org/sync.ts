/**
 * Full org sync (DESIGN §6.2): departments, then employees, then those no longer present are
 * marked `left`. One run at a time across all instances (a lease); progress and counts live in
 * `sync_runs` so any instance can report them. Running it twice changes nothing the second time.
 *
 * Employees are enumerated with `user/list_id` (cursor, up to 10,000 per page) and read with
 * `user/get`: both work with the 通讯录同步 secret for corps and apps created after the 2022-08
 * privacy change, where `user/list` per department is restricted or omits fields.
 */
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import type { WecomUser } from '../../wecom/types';
import type { Actor } from '../audit/service';
import { startSyncRun, SYNC_RETRIES, type StartedSync, type SyncProgress } from '../sync-runs/runner';
import { orgModels, type UserRow } from './models';
import { applyDepartments, applyEmployee, markLeft, type RoleBootstrap } from './service';

export interface OrgSyncDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  bootstrap: RoleBootstrap;
  now?: () => number;
}

const USER_BATCH = 100;
const USER_NOT_FOUND = 60111;

/** Starts an org sync in the background; 409 while another one runs anywhere. */
export function startOrgSync(deps: OrgSyncDeps, actor: Actor): Promise<StartedSync> {
  return startSyncRun(deps, 'org', actor, (progress) => syncOrg(deps, progress));
}

async function syncOrg(deps: OrgSyncDeps, progress: SyncProgress): Promise<void> {
  const { sequelize } = deps;
  const now = deps.now ?? Date.now;
  const wecom = deps.wecom.withRetries(SYNC_RETRIES);
  const { User, UserDepartment } = orgModels(sequelize);

  await progress.report(1, '同步部门', true);
  const { department } = await wecom.listDepartments();
  const deptCounts = await sequelize.transaction((t) => applyDepartments(sequelize, department, t, new Date(now())));
  progress.tally('created', deptCounts.created);
  progress.tally('updated', deptCounts.updated);
  progress.tally('unchanged', deptCounts.unchanged);
  progress.tally('left', deptCounts.removed);
  await progress.report(10, '获取成员列表', true);

  // list_id has one entry per (member, department): a member in two departments appears twice.
  const present = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await wecom.listUserIds(cursor);
    for (const { userid } of page.dept_user) present.add(userid);
    cursor = page.next_cursor || undefined;
  } while (cursor);
  const userids = [...present];
  await progress.report(15, '同步成员', true);

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
        progress.tally(outcome);
      }
    });
    batch.forEach((userid, k) => {
      if (!details[k]) present.delete(userid);
    });
    await progress.report(15 + (80 * Math.min(i + USER_BATCH, userids.length)) / Math.max(userids.length, 1), '同步成员');
  }

  await progress.report(95, '标记离职成员', true);
  progress.tally('left', await sequelize.transaction((t) => markLeft(sequelize, present, t)));
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
