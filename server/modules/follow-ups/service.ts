/**
 * Follow-ups of customers and of consignment partners: an append-only log (a wrong entry is
 * deleted by its author or a manager, never rewritten). Writing the newest follow-up moves the
 * subject's `last_follow_up_at` to it and its `next_follow_up_at` to the follow-up's next date —
 * empty when no next step was planned, so a handled reminder leaves the to-do list.
 */
import { Op, QueryTypes, type Model, type ModelStatic, type Optional, type Sequelize, type Transaction } from 'sequelize';
import type { FollowUpView } from '@shared/customers';
import { FOLLOW_UP_EDIT_HOURS, type FollowUpInput, type FollowUpPatch, type MyFollowUpView, type MyFollowUpsQuery } from '@shared/follow-ups';
import { businessDate } from '@shared/time';
import { instant } from '@shared/fields';
import type { PageOf } from '@shared/http';
import type { PartnerFollowUpView } from '@shared/partners';
import { iso, isoOrNull, namesById, named } from '../../db/lookup';
import { forbidden, notFound, validationFailed } from '../../errors';
import { pageWindow, type PageRequest } from '../../db/paging';
import { assertDictionaryValues } from '../dictionaries/service';
import { audit, auditEdit, type Actor } from '../audit/service';
import type { Access } from '../roles/access';
import { followUpModels, type FollowUpRow } from './models';
import { countFollowUp } from './rollup';
import { sqlList, updateRows } from '../../db/dialect';

type SubjectFollowUpRow = FollowUpRow & { customer_id?: number; partner_id?: number };

/** Whose follow-ups: the subject's table, the follow-up table's key to it, and its scope check. */
export interface FollowUpSubject {
  table: 'customers' | 'consignment_partners';
  key: 'customer_id' | 'partner_id';
  model(sequelize: Sequelize): ModelStatic<Model<SubjectFollowUpRow, Optional<SubjectFollowUpRow, 'id' | 'created_at' | 'updated_at' | 'deleted_at'>>>;
  /** Throws 404 unless `access` sees the subject. */
  loadVisible(sequelize: Sequelize, access: Access, id: number, transaction?: Transaction): Promise<unknown>;
}

/** Allowance for clock skew between the phone and the server. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export type AnyFollowUpView = FollowUpView | PartnerFollowUpView;

export async function followUpViews(sequelize: Sequelize, subject: FollowUpSubject, rows: SubjectFollowUpRow[]): Promise<AnyFollowUpView[]> {
  const users = await namesById(
    sequelize,
    'users',
    rows.map((r) => r.user_id),
  );
  return rows.map((r) => ({
    ...followUpViewOf(r, named(users, r.user_id)),
    ...(subject.key === 'customer_id' ? { customerId: Number(r.customer_id) } : { partnerId: Number(r.partner_id) }),
  })) as AnyFollowUpView[];
}

type FollowUpFields = Pick<FollowUpRow, 'id' | 'channel' | 'content' | 'outcome' | 'next_action'> & {
  followed_at: Date | string;
  next_follow_up_at: Date | string | null;
  created_at: Date | string;
  updated_at?: Date | string;
};

/** A row's `updated_at` after its `created_at` (the insert sets both to one instant) is a correction. */
const editedAt = (r: FollowUpFields): string | null =>
  r.updated_at && new Date(r.updated_at).getTime() > new Date(r.created_at).getTime() ? iso(r.updated_at) : null;

/** What every follow-up view shows (without its subject), its author's name already known. */
export function followUpViewOf(r: FollowUpFields, user: { id: number; name: string }): Omit<FollowUpView, 'customerId'> {
  return {
    id: r.id,
    user,
    followedAt: iso(r.followed_at),
    channel: r.channel,
    content: r.content,
    outcome: r.outcome,
    nextAction: r.next_action,
    nextFollowUpAt: isoOrNull(r.next_follow_up_at),
    createdAt: iso(r.created_at),
    editedAt: editedAt(r),
  };
}

