import type { Sequelize, Transaction } from 'sequelize';
import { Op } from 'sequelize';
import type { DataScopeKind, RoleGrantCode, RoleView } from '@shared/permissions';
import { conflict, notFound } from '../../errors';
import { audit, SYSTEM_ACTOR, type Actor } from '../audit/service';
import { pinyinInitials } from '../../util/pinyin';
import { roleModels, storedGrants, type GrantOrigin, type RoleRow } from './models';
import { requireWithinReach, type Grantor } from './reach';

function view(row: RoleRow): RoleView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    dataScope: row.data_scope,
    permissions: storedGrants(row.permissions),
    isSystem: row.is_system,
  };
}

export async function listRoles(sequelize: Sequelize): Promise<RoleView[]> {
  const { Role } = roleModels(sequelize);
  return (await Role.findAll({ order: [['id', 'ASC']] })).map((r) => view(r.get()));
}

export interface RoleInput {
  code: string;
  name: string;
  dataScope: DataScopeKind;
  permissions: RoleGrantCode[];
}

/** Creates a role; `grantor` may only put in it permissions and a data scope they hold. */
/**
 * A code for a role named only in Chinese: `r-` and the name's pinyin initials (理财经理 → `r-lcjl`),
 * numbered when taken (`r-lcjl-2`). People never type or read it; it keys the role in the seed and imports.
 */
async function codeFor(sequelize: Sequelize, name: string, transaction: Transaction): Promise<string> {
  const { Role } = roleModels(sequelize);
  const base = `r-${
    pinyinInitials(name)
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 40) || 'role'
  }`;
  const taken = new Set((await Role.findAll({ where: { code: { [Op.like]: `${base}%` } }, attributes: ['code'], transaction })).map((r) => r.get().code));
  for (let n = 1; ; n++) {
    const code = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(code)) return code;
  }
}

export async function createRole(
  sequelize: Sequelize,
  actor: Actor,
  roleInput: Omit<RoleInput, 'code'> & { code?: string },
  grantor: Grantor,
): Promise<RoleView> {
  const { Role } = roleModels(sequelize);
  requireWithinReach(grantor, roleInput);
  return sequelize.transaction(async (transaction) => {
    const input = { ...roleInput, code: roleInput.code ?? (await codeFor(sequelize, roleInput.name, transaction)) };
    if (await Role.findOne({ where: { code: input.code }, transaction })) {
      throw conflict(`角色编码 ${input.code} 已存在`);
    }
    const role = await Role.create(
      { code: input.code, name: input.name, data_scope: input.dataScope, permissions: JSON.stringify(input.permissions) },
      { transaction },
    );
    const created = view(role.get());
    await audit(
      sequelize,
      actor,
      { action: 'role.create', entity: 'role', entityId: created.id, summary: `创建角色 ${input.name}`, diff: input },
      { transaction },
    );
    return created;
  });
}

/**
 * Edits a role. `grantor` may only edit a role within their own reach, and only keep it there:
 * neither add a permission they lack nor widen its scope beyond theirs.
 */
export async function updateRole(sequelize: Sequelize, actor: Actor, id: number, patch: Partial<Omit<RoleInput, 'code'>>, grantor: Grantor): Promise<RoleView> {
  const { Role } = roleModels(sequelize);
  return sequelize.transaction(async (transaction) => {
    const role = await Role.findByPk(id, { transaction });
    if (!role) throw notFound('角色不存在');
    const before = view(role.get());
    if (before.code === 'admin' && (patch.dataScope || patch.permissions)) {
      throw conflict('系统管理员角色的权限和数据范围不可修改');
    }
    requireWithinReach(grantor, before);
    requireWithinReach(grantor, {
      name: patch.name ?? before.name,
      dataScope: patch.dataScope ?? before.dataScope,
      permissions: patch.permissions ?? before.permissions,
    });
    await role.update(
      {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.dataScope !== undefined ? { data_scope: patch.dataScope } : {}),
        ...(patch.permissions !== undefined ? { permissions: JSON.stringify(patch.permissions) } : {}),
      },
      { transaction },
    );
    const after = view(role.get());
    await audit(
      sequelize,
      actor,
      { action: 'role.update', entity: 'role', entityId: id, summary: `修改角色 ${after.name}`, diff: { before, after } },
      { transaction },
    );
    return after;
  });
}

/**
 * Replaces a user's roles (at least one), audited. The roles `grantor` adds or takes away must be
 * within their reach (a role manager cannot hand out `admin`, nor strip it from an admin). A role
 * the user keeps keeps its origin: re-saving a leader's roles does not turn the automatic
 * `manager` into one given by hand; a role added here is given by hand.
 */
export async function setUserRoles(sequelize: Sequelize, actor: Actor, userId: number, roleCodes: string[], grantor: Grantor): Promise<RoleView[]> {
  const { Role, UserRole } = roleModels(sequelize);
  return sequelize.transaction(async (transaction) => {
    const roles = await Role.findAll({ where: { code: { [Op.in]: roleCodes } }, transaction });
    const found = roles.map((r) => r.get().code);
    const unknown = roleCodes.filter((c) => !found.includes(c));
    if (unknown.length) throw notFound(`角色不存在：${unknown.join('、')}`);
    const links = await UserRole.findAll({ where: { user_id: userId }, transaction });
    const originOf = new Map(links.map((l) => [l.get().role_id, l.get().origin]));
    const held = links.length ? await Role.findAll({ where: { id: { [Op.in]: [...originOf.keys()] } }, order: [['id', 'ASC']], transaction }) : [];
    const before = held.map((r) => r.get().code);
    for (const r of roles) if (!originOf.has(r.get().id)) requireWithinReach(grantor, view(r.get()));
    for (const r of held) if (!found.includes(r.get().code)) requireWithinReach(grantor, view(r.get()));
    await UserRole.destroy({ where: { user_id: userId }, transaction });
    await UserRole.bulkCreate(
      roles.map((r) => ({ user_id: userId, role_id: r.get().id, origin: originOf.get(r.get().id) ?? 'hand' })),
      { transaction },
    );
    await audit(
      sequelize,
      actor,
      {
        action: 'user.roles',
        entity: 'user',
        entityId: userId,
        summary: `设置用户角色：${roles.map((r) => r.get().name).join('、') || '无'}`,
        diff: { before, after: found },
      },
      { transaction },
    );
    return roles.map((r) => view(r.get()));
  });
}

