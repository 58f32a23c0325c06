import type { Sequelize, Transaction } from 'sequelize';
import { Op } from 'sequelize';
import type { DataScopeKind, Permission, RoleView } from '@shared/permissions';
import { conflict, notFound } from '../../errors';
import { audit, type Actor } from '../audit/service';
import { roleModels, type RoleRow } from './models';

function view(row: RoleRow): RoleView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    dataScope: row.data_scope,
    permissions: JSON.parse(row.permissions) as string[],
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
  permissions: (Permission | '*')[];
}

export async function createRole(sequelize: Sequelize, actor: Actor, input: RoleInput): Promise<RoleView> {
  const { Role } = roleModels(sequelize);
  return sequelize.transaction(async (transaction) => {
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

export async function updateRole(sequelize: Sequelize, actor: Actor, id: number, patch: Partial<Omit<RoleInput, 'code'>>): Promise<RoleView> {
  const { Role } = roleModels(sequelize);
  return sequelize.transaction(async (transaction) => {
    const role = await Role.findByPk(id, { transaction });
    if (!role) throw notFound('角色不存在');
    const before = view(role.get());
    if (before.code === 'admin' && (patch.dataScope || patch.permissions)) {
      throw conflict('系统管理员角色的权限和数据范围不可修改');
    }
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

/** Replaces a user's roles (at least one), audited. */
export async function setUserRoles(sequelize: Sequelize, actor: Actor, userId: number, roleCodes: string[]): Promise<RoleView[]> {
  const { Role, UserRole } = roleModels(sequelize);
  return sequelize.transaction(async (transaction) => {
    const roles = await Role.findAll({ where: { code: { [Op.in]: roleCodes } }, transaction });
    const found = roles.map((r) => r.get().code);
    const unknown = roleCodes.filter((c) => !found.includes(c));
    if (unknown.length) throw notFound(`角色不存在：${unknown.join('、')}`);
    const before = await rolesOf(sequelize, userId, transaction);
    await UserRole.destroy({ where: { user_id: userId }, transaction });
    await UserRole.bulkCreate(
      roles.map((r) => ({ user_id: userId, role_id: r.get().id })),
      { transaction },
    );
    await audit(
      sequelize,
      actor,
      { action: 'user.roles', entity: 'user', entityId: userId, summary: `设置用户角色：${found.join('、')}`, diff: { before, after: found } },
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

/**
 * Adds roles a user lacks (bootstrap admins, new employees); never removes any. Pass `have`
 * when the caller knows the user's current roles (none, for a user it just created).
 */
export async function grantRoles(sequelize: Sequelize, userId: number, roleCodes: string[], transaction?: Transaction, have?: string[]): Promise<string[]> {
  const { UserRole } = roleModels(sequelize);
  const current = have ?? (await rolesOf(sequelize, userId, transaction));
  const missing = roleCodes.filter((c) => !current.includes(c));
  if (missing.length === 0) return [];
  const ids = await roleIds(sequelize, missing, transaction);
  await UserRole.bulkCreate(
    [...ids.values()].map((role_id) => ({ user_id: userId, role_id })),
    { transaction },
  );
  return [...ids.keys()];
}

/** `grantRoles` for many users in three statements: user id → role codes each should hold. */
export async function grantRolesToMany(sequelize: Sequelize, grants: ReadonlyMap<number, string[]>, transaction: Transaction): Promise<void> {
  const { UserRole } = roleModels(sequelize);
  const ids = await roleIds(sequelize, [...new Set([...grants.values()].flat())], transaction);
  const held = new Set(
    (await UserRole.findAll({ where: { user_id: { [Op.in]: [...grants.keys()] } }, transaction })).map((l) => `${l.get().user_id}:${l.get().role_id}`),
  );
  const missing = [...grants].flatMap(([user_id, codes]) =>
    codes.flatMap((c) => (ids.has(c) && !held.has(`${user_id}:${ids.get(c)}`) ? [{ user_id, role_id: ids.get(c)! }] : [])),
  );
  if (missing.length) await UserRole.bulkCreate(missing, { transaction });
}

export async function rolesOf(sequelize: Sequelize, userId: number, transaction?: Transaction): Promise<string[]> {
  const { Role, UserRole } = roleModels(sequelize);
  const links = await UserRole.findAll({ where: { user_id: userId }, transaction });
  if (links.length === 0) return [];
  const roles = await Role.findAll({ where: { id: { [Op.in]: links.map((l) => l.get().role_id) } }, order: [['id', 'ASC']], transaction });
  return roles.map((r) => r.get().code);
}