export async function listFollowUps(
  sequelize: Sequelize,
  subject: FollowUpSubject,
  access: Access,
  subjectId: number,
  page: PageRequest,
): Promise<PageOf<AnyFollowUpView>> {
  await subject.loadVisible(sequelize, access, subjectId);
  const { rows, count } = await subject.model(sequelize).findAndCountAll({
    where: { [subject.key]: subjectId, deleted_at: null },
    order: [
      ['followed_at', 'DESC'],
      ['id', 'DESC'],
    ],
    ...pageWindow(page),
  });
  return {
    items: await followUpViews(
      sequelize,
      subject,
      rows.map((r) => r.get()),
    ),
    total: count,
    ...page,
  };
}

export async function addFollowUp(
  sequelize: Sequelize,
  subject: FollowUpSubject,
  access: Access,
  subjectId: number,
  input: FollowUpInput,
  now = new Date(),
): Promise<AnyFollowUpView> {
  await subject.loadVisible(sequelize, access, subjectId);
  return writeFollowUp(sequelize, subject, access.userId, subjectId, input, now);
}

/**
 * Writes a follow-up by `authorId` — whose right to write it the caller has checked. `asCoFollower`:
 * a colleague who also follows the customer in WeCom logs it; the owner's planned next date stays.
 */
export async function writeFollowUp(
  sequelize: Sequelize,
  subject: FollowUpSubject,
  authorId: number,
  subjectId: number,
  input: FollowUpInput,
  now = new Date(),
  options: { asCoFollower?: boolean; alsoInTransaction?: (transaction: Transaction) => Promise<void> } = {},
): Promise<AnyFollowUpView> {
  await assertDictionaryValues(sequelize, [{ field: 'channel', type: 'follow_up_channel', value: input.channel }]);
  const followedAt = input.followedAt ?? instant.parse(now);
  if (followedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw validationFailed('请求参数不正确', [{ field: 'followedAt', message: '跟进时间不能晚于现在' }]);
  }
  if (input.nextFollowUpAt && input.nextFollowUpAt <= followedAt) {
    throw validationFailed('请求参数不正确', [{ field: 'nextFollowUpAt', message: '下次跟进时间应晚于本次跟进时间' }]);
  }
  const row = await sequelize.transaction(async (transaction) => {
    const created = await insertFollowUp(sequelize, subject, authorId, subjectId, { ...input, followedAt }, now, transaction, options.asCoFollower);
    await options.alsoInTransaction?.(transaction);
    return created;
  });
  const [view] = await followUpViews(sequelize, subject, [row]);
  return view!;
}

/**
 * The row and its effects, in the caller's transaction: the subject's last (and, unless a
 * co-follower's, next) follow-up date — a back-dated entry older than the latest changes neither
 * — and, for a customer, target progress.
 */
export async function insertFollowUp(
  sequelize: Sequelize,
  subject: FollowUpSubject,
  authorId: number,
  subjectId: number,
  input: FollowUpInput & { followedAt: Date },
  now: Date,
  transaction: Transaction,
  asCoFollower = false,
): Promise<SubjectFollowUpRow> {
  const { followedAt } = input;
  const created = await subject.model(sequelize).create(
    {
      [subject.key]: subjectId as number,
      user_id: authorId,
      followed_at: followedAt,
      channel: input.channel,
      content: input.content,
      outcome: input.outcome ?? null,
      next_action: input.nextAction ?? null,
      next_follow_up_at: input.nextFollowUpAt ?? null,
    },
    { transaction },
  );
  if (asCoFollower) {
    await sequelize.query(
      `UPDATE ${subject.table} SET last_follow_up_at = ?, updated_at = ? WHERE id = ? AND (last_follow_up_at IS NULL OR last_follow_up_at <= ?)`,
      { replacements: [followedAt, now, subjectId, followedAt], type: QueryTypes.UPDATE, transaction },
    );
  } else {
    await sequelize.query(
      `UPDATE ${subject.table} SET last_follow_up_at = ?, next_follow_up_at = ?, updated_at = ?
        WHERE id = ? AND (last_follow_up_at IS NULL OR last_follow_up_at <= ?)`,
      { replacements: [followedAt, input.nextFollowUpAt ?? null, now, subjectId, followedAt], type: QueryTypes.UPDATE, transaction },
    );
  }
  // Target progress counts customer follow-ups (a partner's are not a sales metric).
  if (subject.key === 'customer_id') await countFollowUp(sequelize, { user_id: authorId, followed_at: followedAt }, 1, transaction);
  return created.get();
}

