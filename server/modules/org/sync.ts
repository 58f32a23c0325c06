/**
 * Full org sync (DESIGN §6.2): departments, then employees, then those no longer present are
 * marked `left`. One run at a time across all instances (a lease); progress and counts live in
 * `sync_runs` so any instance can report them. Running it twice changes nothing the second time.
 *
 * Employees are read with `user/list` per department; where that is refused to the secret (the
 * 2022-08 privacy change), they are enumerated with `user/list_id` (cursor, up to 10,000 per
 * page) and read one by one with `user/get`, which the 通讯录同步 secret may always call.
 */
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import type { WecomUser } from '../../wecom/types';
import type { Actor } from '../audit/service';
import { startSyncRun, SYNC_RETRIES, type StartedSync, type SyncProgress } from '../sync-runs/runner';
import { applyDepartments, applyEmployees, markLeft, type RoleBootstrap } from './service';

export interface OrgSyncDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  bootstrap: RoleBootstrap;
  now?: () => number;
}

const USER_BATCH = 200;
const LIST_CONCURRENCY = 16;
const USER_NOT_FOUND = 60111;
const DEPARTMENT_NOT_FOUND = 60123;
/** `user/list` refused to this secret: "api forbidden" / "not allowed". */
const LIST_FORBIDDEN = [48002, 48009];

/** Starts an org sync in the background; 409 while another one runs anywhere. */
export function startOrgSync(deps: OrgSyncDeps, actor: Actor): Promise<StartedSync> {
  return startSyncRun(deps, 'org', actor, (progress) => syncOrg(deps, progress));
}

async function syncOrg(deps: OrgSyncDeps, progress: SyncProgress): Promise<void> {
  const { sequelize } = deps;
  const now = deps.now ?? Date.now;
  const wecom = deps.wecom.withRetries(SYNC_RETRIES);

  await progress.report(1, '同步部门', true);
  const { department } = await wecom.listDepartments();
  const deptCounts = await sequelize.transaction((t) => applyDepartments(sequelize, department, t, new Date(now())));
  progress.tally('created', deptCounts.created);
  progress.tally('updated', deptCounts.updated);
  progress.tally('unchanged', deptCounts.unchanged);
  progress.tally('left', deptCounts.removed);
  await progress.report(10, '获取成员列表', true);

  const members = (await membersByDepartment(wecom, department.map((d) => d.id), progress)) ?? (await membersOneByOne(wecom, progress));
  const present = new Set(members.map((wu) => wu.userid));
  await progress.report(55, '同步成员', true);

  for (let i = 0; i < members.length; i += USER_BATCH) {
    const batch = members.slice(i, i + USER_BATCH);
    const applied = await sequelize.transaction((t) => applyEmployees(sequelize, batch, deps.bootstrap, t));
    for (const { outcome } of applied) progress.tally(outcome);
    await progress.report(55 + (40 * Math.min(i + USER_BATCH, members.length)) / Math.max(members.length, 1), '同步成员');
  }

  await progress.report(95, '标记离职成员', true);
  progress.tally('left', await sequelize.transaction((t) => markLeft(sequelize, present, t)));
}

/**
 * Every member with details from `user/list`, one call per department (1,000 calls for a corp
 * of 10,000 in 1,000 departments, where `user/get` would take 10,000 against a limit of about
 * 10,000 calls per API per minute). Null when this secret may not call `user/list` (apps created
 * after the 2022-08 privacy change): the caller falls back to `membersOneByOne`.
 */
async function membersByDepartment(wecom: WecomClient, departmentIds: number[], progress: SyncProgress): Promise<WecomUser[] | null> {
  const byUserid = new Map<string, WecomUser>();
  try {
    for (let i = 0; i < departmentIds.length; i += LIST_CONCURRENCY) {
      const pages = await Promise.all(departmentIds.slice(i, i + LIST_CONCURRENCY).map((id) => listOrEmpty(wecom, id)));
      // A member of several departments is listed in each of them.
      for (const wu of pages.flat()) byUserid.set(wu.userid, wu);
      await progress.report(10 + (45 * Math.min(i + LIST_CONCURRENCY, departmentIds.length)) / departmentIds.length, '获取成员详情');
    }
  } catch (err) {
    if (err instanceof WecomApiError && LIST_FORBIDDEN.includes(err.errcode)) return null;
    throw err;
  }
  return [...byUserid.values()];
}

/** A department removed since the department list was read has no members to list. */
async function listOrEmpty(wecom: WecomClient, departmentId: number): Promise<WecomUser[]> {
  try {
    return (await wecom.listUsers(departmentId)).userlist;
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === DEPARTMENT_NOT_FOUND) return [];
    throw err;
  }
}

/** The fallback: ids from `user/list_id` (cursor pages), then `user/get` for each member. */
async function membersOneByOne(wecom: WecomClient, progress: SyncProgress): Promise<WecomUser[]> {
  // list_id has one entry per (member, department): a member in two departments appears twice.
  const present = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await wecom.listUserIds(cursor);
    for (const { userid } of page.dept_user) present.add(userid);
    cursor = page.next_cursor || undefined;
  } while (cursor);
  const userids = [...present];
  const members: WecomUser[] = [];
  for (let i = 0; i < userids.length; i += USER_BATCH) {
    const details = await Promise.all(userids.slice(i, i + USER_BATCH).map((id) => getUserOrNull(wecom, id)));
    members.push(...details.filter((wu): wu is WecomUser => wu !== null));
    await progress.report(15 + (40 * Math.min(i + USER_BATCH, userids.length)) / Math.max(userids.length, 1), '获取成员详情');
  }
  return members;
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