/** A role's id never changes once created, so code → id lookups are cached per database. */
const roleIdCache = new WeakMap<Sequelize, Map<string, number>>();

async function roleIds(sequelize: Sequelize, codes: string[], transaction?: Transaction): Promise<Map<string, number>> {
  let cache = roleIdCache.get(sequelize);
  if (!cache) roleIdCache.set(sequelize, (cache = new Map()));
  const unknown = codes.filter((c) => !cache!.has(c));
  if (unknown.length) {
    const { Role } = roleModels(sequelize);
    for (const r of await Role.findAll({ where: { code: { [Op.in]: unknown } }, transaction })) cache.set(r.get().code, r.get().id);
  }
  return new Map(codes.filter((c) => cache!.has(c)).map((c) => [c, cache!.get(c)!]));
}

/** A role an automatic path hands out, and why (`user_roles.origin`). */
export interface AutomaticGrant {
  code: string;
  origin: Exclude<GrantOrigin, 'hand'>;
}

/**
 * Adds roles a user lacks (bootstrap admins, new employees); never removes any. Pass `have`
 * when the caller knows the user's current roles (none, for a user it just created).
 */
export async function grantRoles(
  sequelize: Sequelize,
  userId: number,
  grants: AutomaticGrant[],
  transaction?: Transaction,
  have?: string[],
): Promise<string[]> {
  const { UserRole } = roleModels(sequelize);
  const current = have ?? (await rolesOf(sequelize, userId, transaction));
  const missing = grants.filter((g) => !current.includes(g.code));
  if (missing.length === 0) return [];
  const ids = await roleIds(
    sequelize,
    missing.map((g) => g.code),
    transaction,
  );
  const granted = missing.filter((g) => ids.has(g.code));
  await UserRole.bulkCreate(
    granted.map((g) => ({ user_id: userId, role_id: ids.get(g.code)!, origin: g.origin })),
    { transaction },
  );
  return granted.map((g) => g.code);
}

/** `grantRoles` for many users in three statements: user id → the roles each should hold. */
export async function grantRolesToMany(sequelize: Sequelize, grants: ReadonlyMap<number, AutomaticGrant[]>, transaction: Transaction): Promise<void> {
  const { UserRole } = roleModels(sequelize);
  const ids = await roleIds(sequelize, [...new Set([...grants.values()].flat().map((g) => g.code))], transaction);
  const held = new Set(
    (await UserRole.findAll({ where: { user_id: { [Op.in]: [...grants.keys()] } }, transaction })).map((l) => `${l.get().user_id}:${l.get().role_id}`),
  );
  const missing = [...grants].flatMap(([user_id, wanted]) =>
    wanted.flatMap((g) => (ids.has(g.code) && !held.has(`${user_id}:${ids.get(g.code)}`) ? [{ user_id, role_id: ids.get(g.code)!, origin: g.origin }] : [])),
  );
  if (missing.length) await UserRole.bulkCreate(missing, { transaction });
}

/**
 * Takes back the `manager` role the sync granted for leading a department (origin `leader`) from
 * these users, who lead none any more; a `manager` given by hand stays. Audited per user.
 */
export async function revokeLeaderGrants(sequelize: Sequelize, userIds: readonly number[], transaction: Transaction): Promise<number[]> {
  if (!userIds.length) return [];
  const { UserRole } = roleModels(sequelize);
  const manager = (await roleIds(sequelize, ['manager'], transaction)).get('manager');
  if (manager === undefined) return [];
  const where = { user_id: { [Op.in]: [...userIds] }, role_id: manager, origin: 'leader' as const };
  const revoked = (await UserRole.findAll({ attributes: ['user_id'], where, transaction })).map((l) => l.get().user_id);
  if (!revoked.length) return [];
  await UserRole.destroy({ where, transaction });
  for (const userId of revoked) {
    await audit(
      sequelize,
      SYSTEM_ACTOR,
      { action: 'user.roles', entity: 'user', entityId: userId, summary: '不再担任部门负责人，收回自动授予的经理角色', diff: { removed: ['manager'] } },
      { transaction },
    );
  }
  return revoked;
}

export async function rolesOf(sequelize: Sequelize, userId: number, transaction?: Transaction): Promise<string[]> {
  const { Role, UserRole } = roleModels(sequelize);
  const links = await UserRole.findAll({ where: { user_id: userId }, transaction });
  if (links.length === 0) return [];
  const roles = await Role.findAll({ where: { id: { [Op.in]: links.map((l) => l.get().role_id) } }, order: [['id', 'ASC']], transaction });
  return roles.map((r) => r.get().code);
}

/** Who holds the role `code`, whatever their status (an approval rule by role keeps the active ones). */
export async function holdersOfRole(sequelize: Sequelize, code: string, transaction?: Transaction): Promise<number[]> {
  const { Role, UserRole } = roleModels(sequelize);
  const role = (await Role.findOne({ where: { code }, transaction }))?.get();
  if (!role) return [];
  return (await UserRole.findAll({ where: { role_id: role.id }, transaction })).map((l) => l.get().user_id);
}
