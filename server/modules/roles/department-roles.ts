/**
 * The role a new employee gets from their department: a department's mapping holds for its
 * subdepartments too (the nearest mapped ancestor wins); with none up to the root, `sales`.
 * Only first-time members get it — a role changed by hand is never overwritten by a sync.
 */
// Raw SQL on other modules' tables, on purpose: roles sit below the org, so a department's default role is
// read beside the department in one statement.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { DepartmentRoleView } from '@shared/org';
import type { DataScopeKind } from '@shared/permissions';
import { upsertRow } from '../../db/dialect';
import { invalidField, notFound } from '../../errors';
import { audit, type Actor } from '../audit/service';
import { requireWithinReach, type Grantor } from './reach';
import { storedGrants } from './models';

export const FALLBACK_ROLE = 'sales';

/** A function from a department to the default role of a new member whose main department it is. */
export async function defaultRoleResolver(sequelize: Sequelize, transaction?: Transaction): Promise<(departmentId: number | null) => string> {
  const [departments, mapped] = await Promise.all([
    sequelize.query<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM departments', { type: QueryTypes.SELECT, transaction }),
    sequelize.query<{ department_id: number; role_code: string }>('SELECT department_id, role_code FROM department_default_roles', {
      type: QueryTypes.SELECT,
      transaction,
    }),
  ]);
  const parent = new Map(departments.map((d) => [Number(d.id), d.parent_id === null ? null : Number(d.parent_id)]));
  const role = new Map(mapped.map((m) => [Number(m.department_id), m.role_code]));
  return (departmentId) => {
    const seen = new Set<number>();
    for (let d = departmentId; d !== null && d !== undefined && !seen.has(d); d = parent.get(d) ?? null) {
      seen.add(d);
      const code = role.get(d);
      if (code) return code;
    }
    return FALLBACK_ROLE;
  };
}

export async function listDepartmentRoles(sequelize: Sequelize): Promise<DepartmentRoleView[]> {
  const rows = await sequelize.query<{ department_id: number; department: string | null; role_code: string; role: string | null }>(
    `SELECT m.department_id, d.name AS department, m.role_code, r.name AS role
       FROM department_default_roles m LEFT JOIN departments d ON d.id = m.department_id LEFT JOIN roles r ON r.code = m.role_code
      ORDER BY m.department_id`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    departmentId: Number(r.department_id),
    departmentName: r.department ?? `部门 ${r.department_id}`,
    roleCode: r.role_code,
    roleName: r.role ?? r.role_code,
  }));
}

type MappableRole = { name: string; data_scope: DataScopeKind; permissions: string };
const roleByCode = async (sequelize: Sequelize, code: string): Promise<MappableRole | undefined> =>
  (await sequelize.query<MappableRole>('SELECT name, data_scope, permissions FROM roles WHERE code = ?', { replacements: [code], type: QueryTypes.SELECT }))[0];
const reachOf = (role: MappableRole) => ({ name: role.name, dataScope: role.data_scope, permissions: storedGrants(role.permissions) });

/**
 * Sets (or, with null, removes) the default role of a department and its subdepartments. Every
 * new member there gets it, so `grantor` may map only a role within their reach, and replace
 * only such a mapping.
 */
export async function setDepartmentRole(
  sequelize: Sequelize,
  actor: Actor,
  departmentId: number,
  roleCode: string | null,
  grantor: Grantor,
): Promise<DepartmentRoleView[]> {
  const [department] = await sequelize.query<{ role_code: string | null }>(
    'SELECT m.role_code FROM departments d LEFT JOIN department_default_roles m ON m.department_id = d.id WHERE d.id = ? AND d.deleted_at IS NULL',
    { replacements: [departmentId], type: QueryTypes.SELECT },
  );
  if (!department) throw notFound('部门不存在');
  const role = roleCode === null ? undefined : await roleByCode(sequelize, roleCode);
  if (roleCode !== null) {
    if (!role) throw invalidField('roleCode', '角色不存在');
    requireWithinReach(grantor, reachOf(role));
  }
  const replaced = department.role_code && department.role_code !== roleCode ? await roleByCode(sequelize, department.role_code) : undefined;
  if (replaced) requireWithinReach(grantor, reachOf(replaced));
  await sequelize.transaction(async (transaction) => {
    if (roleCode === null) {
      await sequelize.query('DELETE FROM department_default_roles WHERE department_id = ?', { replacements: [departmentId], transaction });
    } else {
      const now = new Date();
      await upsertRow(
        sequelize,
        'department_default_roles',
        { department_id: departmentId, role_code: roleCode, created_at: now, updated_at: now },
        ['department_id'],
        ['role_code', 'updated_at'],
        { transaction },
      );
    }
    await audit(
      sequelize,
      actor,
      {
        action: 'role.department_default',
        entity: 'department',
        entityId: departmentId,
        summary: role ? `新成员默认角色：${role.name}` : '新成员默认角色恢复为销售',
      },
      { transaction },
    );
  });
  return listDepartmentRoles(sequelize);
}