/**
 * Loads a live follow-up the caller may correct or delete: the author within FOLLOW_UP_EDIT_HOURS
 * of writing it, anyone whose scope is wider than their own records (a manager) at any time.
 */
async function loadCorrectable(sequelize: Sequelize, subject: FollowUpSubject, access: Access, subjectId: number, followUpId: number, now: Date) {
  await subject.loadVisible(sequelize, access, subjectId);
  const row = (await subject.model(sequelize).findOne({ where: { id: followUpId, [subject.key]: subjectId, deleted_at: null } }))?.get();
  if (!row) throw notFound('跟进记录不存在');
  if (access.dataScope !== 'self') return row;
  if (row.user_id !== access.userId) throw forbidden('只能修改或删除自己写的跟进记录', 'follow_up_not_author');
  if (now.getTime() - new Date(row.created_at).getTime() > FOLLOW_UP_EDIT_HOURS * 3_600_000)
    throw forbidden(`跟进记录写入已超过 ${FOLLOW_UP_EDIT_HOURS} 小时，请联系主管修改或删除`, 'follow_up_edit_window');
  return row;
}

/** The audit entry of a follow-up change: whose follow-up, of which customer or partner. */
async function followUpAuditEntry(sequelize: Sequelize, subject: FollowUpSubject, row: SubjectFollowUpRow, verb: string) {
  const subjectId = Number(row[subject.key]);
  const [names, authors] = await Promise.all([namesById(sequelize, subject.table, [subjectId]), namesById(sequelize, 'users', [row.user_id])]);
  const whose = subject.key === 'customer_id' ? '客户' : '代销机构';
  return {
    entity: subject.key === 'customer_id' ? 'follow_up' : 'partner_follow_up',
    entityId: row.id,
    summary: `${verb}${whose} ${names.get(subjectId) ?? ''} 的跟进记录（${authors.get(row.user_id) ?? ''} 于 ${businessDate(new Date(row.followed_at))} 写）`,
  };
}

/** Deletes a follow-up (loadCorrectable's rule); deleting the newest restores the subject's dates from the one before. */
export async function deleteFollowUp(
  sequelize: Sequelize,
  subject: FollowUpSubject,
  caller: { access: Access; actor: Actor },
  subjectId: number,
  followUpId: number,
  now = new Date(),
): Promise<void> {
  const row = await loadCorrectable(sequelize, subject, caller.access, subjectId, followUpId, now);
  const model = subject.model(sequelize);
  const entry = await followUpAuditEntry(sequelize, subject, row, '删除');
  await sequelize.transaction(async (transaction) => {
    await model.update({ deleted_at: now }, { where: { id: followUpId }, transaction });
    if (subject.key === 'customer_id') await countFollowUp(sequelize, row, -1, transaction);
    const newer = await model.count({ where: { [subject.key]: subjectId, deleted_at: null, followed_at: { [Op.gt]: row.followed_at } }, transaction });
    if (newer === 0) await restoreFollowUpDates(sequelize, subject, subjectId, now, transaction);
    await audit(sequelize, caller.actor, { action: 'follow_up.delete', ...entry, diff: { content: [row.content, null] } }, { transaction });
  });
}

