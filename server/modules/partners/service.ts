/**
 * Consignment partners (代销机构): institutions that sell our products. Not customers: their own
 * type, status (洽谈中 → 已签约 → 合作中 → 暂停 / 终止), owner, department and follow-ups, under the
 * same data-scope rules as customers.
 */
// Raw SQL on other modules' tables, on purpose: a partner's sales totals are one aggregate over
// trades: the ledger imports partners (a trade's partner is checked), so partners cannot import it back.
import { Op, QueryTypes, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { PageOf } from '@shared/http';
import { fromHundredths } from '@shared/money';
import { PARTNER_FIELDS, type PartnerDetail, type PartnerFollowUpView, type PartnerInput, type PartnerPatch, type PartnerView } from '@shared/partners';
import { startOfBusinessDay } from '@shared/time';
import { containsWhere, explainUniqueViolation, inSlices } from '../../db/dialect';
import { iso, isoOrNull, namesById, named, updateAtVersion } from '../../db/lookup';
import { columnsOf, newColumns, viewOf } from '../../db/record-fields';
import { conflict, duplicate, notFound } from '../../errors';
import { pageOf, pageWindow, type PageRequest } from '../../db/paging';
import { phoneField } from '../../values';
import { audit, auditEdit, type Actor } from '../audit/service';
import { enqueueNotification } from '../reminders/outbox';
import { assertDictionaryValues, declaredDictionaryChecks } from '../dictionaries/service';
import { latestFollowUps, partnerFollowUps } from '../follow-ups/service';
import { followUpModels } from '../follow-ups/models';
import { canSee, scopeWhere, type Access } from '../roles/access';
import { resolveOwnership, type Caller } from '../roles/ownership';
import { partnerModels, type PartnerRow } from './models';

export async function loadVisiblePartner(sequelize: Sequelize, access: Access, id: number, transaction?: Transaction): Promise<PartnerRow> {
  const row = (await partnerModels(sequelize).Partner.findOne({ where: { [Op.and]: [{ id, deleted_at: null }, scopeWhere(access)] }, transaction }))?.get();
  if (!row) throw notFound('代销机构不存在或不在你的数据范围内');
  return row;
}

export const partnerFollowUpSubject = partnerFollowUps(loadVisiblePartner);

/** An institution is on file once: same credit code or same name → 409 (with its id if visible). */
async function assertNotDuplicate(sequelize: Sequelize, access: Access, name: string, creditCode: string | null | undefined, exceptId?: number): Promise<void> {
  const matches: WhereOptions<PartnerRow>[] = [{ name }];
  if (creditCode) matches.push({ credit_code: creditCode });
  const existing = (
    await partnerModels(sequelize).Partner.findOne({ where: { [Op.or]: matches, deleted_at: null, ...(exceptId ? { id: { [Op.ne]: exceptId } } : {}) } })
  )?.get();
  if (!existing) return;
  const visible = canSee(access, { ownerUserId: existing.owner_user_id, departmentId: existing.department_id });
  throw duplicate(visible ? `代销机构已存在：${existing.name}` : '该代销机构已由其他同事负责，请联系管理员', {
    existingId: visible ? existing.id : null,
    matchedBy: creditCode && existing.credit_code === creditCode ? 'credit_code' : 'name',
  });
}

/** `input` with its contact phone normalised (a bad one: 400 naming contactPhone). */
const withPhone = <T extends Partial<PartnerInput>>(input: T): T => ({ ...input, contactPhone: phoneField(input.contactPhone, 'contactPhone') });

/** The columns an input sets (undefined fields stay as they are; never the owner: that is a handover); the contact phone normalised. */
export function partnerColumns(input: Partial<PartnerInput>): Partial<PartnerRow> {
  return columnsOf(PARTNER_FIELDS, withPhone(input));
}

/**
 * The unique indexes (live name, credit code) are the last word when two writes race; a
 * violation gets the answer the check before it would have given.
 */
async function uniquely<T>(
  sequelize: Sequelize,
  access: Access,
  identity: { name: string; creditCode?: string | null; exceptId?: number },
  write: () => Promise<T>,
): Promise<T> {
  return explainUniqueViolation(write, async () => {
    await assertNotDuplicate(sequelize, access, identity.name, identity.creditCode, identity.exceptId);
    // The other row is a deleted partner still holding the credit code.
    throw duplicate('统一社会信用代码已被其他代销机构使用', { existingId: null, matchedBy: 'credit_code' });
  });
}

/** Writes new partners whose values are already checked (dictionaries, duplicates, ownership), in multi-row INSERTs. */
export async function insertPartners(
  sequelize: Sequelize,
  partners: { values: PartnerInput; ownership: { ownerUserId: number; departmentId: number } }[],
  by: number | null,
  transaction: Transaction,
): Promise<number[]> {
  const row = ({ values, ownership }: (typeof partners)[number]) => ({
    ...newColumns(PARTNER_FIELDS, withPhone(values)),
    owner_user_id: ownership.ownerUserId,
    department_id: ownership.departmentId,
    created_by: by,
  });
  return inSlices(partners, async (slice) => (await partnerModels(sequelize).Partner.bulkCreate(slice.map(row), { transaction })).map((p) => p.get().id));
}

export async function createPartner(sequelize: Sequelize, caller: Caller, input: PartnerInput): Promise<PartnerView> {
  const values = { status: PARTNER_FIELDS.status.initial, ...input };
  await assertDictionaryValues(sequelize, declaredDictionaryChecks(PARTNER_FIELDS, values));
  const ownership = await resolveOwnership(sequelize, caller, input);
  await assertNotDuplicate(sequelize, caller.access, values.name, values.creditCode);
  const id = await uniquely(sequelize, caller.access, { name: values.name, creditCode: values.creditCode }, () =>
    sequelize.transaction(async (transaction) => {
      const [id] = await insertPartners(sequelize, [{ values, ownership }], caller.access.userId, transaction);
      await audit(
        sequelize,
        caller.actor,
        { action: 'partner.create', entity: 'partner', entityId: id, summary: `新增代销机构 ${values.name}` },
        { transaction },
      );
      return id!;
    }),
  );
  return getPartner(sequelize, caller.access, id);
}

export async function getPartner(sequelize: Sequelize, access: Access, id: number): Promise<PartnerView> {
  const [view] = await partnerViews(sequelize, [await loadVisiblePartner(sequelize, access, id)]);
  return view!;
}

const LATEST_FOLLOW_UPS = 3;

export async function getPartnerDetail(sequelize: Sequelize, access: Access, id: number): Promise<PartnerDetail> {
  const partner = await getPartner(sequelize, access, id);
  const { PartnerFollowUp } = followUpModels(sequelize);
  const [followUps, latest, [sales]] = await Promise.all([
    PartnerFollowUp.count({ where: { partner_id: id, deleted_at: null } }),
    latestFollowUps(sequelize, partnerFollowUpSubject, id, LATEST_FOLLOW_UPS),
    sequelize.query<{ n: number; amount: string | number | null }>(
      "SELECT COUNT(*) AS n, SUM(amount_fen) AS amount FROM trades WHERE partner_id = ? AND kind = 'buy' AND voided_at IS NULL",
      { replacements: [id], type: QueryTypes.SELECT },
    ),
  ]);
  return {
    ...partner,
    counts: { followUps, sales: Number(sales?.n ?? 0) },
    salesAmount: fromHundredths(sales?.amount ?? 0),
    latestFollowUps: latest as PartnerFollowUpView[],
  };
}

export interface PartnerListQuery extends PageRequest {
  keyword?: string;
  type?: string;
  status?: string;
  ownerUserId?: number;
  departmentId?: number;
  followUp?: 'due' | 'overdue';
  sort: 'updated_desc' | 'name_asc' | 'next_follow_up_asc';
}

const SORTS: Record<PartnerListQuery['sort'], [string, 'ASC' | 'DESC'][]> = {
  updated_desc: [
    ['updated_at', 'DESC'],
    ['id', 'DESC'],
  ],
  name_asc: [
    ['name', 'ASC'],
    ['id', 'ASC'],
  ],
  next_follow_up_asc: [
    ['next_follow_up_at', 'ASC'],
    ['id', 'ASC'],
  ],
};

export async function listPartners(sequelize: Sequelize, access: Access, query: PartnerListQuery, now = new Date()): Promise<PageOf<PartnerView>> {
  const and: WhereOptions[] = [{ deleted_at: null }, scopeWhere(access)];
  if (query.keyword) {
    and.push({
      [Op.or]: [
        containsWhere(sequelize, 'name', query.keyword),
        containsWhere(sequelize, 'contact_name', query.keyword),
        { credit_code: query.keyword.toUpperCase() },
      ],
    });
  }
  if (query.type) and.push({ type: query.type });
  if (query.status) and.push({ status: query.status });
  if (query.ownerUserId) and.push({ owner_user_id: query.ownerUserId });
  if (query.departmentId) and.push({ department_id: query.departmentId });
  if (query.followUp === 'due') and.push({ next_follow_up_at: { [Op.lt]: startOfBusinessDay(now, 1) } });
  if (query.followUp === 'overdue') and.push({ next_follow_up_at: { [Op.lt]: startOfBusinessDay(now) } });
  const { rows, count } = await partnerModels(sequelize).Partner.findAndCountAll({ where: { [Op.and]: and }, order: SORTS[query.sort], ...pageWindow(query) });
  const views = await partnerViews(
    sequelize,
    rows.map((r) => r.get()),
  );
  return pageOf(views, count, query);
}

/**
 * Edits with the version the editor saw (stale → 409). Handing the partner to another owner or
 * department is allowed here, inside the caller's scope, and audited.
 */
/** Applies `changes` if the partner is still at `version` (audited with a field diff); false when someone saved first. */
export async function writePartnerChanges(
  sequelize: Sequelize,
  current: PartnerRow,
  changes: Partial<PartnerRow>,
  version: number,
  by: Actor,
  transaction: Transaction,
): Promise<boolean> {
  if (!(await updateAtVersion(partnerModels(sequelize).Partner, current.id, version, changes, transaction))) return false;
  await auditEdit(
    sequelize,
    by,
    { action: 'partner.update', entity: 'partner', entityId: current.id, summary: `修改代销机构 ${current.name}` },
    current,
    changes,
    transaction,
    PARTNER_FIELDS,
  );
  return true;
}

export async function updatePartner(sequelize: Sequelize, caller: Caller, id: number, patch: PartnerPatch): Promise<PartnerView> {
  const current = await loadVisiblePartner(sequelize, caller.access, id);
  await assertDictionaryValues(sequelize, declaredDictionaryChecks(PARTNER_FIELDS, patch, current));
  if (patch.name !== undefined || patch.creditCode) {
    await assertNotDuplicate(sequelize, caller.access, patch.name ?? current.name, patch.creditCode, id);
  }
  const handover = patch.ownerUserId !== undefined || patch.departmentId !== undefined;
  const ownership = handover
    ? await resolveOwnership(sequelize, caller, { ownerUserId: patch.ownerUserId ?? current.owner_user_id, departmentId: patch.departmentId })
    : null;
  const updated = await uniquely(sequelize, caller.access, { name: patch.name ?? current.name, creditCode: patch.creditCode, exceptId: id }, () =>
    sequelize.transaction(async (transaction) => {
      const changes = { ...partnerColumns(patch), ...(ownership ? { owner_user_id: ownership.ownerUserId, department_id: ownership.departmentId } : {}) };
      if (!(await writePartnerChanges(sequelize, current, changes, patch.version, caller.actor, transaction))) return false;
      if (ownership && (ownership.ownerUserId !== current.owner_user_id || ownership.departmentId !== current.department_id)) {
        await audit(
          sequelize,
          caller.actor,
          {
            action: 'partner.transfer',
            entity: 'partner',
            entityId: id,
            summary: `代销机构 ${current.name} 转交`,
            diff: {
              from: { ownerUserId: current.owner_user_id, departmentId: current.department_id },
              to: { ownerUserId: ownership.ownerUserId, departmentId: ownership.departmentId },
            },
          },
          { transaction },
        );
        if (ownership.ownerUserId !== current.owner_user_id) {
          await enqueueNotification(
            sequelize,
            {
              kind: 'transfer',
              dedupeKey: `partner-transfer:${id}:${patch.version}`,
              userId: ownership.ownerUserId,
              title: `代销机构已转给你：${current.name}`,
              lines: [{ text: '你现在是这家代销机构的负责人，请查看合作情况和跟进记录' }],
              path: `/partners/${id}`,
            },
            new Date(),
            transaction,
          );
        }
      }
      return true;
    }),
  );
  if (!updated) {
    const latest = await loadVisiblePartner(sequelize, caller.access, id);
    throw conflict('代销机构已被他人修改，请刷新后重试', { currentVersion: latest.version });
  }
  // The new owner may be outside the caller's own records but is inside their scope (checked).
  return getPartner(sequelize, caller.access, id);
}

export async function deletePartner(sequelize: Sequelize, caller: Caller, id: number): Promise<void> {
  const current = await loadVisiblePartner(sequelize, caller.access, id);
  await sequelize.transaction(async (transaction) => {
    await partnerModels(sequelize).Partner.update({ deleted_at: new Date(), version: current.version + 1 }, { where: { id }, transaction });
    await audit(
      sequelize,
      caller.actor,
      { action: 'partner.delete', entity: 'partner', entityId: id, summary: `删除代销机构 ${current.name}` },
      { transaction },
    );
  });
}

async function partnerViews(sequelize: Sequelize, rows: PartnerRow[]): Promise<PartnerView[]> {
  const owners = await namesById(
    sequelize,
    'users',
    rows.map((r) => r.owner_user_id),
  );
  return rows.map((r) => ({
    id: r.id,
    ...viewOf(PARTNER_FIELDS, r),
    owner: named(owners, r.owner_user_id),
    lastFollowUpAt: isoOrNull(r.last_follow_up_at),
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  }));
}
