/**
 * Owned records (customers, partners, sales): who the caller is, and the owner and department a
 * record they create or hand over may get — active people and live departments inside the
 * caller's own data scope.
 */
// Raw SQL on other modules' tables, on purpose: roles sit below the org, so who may own a record (status,
// department) is read from the org's tables here.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { forbidden, validationFailed } from '../../errors';
import type { Actor } from '../audit/service';
import { canSee, type Access } from './access';

export interface Caller {
  access: Access;
  actor: Actor;
  /** The caller's main department: the default department of what they create. */
  mainDepartmentId: number | null;
}

export interface Ownership {
  ownerUserId: number;
  departmentId: number;
}

const invalid = (field: string, message: string) => validationFailed('请求参数不正确', [{ field, message }]);

/** An active employee, or a 400 naming `field`. Returns their main department. */
export async function requireActiveUser(
  sequelize: Sequelize,
  userId: number,
  field: string,
  transaction?: Transaction,
): Promise<{ name: string; mainDepartmentId: number | null }> {
  const [row] = await sequelize.query<{ status: string; name: string; main_department_id: number | null }>(
    'SELECT status, name, main_department_id FROM users WHERE id = ?',
    { replacements: [userId], type: QueryTypes.SELECT, transaction },
  );
  if (row?.status !== 'active') throw invalid(field, '人员不存在或已停用');
  return { name: row.name, mainDepartmentId: row.main_department_id === null ? null : Number(row.main_department_id) };
}

export async function requireDepartment(sequelize: Sequelize, departmentId: number, field = 'departmentId', transaction?: Transaction): Promise<string> {
  const [row] = await sequelize.query<{ name: string }>('SELECT name FROM departments WHERE id = ? AND deleted_at IS NULL', {
    replacements: [departmentId],
    type: QueryTypes.SELECT,
    transaction,
  });
  if (!row) throw invalid(field, '部门不存在');
  return row.name;
}

interface OwnerProfile {
  status: string;
  name: string;
  wecomUserid: string;
  mainDepartmentId: number | null;
  departmentIds: number[];
}

async function ownerProfile(sequelize: Sequelize, userId: number, transaction?: Transaction): Promise<OwnerProfile | null> {
  const rows = await sequelize.query<{ status: string; name: string; wecom_userid: string; main_department_id: number | null; department_id: number | null }>(
    'SELECT u.status, u.name, u.wecom_userid, u.main_department_id, ud.department_id FROM users u LEFT JOIN user_departments ud ON ud.user_id = u.id WHERE u.id = ?',
    { replacements: [userId], type: QueryTypes.SELECT, transaction },
  );
  const [first] = rows;
  if (!first) return null;
  return {
    status: first.status,
    name: first.name,
    wecomUserid: first.wecom_userid,
    mainDepartmentId: first.main_department_id === null ? null : Number(first.main_department_id),
    departmentIds: rows.filter((r) => r.department_id !== null).map((r) => Number(r.department_id)),
  };
}

export interface Member extends OwnerProfile {
  id: number;
}

/**
 * A member — active or gone — whose records the caller sees (their own, or one of their
 * departments in the caller's scope): whose whole book the caller may hand over. A 400 naming
 * `field` otherwise, the same answer for one who does not exist.
 */
export async function requireMemberInScope(sequelize: Sequelize, access: Access, userId: number, field: string, transaction?: Transaction): Promise<Member> {
  const profile = await ownerProfile(sequelize, userId, transaction);
  const visible =
    profile &&
    (canSee(access, { ownerUserId: userId, departmentId: null }) ||
      profile.departmentIds.some((d) => canSee(access, { ownerUserId: userId, departmentId: d })));
  if (!profile || !visible) throw invalid(field, '人员不存在或不在你的数据范围内');
  return { ...profile, id: userId };
}

/** The WeCom userid of an employee (every local user has one). */
export async function wecomUseridOf(sequelize: Sequelize, userId: number, transaction?: Transaction): Promise<string> {
  const [row] = await sequelize.query<{ wecom_userid: string }>('SELECT wecom_userid FROM users WHERE id = ?', {
    replacements: [userId],
    type: QueryTypes.SELECT,
    transaction,
  });
  if (!row) throw invalid('toUserId', '人员不存在或已停用');
  return row.wecom_userid;
}

/**
 * The one ownership rule for every record a caller creates or hands over (customers, partners,
 * sales and, through them, holdings, contacts and follow-ups): the owner is an active employee,
 * the department is one of the owner's, and the pair lies inside the caller's data scope — the
 * same test `canSee` applies to reads, so nobody can write a record they could not then read,
 * nor move figures of a department they do not see. Defaults: the caller, and the owner's main
 * department.
 */
export async function resolveOwnership(
  sequelize: Sequelize,
  caller: Caller,
  requested: { ownerUserId?: number; departmentId?: number },
  fields = { owner: 'ownerUserId', department: 'departmentId' },
  transaction?: Transaction,
): Promise<Ownership & { ownerName: string }> {
  const ownerUserId = requested.ownerUserId ?? caller.access.userId;
  const owner = await ownerProfile(sequelize, ownerUserId, transaction);
  if (owner?.status !== 'active') throw invalid(fields.owner, '人员不存在或已停用');
  const mainDepartment =
    owner.mainDepartmentId !== null && owner.departmentIds.includes(owner.mainDepartmentId) ? owner.mainDepartmentId : owner.departmentIds[0];
  const departmentId = requested.departmentId ?? mainDepartment;
  if (!departmentId) throw invalid(fields.department, '请指定所属部门');
  await requireDepartment(sequelize, departmentId, fields.department, transaction);
  if (!owner.departmentIds.includes(departmentId)) throw forbidden(`所属部门必须是${owner.name}所在的部门`);
  const ownership = { ownerUserId, departmentId };
  if (!canSee(caller.access, ownership)) throw forbidden('不能把记录归到你的数据范围以外的人员或部门');
  return { ...ownership, ownerName: owner.name };
}
