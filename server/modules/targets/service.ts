/**
 * Targets: a value per period (month, quarter, year), per user or department, per metric. One
 * target per (period, scope, metric) — setting it again replaces the value. Readers see the
 * targets of people and departments inside their data scope; managers set them there.
 */
import { Op, type Sequelize, type WhereOptions } from 'sequelize';
import { fromHundredths, toHundredths } from '@shared/money';
import { moneyText } from '@shared/format';
import { TARGET_METRICS, periodKind, type TargetInput, type TargetMetric, type TargetView } from '@shared/targets';
import { upsertRow } from '../../db/dialect';
import { iso, namesById, named } from '../../db/lookup';
import { notFound } from '../../errors';
import { audit } from '../audit/service';
import { canSee, type Access } from '../roles/access';
import { requireActiveUser, requireDepartment, type Caller } from '../roles/ownership';
import { targetModels, type TargetRow } from './models';
import { employeesByIds } from '../org/reads';

/** Stored value: fen for money, the count otherwise. */
const stored = (metric: TargetMetric, value: number) => (metric === 'sales_amount' ? toHundredths(value) : value);
const shown = (metric: TargetMetric, value: number | string) => (metric === 'sales_amount' ? fromHundredths(value) : Number(value));

/** Whether `access` covers a target: a department in scope, or a user in scope through their main department. */
async function targetVisible(sequelize: Sequelize, access: Access, scopeType: 'user' | 'department', scopeId: number): Promise<boolean> {
  if (access.dataScope === 'all') return true;
  if (scopeType === 'department') return access.scopeDepartmentIds.includes(scopeId);
  const [user] = await employeesByIds(sequelize, [scopeId]);
  return canSee(access, { ownerUserId: scopeId, departmentId: user?.main_department_id ?? null });
}

export interface TargetListQuery {
  period?: string;
  scopeType?: 'user' | 'department';
  scopeId?: number;
  metric?: TargetMetric;
}

export async function listTargets(sequelize: Sequelize, access: Access, query: TargetListQuery): Promise<TargetView[]> {
  const where: WhereOptions[] = [];
  if (query.period) where.push({ period: query.period });
  if (query.scopeType) where.push({ scope_type: query.scopeType });
  if (query.scopeId) where.push({ scope_id: query.scopeId });
  if (query.metric) where.push({ metric: query.metric });
  const rows = await targetRows(sequelize, { [Op.and]: where });
  // Users' targets are visible through the user's department: filter on the loaded rows.
  const userDepartments = await mainDepartments(
    sequelize,
    rows.filter((r) => r.scope_type === 'user').map((r) => r.scope_id),
  );
  // Everyone also sees the targets of their own departments: the team goal they contribute to.
  const visible = rows.filter((r) =>
    access.dataScope === 'all'
      ? true
      : r.scope_type === 'department'
        ? access.scopeDepartmentIds.includes(r.scope_id) || access.departmentIds.includes(r.scope_id)
        : canSee(access, { ownerUserId: r.scope_id, departmentId: userDepartments.get(r.scope_id) ?? null }),
  );
  return views(sequelize, visible);
}

async function targetRows(sequelize: Sequelize, where: WhereOptions): Promise<TargetRow[]> {
  const rows = await targetModels(sequelize).Target.findAll({
    where,
    order: [
      ['period', 'DESC'],
      ['scope_type', 'ASC'],
      ['scope_id', 'ASC'],
      ['metric', 'ASC'],
    ],
  });
  return rows.map((r) => r.get());
}

async function mainDepartments(sequelize: Sequelize, userIds: number[]): Promise<Map<number, number | null>> {
  const rows = await employeesByIds(sequelize, userIds);
  return new Map(rows.map((r) => [Number(r.id), r.main_department_id === null ? null : Number(r.main_department_id)]));
}

