/**
 * The org structure mirrored from WeCom: departments, employees and their memberships.
 * `applyEmployee` is the one place a WeCom member becomes (or updates) a local user; the full
 * sync, the login of a not-yet-synced employee and (later) contact callbacks all go through it.
 */
import { Op, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { PageOf } from '@shared/http';
import type { Colleague, DepartmentOption, UserWithRoles } from '@shared/org';
import type { UserStatus } from '@shared/permissions';
import { pageWindow, type PageRequest } from '../../db/paging';
import { containsWhere } from '../../db/dialect';
import type { WecomDepartment, WecomUser } from '../../wecom/types';
import { forgetDepartmentTree, type Access } from '../roles/access';
import { roleModels } from '../roles/models';
import { FALLBACK_ROLE, defaultRoleResolver } from '../roles/department-roles';
import { grantRolesToMany, revokeLeaderGrants, type AutomaticGrant } from '../roles/service';
import { revokeSessionsOf } from '../sessions/service';
import { orgModels, type UserRow } from './models';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export interface RoleBootstrap {
  /** WeCom userids that are admins (WECOM_ADMIN_USERIDS). */
  adminUserIds: readonly string[];
}

/** WeCom member status → ours. 1 active, 4 not yet activated (still a member); 2 disabled; 5 left. */
export function statusFromWecom(status: number): UserStatus {
  if (status === 2) return 'disabled';
  if (status === 5) return 'left';
  return 'active';
}

type UserFields = Pick<UserRow, 'name' | 'mobile' | 'email' | 'avatar' | 'position' | 'status' | 'main_department_id'>;

/**
 * Our columns from a WeCom member. Mobile, e-mail and avatar are left out when WeCom withheld them
 * (absent, as it does for apps created after 2022-06-20): a value the employee granted at login
 * (snsapi_privateinfo) must not be wiped by the next sync. An empty string does clear them.
 */
type MemberFields = Omit<UserFields, 'mobile' | 'email' | 'avatar'> & Partial<Pick<UserFields, 'mobile' | 'email' | 'avatar'>>;

function userFields(wu: WecomUser): MemberFields {
  const fields: MemberFields = {
    // A member WeCom gives no name (a third-party app, or outside the app's 可见范围) is shown by userid.
    name: wu.name || wu.userid,
    position: wu.position || null,
    status: statusFromWecom(wu.status),
    main_department_id: wu.main_department ?? wu.department[0] ?? null,
  };
  if (wu.mobile !== undefined) fields.mobile = wu.mobile || null;
  if (wu.email !== undefined || wu.biz_mail !== undefined) fields.email = wu.email || wu.biz_mail || null;
  if (wu.avatar !== undefined) fields.avatar = wu.avatar || null;
  return fields;
}

/** The private fields an employee granted through OAuth (auth/getuserdetail), stored on their user. */
export async function applyGrantedDetails(
  sequelize: Sequelize,
  userId: number,
  detail: { mobile?: string; email?: string; biz_mail?: string; avatar?: string },
): Promise<void> {
  const changes: Partial<UserFields> = {};
  if (detail.mobile) changes.mobile = detail.mobile;
  if (detail.email || detail.biz_mail) changes.email = detail.email || detail.biz_mail!;
  if (detail.avatar) changes.avatar = detail.avatar;
  if (Object.keys(changes).length) await orgModels(sequelize).User.update(changes, { where: { id: userId } });
}

function memberships(wu: WecomUser): Map<number, boolean> {
  const out = new Map<number, boolean>();
  wu.department.forEach((id, i) => out.set(id, wu.is_leader_in_dept?.[i] === 1));
  return out;
}

/**
 * Whether WeCom told us the member's leaderships. `user/get` and `user/list` return
 * `is_leader_in_dept`, one 0/1 per department (读取成员 developer.work.weixin.qq.com/document/path/96255,
 * 获取部门成员详情 …/document/path/96260); a member stood in for by a callback's fields alone
 * (callbacks configured since 2022-08-15 carry only UserID and Department) has none, and keeps
 * whatever leader grant it had.
 */
const leadershipKnown = (wu: WecomUser) => wu.is_leader_in_dept !== undefined;

/**
 * Creates or updates the local user for a WeCom member, with its department memberships.
 * New users get their department's default role; new leaders also `manager`, taken back when
 * they lead no department any more (unless it was given by hand); configured admins `admin`.
 */
export async function applyEmployee(
  sequelize: Sequelize,
  wu: WecomUser,
  bootstrap: RoleBootstrap,
  transaction: Transaction,
): Promise<{ outcome: ApplyOutcome; userId: number }> {
  const [applied] = await applyEmployees(sequelize, [wu], bootstrap, transaction);
  return applied!;
}

/**
 * `applyEmployee` for many members at once, in a constant number of statements (a full sync
 * of 10,000 employees would otherwise make some 40,000 round trips). Outcomes in input order.
 */
export async function applyEmployees(
  sequelize: Sequelize,
  members: readonly WecomUser[],
  bootstrap: RoleBootstrap,
  transaction: Transaction,
): Promise<{ outcome: ApplyOutcome; userId: number }[]> {
  if (!members.length) return [];
  const { User, UserDepartment } = orgModels(sequelize);
  const userids = members.map((wu) => wu.userid);
  const existing = new Map(
    (await User.findAll({ where: { wecom_userid: { [Op.in]: userids } }, transaction })).map((u) => [u.get().wecom_userid, u.get() as UserRow]),
  );

  const fresh = members.filter((wu) => !existing.has(wu.userid));
  if (fresh.length) {
    await User.bulkCreate(
      fresh.map((wu) => ({ wecom_userid: wu.userid, mobile: null, email: null, avatar: null, ...userFields(wu) })),
      { transaction },
    );
    // Read the ids back by the unique userid rather than trusting the driver's id arithmetic.
    const created = await User.findAll({ attributes: ['id', 'wecom_userid'], where: { wecom_userid: { [Op.in]: fresh.map((wu) => wu.userid) } }, transaction });
    for (const u of created) existing.set(u.get().wecom_userid, u.get() as UserRow);
  }
  const isFresh = new Set(fresh.map((wu) => wu.userid));

  const outcomes = new Map<string, ApplyOutcome>();
  const deactivated: number[] = [];
  for (const wu of members) {
    if (isFresh.has(wu.userid)) {
      outcomes.set(wu.userid, 'created');
      continue;
    }
    const user = existing.get(wu.userid)!;
    const fields = userFields(wu);
    const changed = (Object.keys(fields) as (keyof UserFields)[]).filter((k) => user[k] !== fields[k]);
    if (changed.length) await User.update(Object.fromEntries(changed.map((k) => [k, fields[k]])), { where: { id: user.id }, transaction });
    if (user.status === 'active' && fields.status !== 'active') deactivated.push(user.id);
    outcomes.set(wu.userid, changed.length ? 'updated' : 'unchanged');
  }

  const ids = members.map((wu) => existing.get(wu.userid)!.id);
  const current = new Map<number, Map<number, boolean>>(ids.map((id) => [id, new Map()]));
  const known = ids.filter((_, i) => !isFresh.has(members[i]!.userid));
  if (known.length) {
    for (const m of await UserDepartment.findAll({ where: { user_id: { [Op.in]: known } }, transaction })) {
      current.get(m.get().user_id)!.set(m.get().department_id, Boolean(m.get().is_leader));
    }
  }
  const moved: number[] = [];
  const links: { user_id: number; department_id: number; is_leader: boolean }[] = [];
  const grants = new Map<number, AutomaticGrant[]>();
  const leadNone: number[] = [];
  const defaultRole = fresh.length ? await defaultRoleResolver(sequelize, transaction) : () => FALLBACK_ROLE;
  members.forEach((wu, i) => {
    const userId = ids[i]!;
    const had = current.get(userId)!;
    const wanted = memberships(wu);
    const same = had.size === wanted.size && [...wanted].every(([d, leader]) => had.get(d) === leader);
    if (!same) {
      if (had.size) moved.push(userId);
      links.push(...[...wanted].map(([department_id, is_leader]) => ({ user_id: userId, department_id, is_leader })));
      if (outcomes.get(wu.userid) === 'unchanged') outcomes.set(wu.userid, 'updated');
    }
    const leads = [...wanted.values()].some(Boolean);
    const becameLeader = leads && ![...had.values()].some(Boolean);
    if (!leads && leadershipKnown(wu) && !isFresh.has(wu.userid)) leadNone.push(userId);
    const roles: AutomaticGrant[] = [
      ...(outcomes.get(wu.userid) === 'created' ? [{ code: defaultRole(userFields(wu).main_department_id), origin: 'default' as const }] : []),
      ...(becameLeader ? [{ code: 'manager', origin: 'leader' as const }] : []),
      ...(bootstrap.adminUserIds.includes(wu.userid) ? [{ code: 'admin', origin: 'bootstrap' as const }] : []),
    ];
    if (roles.length) grants.set(userId, roles);
  });
  if (moved.length) await UserDepartment.destroy({ where: { user_id: { [Op.in]: moved } }, transaction });
  if (links.length) await UserDepartment.bulkCreate(links, { transaction });
  if (grants.size) await grantRolesToMany(sequelize, grants, transaction);
  // A leadership that ended takes its automatic `manager` with it (the member kept seeing the
  // department's customers otherwise); one statement when nobody had one.
  await revokeLeaderGrants(sequelize, leadNone, transaction);
  // Disabled or gone in WeCom: whatever sessions they have end now, not at their expiry.
  await revokeSessionsOf(sequelize, deactivated, transaction);
  return members.map((wu, i) => ({ outcome: outcomes.get(wu.userid)!, userId: ids[i]! }));
}

/**
 * Upserts departments from WeCom; returns outcome counts. With `complete` (a full list, as in a
 * full sync) departments not in it are marked deleted; a partial list leaves the others alone.
 */
export async function applyDepartments(
  sequelize: Sequelize,
  departments: WecomDepartment[],
  transaction: Transaction,
  now: Date,
  complete = true,
): Promise<{ created: number; updated: number; unchanged: number; removed: number }> {
  const { Department } = orgModels(sequelize);
  const existing = new Map((await Department.findAll({ transaction })).map((d) => [d.get().id, d.get()]));
  const counts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const seen = new Set<number>();
  for (const d of departments) {
    seen.add(d.id);
    const wanted = { name: d.name, parent_id: d.parentid === 0 ? null : d.parentid, sort_order: d.order, deleted_at: null };
    const row = existing.get(d.id);
    if (!row) {
      await Department.create({ id: d.id, ...wanted }, { transaction });
      counts.created++;
    } else if (row.name !== wanted.name || row.parent_id !== wanted.parent_id || Number(row.sort_order) !== wanted.sort_order || row.deleted_at !== null) {
      await Department.update(wanted, { where: { id: d.id }, transaction });
      counts.updated++;
    } else {
      counts.unchanged++;
    }
  }
  forgetDepartmentTree(sequelize, transaction);
  const gone = complete ? [...existing.values()].filter((d) => !seen.has(d.id) && d.deleted_at === null).map((d) => d.id) : [];
  if (gone.length) {
    await Department.update({ deleted_at: now }, { where: { id: { [Op.in]: gone } }, transaction });
    counts.removed = gone.length;
  }
  return counts;
}

/** Employees no longer returned by WeCom are marked `left`, never deleted (server/README.md#data-model). */
export async function markLeft(sequelize: Sequelize, presentUserids: ReadonlySet<string>, transaction: Transaction): Promise<number> {
  const { User } = orgModels(sequelize);
  const stillHere = await User.findAll({ attributes: ['id', 'wecom_userid'], where: { status: { [Op.ne]: 'left' } }, transaction });
  const left = stillHere.filter((u) => !presentUserids.has(u.get().wecom_userid)).map((u) => u.get().id);
  for (let i = 0; i < left.length; i += 500) {
    await User.update({ status: 'left' }, { where: { id: { [Op.in]: left.slice(i, i + 500) } }, transaction });
    await revokeSessionsOf(sequelize, left.slice(i, i + 500), transaction);
  }
  return left.length;
}

/** An employee deleted in WeCom (`delete_user`): marked `left`, every session ended. */
export async function markUserLeft(sequelize: Sequelize, wecomUserid: string, transaction: Transaction): Promise<number | null> {
  const { User } = orgModels(sequelize);
  const user = (await User.findOne({ attributes: ['id'], where: { wecom_userid: wecomUserid }, transaction }))?.get();
  if (!user) return null;
  await User.update({ status: 'left' }, { where: { id: user.id }, transaction });
  await revokeSessionsOf(sequelize, [user.id], transaction);
  return user.id;
}

/** Active leaders (部门负责人) of a department. */
export async function leadersOf(sequelize: Sequelize, departmentId: number, transaction?: Transaction): Promise<{ id: number; name: string }[]> {
  const { User, UserDepartment } = orgModels(sequelize);
  const links = await UserDepartment.findAll({ where: { department_id: departmentId, is_leader: true }, transaction });
  if (!links.length) return [];
  const users = await User.findAll({ where: { id: { [Op.in]: links.map((l) => l.get().user_id) }, status: 'active' }, transaction });
  return users.map((u) => ({ id: u.get().id, name: u.get().name }));
}

/**
 * The requester's leaders at `level` of their leader chain (审批 by 部门负责人): from the main
 * department up the tree, each department with an active leader other than the requester is one
 * level — 1 the nearest, 2 the next above. A leader asking is answered by the level above them.
 * Empty when the chain is shorter.
 */
export async function leadersAbove(sequelize: Sequelize, userId: number, level: number, transaction?: Transaction): Promise<{ id: number; name: string }[]> {
  const { Department, User, UserDepartment } = orgModels(sequelize);
  const user = (await User.findByPk(userId, { transaction }))?.get();
  let departmentId: number | null | undefined =
    user?.main_department_id ??
    (await UserDepartment.findOne({ where: { user_id: userId }, order: [['department_id', 'ASC']], transaction }))?.get().department_id;
  const seen = new Set<number>();
  let found = 0;
  while (departmentId !== null && departmentId !== undefined && !seen.has(departmentId)) {
    seen.add(departmentId);
    const leaders = (await leadersOf(sequelize, departmentId, transaction)).filter((l) => l.id !== userId);
    if (leaders.length && ++found === level) return leaders;
    departmentId = (await Department.findOne({ where: { id: departmentId, deleted_at: null }, transaction }))?.get().parent_id;
  }
  return [];
}

export async function findUserByWecomId(sequelize: Sequelize, wecomUserid: string): Promise<UserRow | null> {
  const { User } = orgModels(sequelize);
  return (await User.findOne({ where: { wecom_userid: wecomUserid } }))?.get() ?? null;
}

export async function findUserById(sequelize: Sequelize, id: number): Promise<UserRow | null> {
  const { User } = orgModels(sequelize);
  return (await User.findByPk(id))?.get() ?? null;
}

export async function departmentsOfUser(sequelize: Sequelize, userId: number): Promise<{ id: number; name: string; isLeader: boolean }[]> {
  const { Department, UserDepartment } = orgModels(sequelize);
  const links = await UserDepartment.findAll({ where: { user_id: userId } });
  if (links.length === 0) return [];
  const depts = await Department.findAll({ where: { id: { [Op.in]: links.map((l) => l.get().department_id) } } });
  const names = new Map(depts.map((d) => [d.get().id, d.get().name]));
  return links.map((l) => ({ id: l.get().department_id, name: names.get(l.get().department_id) ?? '', isLeader: l.get().is_leader }));
}

/** The departments a picker may offer: those inside the caller's data scope (all for `all`). */
export async function departmentsInScope(sequelize: Sequelize, access: Access): Promise<DepartmentOption[]> {
  const { Department } = orgModels(sequelize);
  const ids = pickableDepartments(access);
  if (ids && !ids.length) return [];
  const rows = await Department.findAll({
    where: { deleted_at: null, ...(ids ? { id: { [Op.in]: [...ids] } } : {}) },
    order: [
      ['sort_order', 'DESC'],
      ['id', 'ASC'],
    ],
  });
  return rows.map((r) => ({ id: r.get().id, name: r.get().name, parentId: r.get().parent_id }));
}

/** Department ids a picker may offer: null for every department. */
function pickableDepartments(access: Access): readonly number[] | null {
  return access.dataScope === 'all' ? null : access.dataScope === 'self' ? access.departmentIds : access.scopeDepartmentIds;
}

/** Main-department names of these users' departments, for showing people. */
export async function departmentNames(sequelize: Sequelize, ids: (number | null)[]): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (!wanted.length) return new Map();
  const rows = await orgModels(sequelize).Department.findAll({ where: { id: { [Op.in]: wanted } } });
  return new Map(rows.map((r) => [r.get().id, r.get().name]));
}