/** Corrects a follow-up (loadCorrectable's rule); correcting the newest moves the subject's next follow-up with it. */
export async function updateFollowUp(
  sequelize: Sequelize,
  subject: FollowUpSubject,
  caller: { access: Access; actor: Actor },
  subjectId: number,
  followUpId: number,
  patch: FollowUpPatch,
  now = new Date(),
): Promise<AnyFollowUpView> {
  const row = await loadCorrectable(sequelize, subject, caller.access, subjectId, followUpId, now);
  if (patch.channel !== undefined) await assertDictionaryValues(sequelize, [{ field: 'channel', type: 'follow_up_channel', value: patch.channel }]);
  if (patch.nextFollowUpAt && patch.nextFollowUpAt <= new Date(row.followed_at)) {
    throw validationFailed('请求参数不正确', [{ field: 'nextFollowUpAt', message: '下次跟进时间应晚于本次跟进时间' }]);
  }
  const changes: Partial<FollowUpRow> = {
    ...(patch.channel !== undefined ? { channel: patch.channel } : {}),
    ...(patch.content !== undefined ? { content: patch.content } : {}),
    ...(patch.outcome !== undefined ? { outcome: patch.outcome ?? null } : {}),
    ...(patch.nextAction !== undefined ? { next_action: patch.nextAction ?? null } : {}),
    ...(patch.nextFollowUpAt !== undefined ? { next_follow_up_at: patch.nextFollowUpAt ?? null } : {}),
  };
  const model = subject.model(sequelize);
  const entry = await followUpAuditEntry(sequelize, subject, row, '修改');
  await sequelize.transaction(async (transaction) => {
    await model.update(changes, { where: { id: followUpId }, transaction });
    const newer = await model.count({ where: { [subject.key]: subjectId, deleted_at: null, followed_at: { [Op.gt]: row.followed_at } }, transaction });
    if (newer === 0 && changes.next_follow_up_at !== undefined) await restoreFollowUpDates(sequelize, subject, subjectId, now, transaction);
    await auditEdit(sequelize, caller.actor, { action: 'follow_up.update', ...entry }, row, changes, transaction);
  });
  const updated = (await model.findByPk(followUpId))!.get();
  const [view] = await followUpViews(sequelize, subject, [updated]);
  return view!;
}

/** After the newest entry is deleted (or a merge): the dates follow the newest remaining follow-up. */
export async function restoreFollowUpDates(
  sequelize: Sequelize,
  subject: FollowUpSubject,
  subjectId: number,
  now: Date,
  transaction: Transaction,
): Promise<void> {
  const newest = (
    await subject.model(sequelize).findOne({
      where: { [subject.key]: subjectId, deleted_at: null },
      order: [
        ['followed_at', 'DESC'],
        ['id', 'DESC'],
      ],
      transaction,
    })
  )?.get();
  await sequelize.query(`UPDATE ${subject.table} SET last_follow_up_at = ?, next_follow_up_at = ?, updated_at = ? WHERE id = ?`, {
    replacements: [newest?.followed_at ?? null, newest?.next_follow_up_at ?? null, now, subjectId],
    type: QueryTypes.UPDATE,
    transaction,
  });
}

export const customerFollowUps = (loadVisible: FollowUpSubject['loadVisible']): FollowUpSubject => ({
  table: 'customers',
  key: 'customer_id',
  model: (sequelize) => followUpModels(sequelize).FollowUp as unknown as ReturnType<FollowUpSubject['model']>,
  loadVisible,
});

export const partnerFollowUps = (loadVisible: FollowUpSubject['loadVisible']): FollowUpSubject => ({
  table: 'consignment_partners',
  key: 'partner_id',
  model: (sequelize) => followUpModels(sequelize).PartnerFollowUp as unknown as ReturnType<FollowUpSubject['model']>,
  loadVisible,
});

/** A merge: the source customer's follow-ups become the target's. Returns how many moved. */
export function moveFollowUps(sequelize: Sequelize, fromCustomerId: number, toCustomerId: number, transaction: Transaction): Promise<number> {
  return updateRows(sequelize, 'UPDATE follow_ups SET customer_id = ? WHERE customer_id = ?', [toCustomerId, fromCustomerId], transaction);
}

