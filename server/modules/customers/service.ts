/**
 * Customer profiles (DESIGN §5, §6.5). Every read and write goes through the caller's data
 * scope: out of scope is 404 for a record and invisible in lists.
 */
import { Op, QueryTypes, type Sequelize, type WhereOptions } from 'sequelize';
import type { CustomerCreateInput, CustomerUpdateInput, CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { normalizePhone } from '@shared/phone';
import { sqlList } from '../../db/dialect';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors';
import { audit, type Actor } from '../audit/service';
import { assertDictionaryValues, type DictionaryCheck } from '../dictionaries/service';
import { canSee, scopeWhere, type Access } from '../roles/access';
import { customerModels, type CustomerRow } from './models';

export interface Caller {
  access: Access;
  actor: Actor;
  /** The caller's main department: the default department of what they create. */
  mainDepartmentId: number | null;
}

const DEFAULTS = { status: 'active', lifecycleStage: 'lead' } as const;

function dictionaryChecks(input: Partial<CustomerCreateInput>, previous?: CustomerRow): DictionaryCheck[] {
  return [
    { field: 'type', type: 'customer_type', value: input.type, previous: previous?.type },
    { field: 'status', type: 'customer_status', value: input.status, previous: previous?.status },
    { field: 'lifecycleStage', type: 'lifecycle_stage', value: input.lifecycleStage, previous: previous?.lifecycle_stage },
    { field: 'source', type: 'customer_source', value: input.source, previous: previous?.source },
    { field: 'level', type: 'customer_level', value: input.level, previous: previous?.level },
  ];
}

function phoneOf(raw: string | null | undefined): string | null | undefined {
  if (raw === undefined || raw === null) return raw;
  const phone = normalizePhone(raw);
  if (!phone) throw badRequest('请求参数不正确', [{ field: 'phone', message: '手机号格式不正确' }]);
  return phone;
}

async function assertActiveUser(sequelize: Sequelize, userId: number): Promise<void> {
  const [row] = await sequelize.query<{ status: string }>('SELECT status FROM users WHERE id = ?', { replacements: [userId], type: QueryTypes.SELECT });
  if (row?.status !== 'active') throw badRequest('请求参数不正确', [{ field: 'ownerUserId', message: '负责人不存在或已停用' }]);
}

async function assertDepartment(sequelize: Sequelize, departmentId: number): Promise<void> {
  const [row] = await sequelize.query('SELECT 1 AS x FROM departments WHERE id = ? AND deleted_at IS NULL', {
    replacements: [departmentId],
    type: QueryTypes.SELECT,
  });
  if (!row) throw badRequest('请求参数不正确', [{ field: 'departmentId', message: '部门不存在' }]);
}

/** The same person or institution already on file: same phone, or same name + institution. */
async function findDuplicate(sequelize: Sequelize, name: string, institution: string | null, phone: string | null, exceptId?: number): Promise<CustomerRow | null> {
  const { Customer } = customerModels(sequelize);
  const matches: WhereOptions<CustomerRow>[] = [];
  if (phone) matches.push({ phone });
  if (institution) matches.push({ name, institution });
  if (matches.length === 0) return null;
  const row = await Customer.findOne({
    where: { [Op.or]: matches, deleted_at: null, ...(exceptId ? { id: { [Op.ne]: exceptId } } : {}) },
    order: [['id', 'ASC']],
  });
  return row?.get() ?? null;
}

export async function createCustomer(sequelize: Sequelize, caller: Caller, input: CustomerCreateInput): Promise<CustomerView> {
  const { Customer } = customerModels(sequelize);
  const ownerUserId = input.ownerUserId ?? caller.access.userId;
  const departmentId = input.departmentId ?? caller.mainDepartmentId;
  if (!departmentId) throw badRequest('请求参数不正确', [{ field: 'departmentId', message: '请指定所属部门' }]);
  const values = { ...DEFAULTS, ...input };
  await assertDictionaryValues(sequelize, dictionaryChecks(values));
  if (ownerUserId !== caller.access.userId) await assertActiveUser(sequelize, ownerUserId);
  await assertDepartment(sequelize, departmentId);
  const record = { ownerUserId, departmentId };
  if (!canSee(caller.access, record)) throw forbidden('不能为数据范围以外的人员或部门创建客户');
  const phone = phoneOf(input.phone) ?? null;

  const duplicate = await findDuplicate(sequelize, values.name, values.institution ?? null, phone);
  if (duplicate) {
    const visible = canSee(caller.access, { ownerUserId: duplicate.owner_user_id, departmentId: duplicate.department_id });
    throw conflict(
      visible ? `客户已存在：${duplicate.name}` : '该客户已由其他同事负责，请联系管理员',
      { existingId: visible ? duplicate.id : null, matchedBy: phone && duplicate.phone === phone ? 'phone' : 'name_institution' },
    );
  }
  const created = await Customer.create({
    type: values.type,
    name: values.name,
    status: values.status,
    lifecycle_stage: values.lifecycleStage,
    source: values.source ?? null,
    level: values.level ?? null,
    institution: values.institution ?? null,
    title: values.title ?? null,
    phone,
    email: values.email ?? null,
    notes: values.notes ?? null,
    owner_user_id: ownerUserId,
    department_id: departmentId,
    next_follow_up_at: values.nextFollowUpAt ?? null,
    created_by: caller.access.userId,
  });
  return getCustomer(sequelize, caller.access, created.get().id);
}

async function loadVisible(sequelize: Sequelize, access: Access, id: number): Promise<CustomerRow> {
  const { Customer } = customerModels(sequelize);
  const row = (await Customer.findOne({ where: { [Op.and]: [{ id, deleted_at: null }, scopeWhere(access)] } }))?.get();
  if (!row) throw notFound('客户不存在或不在你的数据范围内');
  return row;
}

export async function getCustomer(sequelize: Sequelize, access: Access, id: number): Promise<CustomerView> {
  const [view] = await views(sequelize, [await loadVisible(sequelize, access, id)]);
  return view!;
}

export interface CustomerListQuery {
  page: number;
  pageSize: number;
  keyword?: string;
  ownerUserId?: number;
  departmentId?: number;
  lifecycleStage?: string;
  level?: string;
  source?: string;
  /** `due`: next follow-up today or earlier; `overdue`: before today. */
  followUp?: 'due' | 'overdue';
  /** No follow-up for at least this many days (or never). */
  noFollowUpDays?: number;
  sort: 'updated_desc' | 'created_desc' | 'next_follow_up_asc' | 'name_asc';
}

const SORTS: Record<CustomerListQuery['sort'], [string, 'ASC' | 'DESC'][]> = {
  updated_desc: [['updated_at', 'DESC'], ['id', 'DESC']],
  created_desc: [['id', 'DESC']],
  next_follow_up_asc: [['next_follow_up_at', 'ASC'], ['id', 'ASC']],
  name_asc: [['name', 'ASC'], ['id', 'ASC']],
};

export async function listCustomers(sequelize: Sequelize, access: Access, query: CustomerListQuery, now = new Date()): Promise<PageOf<CustomerView>> {
  const { Customer } = customerModels(sequelize);
  const and: WhereOptions[] = [{ deleted_at: null }, scopeWhere(access)];
  if (query.keyword) {
    const like = `%${query.keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const phone = normalizePhone(query.keyword);
    and.push({
      [Op.or]: [
        { name: { [Op.like]: like } },
        { institution: { [Op.like]: like } },
        ...(phone ? [{ phone: { [Op.like]: `%${phone}%` } }] : []),
      ],
    });
  }
  if (query.ownerUserId) and.push({ owner_user_id: query.ownerUserId });
  if (query.departmentId) and.push({ department_id: query.departmentId });
  if (query.lifecycleStage) and.push({ lifecycle_stage: query.lifecycleStage });
  if (query.level) and.push({ level: query.level });
  if (query.source) and.push({ source: query.source });
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const endOfToday = new Date(startOfToday.getTime() + 86_400_000);
  if (query.followUp === 'due') and.push({ next_follow_up_at: { [Op.lt]: endOfToday } });
  if (query.followUp === 'overdue') and.push({ next_follow_up_at: { [Op.lt]: startOfToday } });
  if (query.noFollowUpDays !== undefined) {
    const cutoff = new Date(now.getTime() - query.noFollowUpDays * 86_400_000);
    and.push({ [Op.or]: [{ last_follow_up_at: null }, { last_follow_up_at: { [Op.lt]: cutoff } }] });
  }
  const { rows, count } = await Customer.findAndCountAll({
    where: { [Op.and]: and },
    order: SORTS[query.sort],
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return { items: await views(sequelize, rows.map((r) => r.get())), total: count, page: query.page, pageSize: query.pageSize };
}

export async function updateCustomer(sequelize: Sequelize, caller: Caller, id: number, patch: CustomerUpdateInput): Promise<CustomerView> {
  const { Customer } = customerModels(sequelize);
  const current = await loadVisible(sequelize, caller.access, id);
  await assertDictionaryValues(sequelize, dictionaryChecks(patch, current).filter((c) => c.value !== undefined));
  if (patch.ownerUserId !== undefined || patch.departmentId !== undefined) {
    throw badRequest('请求参数不正确', [{ field: 'ownerUserId', message: '更换负责人请使用客户转移' }]);
  }
  const phone = phoneOf(patch.phone);
  const identityChanged = Boolean(phone) || patch.name !== undefined || patch.institution !== undefined;
  const duplicate = identityChanged
    ? await findDuplicate(
        sequelize,
        patch.name ?? current.name,
        patch.institution !== undefined ? patch.institution : current.institution,
        phone ?? null,
        id,
      )
    : null;
  if (duplicate) {
    throw conflict(`与已有客户重复：${duplicate.name}`, { existingId: canSee(caller.access, { ownerUserId: duplicate.owner_user_id, departmentId: duplicate.department_id }) ? duplicate.id : null });
  }
  const changes: Partial<CustomerRow> = {};
  const set = <K extends keyof CustomerRow>(key: K, value: CustomerRow[K] | undefined) => {
    if (value !== undefined) changes[key] = value;
  };
  set('type', patch.type);
  set('name', patch.name);
  set('status', patch.status);
  set('lifecycle_stage', patch.lifecycleStage);
  set('source', patch.source);
  set('level', patch.level);
  set('institution', patch.institution);
  set('title', patch.title);
  set('phone', phone);
  set('email', patch.email);
  set('notes', patch.notes);
  set('next_follow_up_at', patch.nextFollowUpAt);
  // Optimistic concurrency: only the version the editor saw may be replaced.
  const [affected] = await Customer.update(
    { ...changes, version: patch.version + 1 },
    { where: { id, version: patch.version, deleted_at: null } },
  );
  if (affected !== 1) {
    const latest = await loadVisible(sequelize, caller.access, id);
    throw conflict('客户已被他人修改，请刷新后重试', { currentVersion: latest.version });
  }
  return getCustomer(sequelize, caller.access, id);
}

export async function deleteCustomer(sequelize: Sequelize, caller: Caller, id: number): Promise<void> {
  const { Customer } = customerModels(sequelize);
  const current = await loadVisible(sequelize, caller.access, id);
  await Customer.update({ deleted_at: new Date(), version: current.version + 1 }, { where: { id } });
  await audit(sequelize, caller.actor, { action: 'customer.delete', entity: 'customer', entityId: id, summary: `删除客户 ${current.name}` });
}

/** Moves customers (one or many, all within the caller's scope) to another active employee. */
export async function transferCustomers(
  sequelize: Sequelize,
  caller: Caller,
  ids: number[],
  toUserId: number,
): Promise<{ transferred: number }> {
  const { Customer } = customerModels(sequelize);
  const [target] = await sequelize.query<{ status: string; main_department_id: number | null; name: string }>(
    'SELECT status, main_department_id, name FROM users WHERE id = ?',
    { replacements: [toUserId], type: QueryTypes.SELECT },
  );
  if (target?.status !== 'active' || !target.main_department_id) {
    throw badRequest('请求参数不正确', [{ field: 'toUserId', message: '接收人不存在或已停用' }]);
  }
  return sequelize.transaction(async (transaction) => {
    const rows = await Customer.findAll({ where: { [Op.and]: [{ id: { [Op.in]: ids }, deleted_at: null }, scopeWhere(caller.access)] }, transaction });
    if (rows.length !== new Set(ids).size) throw notFound('部分客户不存在或不在你的数据范围内');
    for (const row of rows) {
      const c = row.get();
      await Customer.update(
        { owner_user_id: toUserId, department_id: Number(target.main_department_id), version: c.version + 1 },
        { where: { id: c.id }, transaction },
      );
    }
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'customer.transfer',
        entity: 'customer',
        entityId: ids.length === 1 ? ids[0] : undefined,
        summary: `转移 ${rows.length} 位客户给 ${target.name}`,
        diff: rows.map((r) => ({ id: r.get().id, from: r.get().owner_user_id, to: toUserId })),
      },
      { transaction },
    );
    return { transferred: rows.length };
  });
}

async function views(sequelize: Sequelize, rows: CustomerRow[]): Promise<CustomerView[]> {
  const ownerIds = [...new Set(rows.map((r) => r.owner_user_id))];
  const owners = ownerIds.length
    ? await sequelize.query<{ id: number; name: string }>(`SELECT id, name FROM users WHERE id IN (${sqlList(ownerIds)})`, {
        replacements: ownerIds,
        type: QueryTypes.SELECT,
      })
    : [];
  const names = new Map(owners.map((o) => [Number(o.id), o.name]));
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    name: r.name,
    status: r.status,
    lifecycleStage: r.lifecycle_stage,
    source: r.source,
    level: r.level,
    institution: r.institution,
    title: r.title,
    phone: r.phone,
    email: r.email,
    notes: r.notes,
    owner: { id: r.owner_user_id, name: names.get(r.owner_user_id) ?? '' },
    departmentId: r.department_id,
    nextFollowUpAt: iso(r.next_follow_up_at),
    lastFollowUpAt: iso(r.last_follow_up_at),
    version: r.version,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  }));
}
