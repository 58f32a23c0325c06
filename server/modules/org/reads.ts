/**
 * Employees as other modules name and place them: the few columns of `users` a callback, a
 * welcome, a transfer or a target needs, read here so that `users` is read through its owner.
 * Plain SQL on purpose: these run per callback event and on the welcome's 20 s budget, where a
 * Sequelize instance per row is cost without use.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { UserStatus } from '@shared/permissions';
import { sqlList } from '../../db/dialect';

export interface EmployeeRef {
  id: number;
  wecom_userid: string;
  name: string;
  status: UserStatus;
  main_department_id: number | null;
}

const COLUMNS = 'id, wecom_userid, name, status, main_department_id';

/** The employee with this WeCom userid (whatever their status), if the org knows them. */
export async function employeeByWecomId(sequelize: Sequelize, wecomUserid: string, transaction?: Transaction): Promise<EmployeeRef | undefined> {
  const [row] = await sequelize.query<EmployeeRef>(`SELECT ${COLUMNS} FROM users WHERE wecom_userid = ?`, {
    replacements: [wecomUserid],
    type: QueryTypes.SELECT,
    transaction,
  });
  return row;
}

/** WeCom userid → name of the employees the org knows among these (a callback's UserID, named for people). */
export async function employeeNamesByWecomIds(sequelize: Sequelize, userids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(userids.filter(Boolean))];
  if (wanted.length === 0) return new Map();
  const rows = await sequelize.query<{ wecom_userid: string; name: string }>(
    `SELECT wecom_userid, name FROM users WHERE wecom_userid IN (${sqlList(wanted)})`,
    {
      replacements: wanted,
      type: QueryTypes.SELECT,
    },
  );
  return new Map(rows.map((r) => [r.wecom_userid, r.name]));
}

/** The employees of these ids that exist (whatever their status), in no particular order. */
export async function employeesByIds(sequelize: Sequelize, ids: readonly number[], transaction?: Transaction): Promise<EmployeeRef[]> {
  if (ids.length === 0) return [];
  return sequelize.query<EmployeeRef>(`SELECT ${COLUMNS} FROM users WHERE id IN (${sqlList(ids)})`, {
    replacements: [...ids],
    type: QueryTypes.SELECT,
    transaction,
  });
}
