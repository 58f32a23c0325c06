/**
 * Full org sync (server/README.md#sync-flow): departments, then employees, then those no longer present are
 * marked `left`. One run at a time across all instances (a lease); progress and counts live in
 * `sync_runs` so any instance can report them. Running it twice changes nothing the second time.
 *
 * What may be read depends on the corp (see directory.ts): departments from `department/list`
 * (else `department/simplelist` + `department/get`), members with `user/list` per department
 * (1,000 calls for 10,000 people in 1,000 departments — `user/get` for each would spend the whole
 * per-API minute quota) or, where no secret may call it, `user/list_id` + `user/get` each. Every
 * refusal the sync works around is told to the admin in the run's notes.
 */
import type { WecomUser } from '../../wecom/types';
import type { Actor } from '../audit/service';
import { startSyncRun, syncClient, type StartedSync, type SyncProgress, type WecomSyncDeps } from '../sync-runs/runner';
import { DirectoryReader } from './directory';
import { applyDepartments, applyEmployees, markLeft, type RoleBootstrap } from './service';

export interface OrgSyncDeps extends WecomSyncDeps {
  bootstrap: RoleBootstrap;
}

const USER_BATCH = 200;
const LIST_CONCURRENCY = 16;

/** Starts an org sync in the background; 409 while another one runs anywhere. */
export function startOrgSync(deps: OrgSyncDeps, actor: Actor): Promise<StartedSync> {
  return startSyncRun(deps, 'org', actor, (progress) => syncOrg(deps, progress));
}

async function syncOrg(deps: OrgSyncDeps, progress: SyncProgress): Promise<void> {
  const { sequelize } = deps;
  const now = deps.now ?? Date.now;
  const directory = new DirectoryReader(syncClient(deps.wecom, progress));

  await progress.report(1, '同步部门', true);
  const department = await directory.departments();
  const deptCounts = await sequelize.transaction((t) => applyDepartments(sequelize, department, t, new Date(now())));
  progress.tally('created', deptCounts.created);
  progress.tally('updated', deptCounts.updated);
  progress.tally('unchanged', deptCounts.unchanged);
  progress.tally('left', deptCounts.removed);
  await progress.report(10, '获取成员列表', true);

  const members =
    (await membersByDepartment(
      directory,
      department.map((d) => d.id),
      progress,
    )) ?? (await membersOneByOne(directory, progress));
  directory.finish(members);
  for (const note of directory.notes) progress.note(note);
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

/** Every member with details, one `user/list` per department; null when no secret may call it. */
async function membersByDepartment(directory: DirectoryReader, departmentIds: number[], progress: SyncProgress): Promise<WecomUser[] | null> {
  const byUserid = new Map<string, WecomUser>();
  for (let i = 0; i < departmentIds.length; i += LIST_CONCURRENCY) {
    const pages = await Promise.all(departmentIds.slice(i, i + LIST_CONCURRENCY).map((id) => directory.membersOf(id)));
    if (pages.some((p) => p === null)) return null;
    // A member of several departments is listed in each of them.
    for (const wu of pages.flat()) byUserid.set(wu!.userid, wu!);
    await progress.report(10 + (45 * Math.min(i + LIST_CONCURRENCY, departmentIds.length)) / departmentIds.length, '获取成员详情');
  }
  return [...byUserid.values()];
}

/** The fallback: ids from `user/list_id`, then each member's details (or the userid for a name). */
async function membersOneByOne(directory: DirectoryReader, progress: SyncProgress): Promise<WecomUser[]> {
  // list_id has one entry per (member, department): a member in two departments appears twice.
  const departmentsOf = new Map<string, number[]>();
  for (const { userid, department } of await directory.memberIds()) departmentsOf.set(userid, [...(departmentsOf.get(userid) ?? []), department]);
  const userids = [...departmentsOf.keys()];
  const members: WecomUser[] = [];
  for (let i = 0; i < userids.length; i += USER_BATCH) {
    const details = await Promise.all(userids.slice(i, i + USER_BATCH).map((id) => directory.member(id, departmentsOf.get(id)!)));
    members.push(...details.filter((wu): wu is WecomUser => wu !== null));
    await progress.report(15 + (40 * Math.min(i + USER_BATCH, userids.length)) / Math.max(userids.length, 1), '获取成员详情');
  }
  return members;
}