export const departmentOf = (names: Map<number, string>, id: number | null) => (id === null ? null : { id, name: names.get(id) ?? '' });

/**
 * Active colleagues whose main department is inside the caller's data scope (only the caller
 * for `self`), matching `keyword` in name or WeCom userid: whom a manager may hand customers to.
 */
export async function colleaguesInScope(
  sequelize: Sequelize,
  access: Access,
  query: { keyword?: string; limit: number; status?: Extract<UserStatus, 'active' | 'left'> },
): Promise<Colleague[]> {
  const { User } = orgModels(sequelize);
  const departments = pickableDepartments(access);
  const and: WhereOptions<UserRow>[] = [{ status: query.status ?? 'active' }];
  if (access.dataScope === 'self') and.push({ id: access.userId });
  else if (departments) and.push({ main_department_id: { [Op.in]: [...departments] } });
  and.push(...keywordWhere(sequelize, query.keyword));
  const rows = (
    await User.findAll({
      where: { [Op.and]: and },
      order: [
        ['name', 'ASC'],
        ['id', 'ASC'],
      ],
      limit: query.limit,
    })
  ).map((r) => r.get());
  const names = await departmentNames(
    sequelize,
    rows.map((u) => u.main_department_id),
  );
  return rows.map((u) => ({ id: u.id, wecomUserid: u.wecom_userid, name: u.name, avatar: u.avatar, department: departmentOf(names, u.main_department_id) }));
}