/** The newest follow-ups of one customer or partner, as every card and detail page shows them. */
export async function latestFollowUps(sequelize: Sequelize, subject: FollowUpSubject, subjectId: number, limit = 5): Promise<AnyFollowUpView[]> {
  const rows = await subject.model(sequelize).findAll({
    where: { [subject.key]: subjectId, deleted_at: null },
    order: [
      ['followed_at', 'DESC'],
      ['id', 'DESC'],
    ],
    limit,
  });
  return followUpViews(
    sequelize,
    subject,
    rows.map((r) => r.get()),
  );
}

/**
 * Each customer's planned 下一步: the action of the live follow-up that set its next follow-up
 * (its `next_follow_up_at` is the customer's), the newest when several did; customers without one
 * are absent. One read for a list's page.
 */
// Raw SQL on `customers`: the plan is the follow-up whose next date is still the customer's.
export async function plannedActions(sequelize: Sequelize, customerIds: readonly number[]): Promise<Map<number, string>> {
  if (!customerIds.length) return new Map();
  const rows = await sequelize.query<{ customer_id: number; next_action: string }>(
    `SELECT f.customer_id, f.next_action FROM follow_ups f JOIN customers c ON c.id = f.customer_id
      WHERE f.customer_id IN (${sqlList(customerIds)}) AND f.deleted_at IS NULL AND f.next_action IS NOT NULL
        AND c.next_follow_up_at = f.next_follow_up_at
      ORDER BY f.id`,
    { replacements: [...customerIds], type: QueryTypes.SELECT },
  );
  return new Map(rows.map((r) => [Number(r.customer_id), r.next_action]));
}

/**
 * 我的跟进 (the caller's own follow-ups of customers, any customer they still see or not):
 * `done` — what they wrote, newest first; `planned` — the next dates they set that are still the
 * customer's next follow-up (a later entry replaced the others), soonest first. `from`/`to` bound
 * the followed or the planned time (a calendar month).
 */
// Raw SQL on `customers`: the planned kind keeps a follow-up only while it is its customer's plan,
// and both name the customer — one paged statement.
export async function listMyFollowUps(sequelize: Sequelize, userId: number, query: MyFollowUpsQuery): Promise<PageOf<MyFollowUpView>> {
  const planned = query.kind === 'planned';
  const time = planned ? 'f.next_follow_up_at' : 'f.followed_at';
  const where = [`f.user_id = ?`, `f.deleted_at IS NULL`, `c.deleted_at IS NULL`];
  const replacements: unknown[] = [userId];
  if (planned) where.push('f.next_follow_up_at IS NOT NULL', 'c.next_follow_up_at = f.next_follow_up_at');
  if (query.from) {
    where.push(`${time} >= ?`);
    replacements.push(query.from);
  }
  if (query.to) {
    where.push(`${time} < ?`);
    replacements.push(query.to);
  }
  const from = `FROM follow_ups f JOIN customers c ON c.id = f.customer_id WHERE ${where.join(' AND ')}`;
  const [[counted], rows] = await Promise.all([
    sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n ${from}`, { replacements, type: QueryTypes.SELECT }),
    sequelize.query<FollowUpRow & { customer_id: number; customer_name: string }>(
      `SELECT f.*, c.name AS customer_name ${from} ORDER BY ${time} ${planned ? 'ASC' : 'DESC'}, f.id DESC LIMIT ? OFFSET ?`,
      { replacements: [...replacements, query.pageSize, (query.page - 1) * query.pageSize], type: QueryTypes.SELECT },
    ),
  ]);
  const users = await namesById(sequelize, 'users', [userId]);
  return {
    items: rows.map((r) => ({ ...followUpViewOf(r, named(users, userId)), customer: { id: Number(r.customer_id), name: r.customer_name } })),
    total: Number(counted?.n ?? 0),
    page: query.page,
    pageSize: query.pageSize,
  };
}
