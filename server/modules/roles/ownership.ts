/**
 * Owned records (customers, partners, sales): who the caller is, and the owner and department a
 * record they create or hand over may get — active people and live departments inside the
 * caller's own data scope.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { badRequest, forbidden } from '../../http/errors';
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

const invalid = (field: string, message: string) => badRequest('请求参数不正确', [{ field, message }]);

/** An active employee, or a 400 naming `field`. Returns their main department. */
export async function requireActiveUser(sequelize: Sequelize, userId: number, field: string, transaction?: Transaction): Promise<{ name: string; mainDepartmentId: number | null }> {
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

/**
 * The owner and department of a new record: as requested, else the caller and the caller's main
 * department (or, for another owner, theirs). The result must be inside the caller's scope.
 */
export async function resolveOwnership(
  sequelize: Sequelize,
  caller: Caller,
  requested: { ownerUserId?: number; departmentId?: number },
  fields = { owner: 'ownerUserId', department: 'departmentId' },
): Promise<Ownership> {
  const ownerUserId = requested.ownerUserId ?? caller.access.userId;
  let departmentId = requested.departmentId ?? (ownerUserId === caller.access.userId ? caller.mainDepartmentId : null);
  if (ownerUserId !== caller.access.userId || departmentId === null) {
    const owner = await requireActiveUser(sequelize, ownerUserId, fields.owner);
    departmentId ??= owner.mainDepartmentId;
  }
  if (!departmentId) throw invalid(fields.department, '请指定所属部门');
  await requireDepartment(sequelize, departmentId, fields.department);
  const ownership = { ownerUserId, departmentId };
  if (!canSee(caller.access, ownership)) throw forbidden('不能把记录归到你的数据范围以外的人员或部门');
  return ownership;
}