const keywordWhere = (sequelize: Sequelize, keyword: string | undefined): WhereOptions<UserRow>[] => {
  if (!keyword) return [];
  return [{ [Op.or]: [containsWhere(sequelize, 'name', keyword), containsWhere(sequelize, 'wecom_userid', keyword)] }];
};

/** Every employee (any status) with their roles, for the role assignment page. */
export async function usersWithRoles(sequelize: Sequelize, query: PageRequest & { keyword?: string }): Promise<PageOf<UserWithRoles>> {
  const { User } = orgModels(sequelize);
  const { Role, UserRole } = roleModels(sequelize);
  const { rows, count } = await User.findAndCountAll({
    where: { [Op.and]: keywordWhere(sequelize, query.keyword) },
    order: [
      ['status', 'ASC'],
      ['name', 'ASC'],
      ['id', 'ASC'],
    ],
    ...pageWindow(query),
  });
  const users = rows.map((r) => r.get());
  const [names, links, roles] = await Promise.all([
    departmentNames(
      sequelize,
      users.map((u) => u.main_department_id),
    ),
    UserRole.findAll({ where: { user_id: { [Op.in]: users.map((u) => u.id) } } }),
    Role.findAll({ order: [['id', 'ASC']] }),
  ]);
  const roleOf = new Map(roles.map((r) => [r.get().id, { code: r.get().code, name: r.get().name }]));
  const held = (userId: number) =>
    links
      .filter((l) => l.get().user_id === userId)
      .map((l) => roleOf.get(l.get().role_id)!)
      .filter(Boolean);
  return {
    items: users.map((u) => ({
      id: u.id,
      wecomUserid: u.wecom_userid,
      name: u.name,
      status: u.status,
      department: departmentOf(names, u.main_department_id),
      roles: held(u.id),
    })),
    total: count,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** A login happened now. */
export async function recordLogin(sequelize: Sequelize, userId: number): Promise<void> {
  await orgModels(sequelize).User.update({ last_login_at: new Date() }, { where: { id: userId } });
}

/** A userid renamed in WeCom (NewUserID) keeps the same local user, its customers and its history. */
export async function renameWecomUser(sequelize: Sequelize, from: string, to: string, transaction: Transaction): Promise<void> {
  await orgModels(sequelize).User.update({ wecom_userid: to }, { where: { wecom_userid: from }, transaction });
}

/** A department deleted in WeCom (`delete_party`). */
export async function markDepartmentDeleted(sequelize: Sequelize, id: number, transaction: Transaction): Promise<void> {
  forgetDepartmentTree(sequelize, transaction);
  await orgModels(sequelize).Department.update({ deleted_at: new Date() }, { where: { id, deleted_at: null }, transaction });
}