/** Creates or replaces the target of (period, scope, metric). */
export async function setTarget(sequelize: Sequelize, caller: Caller, input: TargetInput): Promise<TargetView> {
  if (input.scopeType === 'user') await requireActiveUser(sequelize, input.scopeId, 'scopeId');
  else await requireDepartment(sequelize, input.scopeId, 'scopeId');
  if (!(await targetVisible(sequelize, caller.access, input.scopeType, input.scopeId))) throw notFound('人员或部门不在你的数据范围内');
  const now = new Date();
  await sequelize.transaction(async (transaction) => {
    await upsertRow(
      sequelize,
      'targets',
      {
        period: input.period,
        scope_type: input.scopeType,
        scope_id: input.scopeId,
        metric: input.metric,
        value: stored(input.metric, input.value),
        created_by: caller.access.userId,
        created_at: now,
        updated_at: now,
      },
      ['period', 'scope_type', 'scope_id', 'metric'],
      ['value', 'updated_at'],
      { transaction },
    );
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'target.set',
        entity: 'target',
        entityId: `${input.period}:${input.scopeType}:${input.scopeId}:${input.metric}`,
        summary: `设置目标：${await targetWords(sequelize, { period: input.period, scope_type: input.scopeType, scope_id: input.scopeId, metric: input.metric })} ${valueText(input.metric, input.value)}`,
        diff: input,
      },
      { transaction },
    );
  });
  const [row] = await targetRows(sequelize, { period: input.period, scope_type: input.scopeType, scope_id: input.scopeId, metric: input.metric });
  const [view] = await views(sequelize, [row!]);
  return view!;
}

/** Whose target, which period and metric, in words: 「李娜 2026-Q4 销售额」. */
async function targetWords(sequelize: Sequelize, t: Pick<TargetRow, 'period' | 'scope_type' | 'scope_id' | 'metric'>): Promise<string> {
  const names = await namesById(sequelize, t.scope_type === 'department' ? 'departments' : 'users', [t.scope_id]);
  return `${names.get(t.scope_id) ?? ''} ${t.period} ${TARGET_METRICS[t.metric as TargetMetric]}`;
}

/** A target's value as people read it: money for sales, a count otherwise. */
const valueText = (metric: TargetMetric, value: number) =>
  metric === 'sales_amount' ? moneyText(value) : `${value} ${metric === 'new_customers' ? '位' : '次'}`;

export async function deleteTarget(sequelize: Sequelize, caller: Caller, id: number): Promise<void> {
  const [row] = await targetRows(sequelize, { id });
  if (!row || !(await targetVisible(sequelize, caller.access, row.scope_type, row.scope_id))) throw notFound('目标不存在');
  await sequelize.transaction(async (transaction) => {
    await targetModels(sequelize).Target.destroy({ where: { id }, transaction });
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'target.delete',
        entity: 'target',
        entityId: `${row.period}:${row.scope_type}:${row.scope_id}:${row.metric}`,
        summary: `删除目标：${await targetWords(sequelize, row)}`,
        diff: row,
      },
      { transaction },
    );
  });
}

async function views(sequelize: Sequelize, rows: TargetRow[]): Promise<TargetView[]> {
  const users = await namesById(
    sequelize,
    'users',
    rows.filter((r) => r.scope_type === 'user').map((r) => r.scope_id),
  );
  const departments = await namesById(
    sequelize,
    'departments',
    rows.filter((r) => r.scope_type === 'department').map((r) => r.scope_id),
  );
  const userDepartments = await mainDepartments(
    sequelize,
    rows.filter((r) => r.scope_type === 'user').map((r) => r.scope_id),
  );
  return rows.map((r) => ({
    id: r.id,
    period: r.period,
    periodKind: periodKind(r.period),
    scopeType: r.scope_type,
    scope: named(r.scope_type === 'user' ? users : departments, r.scope_id),
    departmentId: r.scope_type === 'user' ? (userDepartments.get(r.scope_id) ?? null) : r.scope_id,
    metric: r.metric,
    value: shown(r.metric, r.value),
    updatedAt: iso(r.updated_at),
  }));
}
