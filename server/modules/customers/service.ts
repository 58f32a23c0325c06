/**
 * Customer profiles (server/README.md#data-model, #permissions-and-data-scopes). Every read and write goes through the caller's data
 * scope: out of scope is 404 for a record and invisible in lists.
 */
// Raw SQL on other modules' tables, on purpose: the list's filter by WeCom follower is a subquery over
// matching's links and the mirror's relations inside the one paged, scoped list statement.
import { Op, literal, type Order, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { CustomerSort } from '@shared/customer-list';
import { CUSTOMER_FIELDS, type CustomerCreateInput, type CustomerFilter, type CustomerUpdateInput, type CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { idNumberProblem } from '@shared/identity';
import { normalizePhone } from '@shared/phone';
import { QUALIFICATION_BASES, type Qualification, type QualificationBasis } from '@shared/qualification';
import { DEFAULT_ASSESSMENT_VALID_DAYS, type CustomerRiskLevel, type InvestorClass, type RiskProfile } from '@shared/suitability';
import { addDays, businessDate, startOfBusinessDay } from '@shared/time';
import { INSERT_ROWS_PER_STATEMENT, containsSql, containsWhere, explainUniqueViolation, inSlices, startsWithWhere } from '../../db/dialect';
import { looksLikeInitials } from '../../util/pinyin';
import { marketValueFenSql } from '../products/service';
import { enqueueJob, type NewJob } from '../../jobs/jobs';
import { dateOnlyOrNull, isoOrNull, iso, namesById, named, updateAtVersion } from '../../db/lookup';
import { auditedDiff, columnsOf, initialValues, newColumns, viewOf } from '../../db/record-fields';
import { maskIdentifier } from '@shared/record-fields';
import { conflict, duplicate, forbidden, invalidField, notFound, validationFailed } from '../../errors';
import { pageOf, pageWindow } from '../../db/paging';
import { phoneField } from '../../values';
import { audit, auditEdit, type Actor } from '../audit/service';
import { assertDictionaryValues, declaredDictionaryChecks } from '../dictionaries/service';
import { canSee, descendantsOf, notInPoolWhere, scopeWhere, type Access } from '../roles/access';
import { resolveOwnership, type Caller } from '../roles/ownership';
import { customerModels, stageChangeModels, type CustomerRow } from './models';

/** What a new customer's fields are when not given (status, lifecycle stage, investor class). */
const INITIAL = initialValues(CUSTOMER_FIELDS);

async function recordStageChange(
  sequelize: Sequelize,
  change: { customerId: number; from: string | null; to: string; by: number | null },
  transaction: Transaction,
): Promise<void> {
  const { StageChange } = stageChangeModels(sequelize);
  await StageChange.create(
    { customer_id: change.customerId, from_stage: change.from, to_stage: change.to, changed_by: change.by, changed_at: new Date() },
    { transaction },
  );
}

/** The same person or institution already on file: same phone, or same name + institution. */
async function findDuplicate(
  sequelize: Sequelize,
  name: string,
  institution: string | null,
  phone: string | null,
  exceptId?: number,
): Promise<CustomerRow | null> {
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

/** A new customer whose values are already checked (dictionaries, duplicates, ownership), phone normalised. */
export interface NewCustomer {
  values: CustomerCreateInput & { phone: string | null };
  ownership: { ownerUserId: number; departmentId: number };
  /** Where a lead came from WeCom: the contact's unionid and the 渠道活码 it added through. */
  wecom?: { unionid: string | null; acquisitionChannel: string | null };
}

/**
 * Writes new customers in one multi-row INSERT and records their first stage. The API writes
 * one, the Excel import a batch. Returns their ids, in order.
 */
export async function insertCustomers(sequelize: Sequelize, customers: NewCustomer[], by: number | null, transaction: Transaction): Promise<number[]> {
  if (customers.length > INSERT_ROWS_PER_STATEMENT) return inSlices(customers, (slice) => insertCustomers(sequelize, slice, by, transaction));
  if (!customers.length) return [];
  const { Customer } = customerModels(sequelize);
  const rows = customers.map(({ values, ownership, wecom }) => ({
    ...newColumns(CUSTOMER_FIELDS, values),
    ...assessmentExpiry(values),
    owner_user_id: ownership.ownerUserId,
    department_id: ownership.departmentId,
    unionid: wecom?.unionid ?? null,
    acquisition_channel: wecom?.acquisitionChannel ?? null,
    created_by: by,
  }));
  const stages = rows.map((r) => r.lifecycle_stage);
  const created = await Customer.bulkCreate(rows, { transaction });
  const ids = created.map((c) => c.get().id);
  // The ids come from the driver's insert id; check them rather than trust an auto-increment mode.
  const named = await Customer.findAll({ where: { id: { [Op.in]: ids } }, attributes: ['id', 'name'], transaction });
  const nameOf = new Map(named.map((r) => [r.get().id, r.get().name]));
  if (ids.some((id, i) => nameOf.get(id) !== customers[i]!.values.name))
    throw new Error('customer ids returned by the bulk insert do not match the rows written');
  const { StageChange } = stageChangeModels(sequelize);
  const now = new Date();
  await StageChange.bulkCreate(
    ids.map((customer_id, i) => ({ customer_id, from_stage: null, to_stage: stages[i]!, changed_by: by, changed_at: now })),
    { transaction },
  );
  return ids;
}

/** 409 `duplicate` for `existing`, with its id only if the caller may see it. */
function duplicateOf(access: Access, existing: CustomerRow, phone: string | null, message = `客户已存在：${existing.name}`) {
  const visible = canSee(access, { ownerUserId: existing.owner_user_id, departmentId: existing.department_id });
  return duplicate(visible ? message : '该客户已由其他同事负责，请联系管理员', {
    existingId: visible ? existing.id : null,
    matchedBy: phone && existing.phone === phone ? 'phone' : 'name_institution',
  });
}

/**
 * Runs a write that may break a live-uniqueness index (migration 0014): the check before it gives
 * the friendly answer, the index decides a race, and its violation gets the same answer.
 */
async function uniquely<T>(
  sequelize: Sequelize,
  access: Access,
  identity: { name: string; institution: string | null; phone: string | null; exceptId?: number },
  write: () => Promise<T>,
): Promise<T> {
  return explainUniqueViolation(write, async () => {
    const existing = await findDuplicate(sequelize, identity.name, identity.institution, identity.phone, identity.exceptId);
    if (existing) throw duplicateOf(access, existing, identity.phone);
  });
}

export async function createCustomer(sequelize: Sequelize, caller: Caller, input: CustomerCreateInput): Promise<CustomerView> {
  assertMayWriteRisk(caller.access, input);
  assertRiskDates(input);
  const values = { ...INITIAL, ...input };
  await assertDictionaryValues(sequelize, declaredDictionaryChecks(CUSTOMER_FIELDS, values));
  const { ownerUserId, departmentId } = await resolveOwnership(sequelize, caller, input);
  const phone = phoneField(input.phone) ?? null;
  const identity = { name: values.name, institution: values.institution ?? null, phone };

  const existing = await findDuplicate(sequelize, identity.name, identity.institution, phone);
  if (existing) throw duplicateOf(caller.access, existing, phone);
  const [id] = await uniquely(sequelize, caller.access, identity, () =>
    sequelize.transaction(async (transaction) => {
      const ids = await insertCustomers(
        sequelize,
        [{ values: { ...values, phone }, ownership: { ownerUserId, departmentId } }],
        caller.access.userId,
        transaction,
      );
      if (phone) await phoneChanged(sequelize, ids[0]!, null, transaction);
      await audit(
        sequelize,
        caller.actor,
        {
          action: 'customer.create',
          entity: 'customer',
          entityId: ids[0],
          summary: `新建客户 ${values.name}`,
          diff: auditedDiff(CUSTOMER_FIELDS, { ...values, phone, ownerUserId, departmentId }),
        },
        { transaction },
      );
      return ids;
    }),
  );
  return getCustomer(sequelize, caller.access, id!);
}

/**
 * A customer's phone was set or changed: a job other modules act on (the remark write-back to
 * WeCom), queued with the change so it happens once the change is committed.
 */
export const PHONE_CHANGED_JOB = 'customer.phone_changed';
export interface PhoneChanged {
  customerId: number;
  previous: string | null;
}
async function phoneChanged(sequelize: Sequelize, customerId: number, previous: string | null, transaction: Transaction): Promise<void> {
  // One customer's write-backs run in order, one at a time: each writes the phone as it then is (engagement/jobs.ts).
  await enqueueJob(
    sequelize,
    { kind: PHONE_CHANGED_JOB, serialKey: `phone-changed:${customerId}`, payload: { customerId, previous } satisfies PhoneChanged },
    transaction,
  );
}

/**
 * A customer's 客户等级 (`level`) must be shown in WeCom: a job other modules act on (the WeCom tag
 * group 「客户等级」 follows it, engagement/grade.ts), queued in the transaction of what calls for
 * it — a change of level, a contact linked to a customer that has one, a merge that moves links —
 * so it happens once that is committed; one customer's run in order, each reading the level as it
 * then is.
 */
export const LEVEL_CHANGED_JOB = 'customer.level_changed';
export interface LevelChanged {
  customerId: number;
  /** Who set the level: the job's WeCom calls are charged to their budget (wecom/budget.ts), as their own requests are. */
  byUserId?: number;
}

function levelTagJob(customerId: number, byUserId: number | null): NewJob {
  return {
    kind: LEVEL_CHANGED_JOB,
    serialKey: `level-changed:${customerId}`,
    payload: { customerId, ...(byUserId !== null ? { byUserId } : {}) } satisfies LevelChanged,
  };
}

/**
 * Queues the grade tag for those of `customerIds` that have a 客户等级 — after a contact was linked
 * to them or their links moved (a relation that never carried the level). `byUserId`: whose change
 * it is, charged for the job's WeCom calls (null: the matching of a sync or an event, nobody's).
 */
export async function queueLevelTags(sequelize: Sequelize, customerIds: readonly number[], byUserId: number | null, transaction: Transaction): Promise<void> {
  const ids = [...new Set(customerIds)];
  if (!ids.length) return;
  const leveled = await customerModels(sequelize).Customer.findAll({
    where: { id: ids, level: { [Op.ne]: null }, deleted_at: null },
    attributes: ['id'],
    order: [['id', 'ASC']],
    transaction,
  });
  for (const row of leveled) await enqueueJob(sequelize, levelTagJob(row.get().id, byUserId), transaction);
}

/** A live customer's 客户等级 by id, whoever asks (a background job); undefined when gone. */
export async function customerLevelOf(sequelize: Sequelize, id: number): Promise<string | null | undefined> {
  const row = await customerModels(sequelize).Customer.findOne({ where: { id, deleted_at: null }, attributes: ['level'] });
  return row ? row.get().level : undefined;
}

/** The customer if it exists and `access` may see it; otherwise 404 (never 403: no probing). */
export async function loadVisibleCustomer(sequelize: Sequelize, access: Access, id: number, transaction?: Transaction): Promise<CustomerRow> {
  const { Customer } = customerModels(sequelize);
  const row = (await Customer.findOne({ where: { [Op.and]: [{ id, deleted_at: null }, scopeWhere(access)] }, transaction }))?.get();
  if (!row) throw notFound('客户不存在或不在你的数据范围内');
  return row;
}

/** A live customer's name by id, whoever asks (the public questionnaire page masks it); null when gone. */
export async function customerNameOf(sequelize: Sequelize, id: number): Promise<string | null> {
  const row = await customerModels(sequelize).Customer.findOne({ where: { id, deleted_at: null }, attributes: ['name'] });
  return row ? row.get().name : null;
}

export async function getCustomer(sequelize: Sequelize, access: Access, id: number): Promise<CustomerView> {
  const [view] = await customerViews(sequelize, [await loadVisibleCustomer(sequelize, access, id)]);
  return view!;
}

export interface CustomerListQuery extends CustomerFilter {
  page: number;
  pageSize: number;
  sort: CustomerSort;
}

/** NULLs last, on SQLite and MySQL alike (both put them first when ascending). */
const nullsLast = (column: string, direction: 'ASC' | 'DESC'): [ReturnType<typeof literal> | string, 'ASC' | 'DESC'][] => [
  [literal(`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`), 'ASC'],
  [column, direction],
];

/** A customer's AUM in fen in SQL: their live holdings at the latest NAV on or before `today` (products/service.ts). */
// Raw SQL on `holdings` and `product_navs`: sorting a page by assets needs the sum inside the list's statement.
const aumSql = (sequelize: Sequelize, today: string) =>
  `(SELECT COALESCE(SUM(${marketValueFenSql('h').replace('?', sequelize.escape(today))}), 0) FROM holdings h WHERE h.customer_id = Customer.id AND h.status = 'holding')`;

function sortOf(sequelize: Sequelize, sort: CustomerSort, now: Date): Order {
  const byId = (direction: 'ASC' | 'DESC'): [string, 'ASC' | 'DESC'] => ['id', direction];
  switch (sort) {
    case 'updated_desc':
      return [['updated_at', 'DESC'], byId('DESC')];
    case 'created_desc':
      return [['created_at', 'DESC'], byId('DESC')];
    case 'aum_desc':
      return [[literal(aumSql(sequelize, businessDate(now))), 'DESC'], byId('DESC')];
    case 'last_follow_up_desc':
      return [...nullsLast('last_follow_up_at', 'DESC'), byId('DESC')];
    case 'last_follow_up_asc':
      // Never followed up is the longest since: first.
      return [['last_follow_up_at', 'ASC'], byId('ASC')];
    case 'next_follow_up_asc':
      return [...nullsLast('next_follow_up_at', 'ASC'), byId('ASC')];
    case 'name_asc':
      return [['name', 'ASC'], byId('ASC')];
  }
}

/**
 * The customer list's filter as a WHERE, inside the caller's scope — the same vocabulary for the
 * list, its exports and a 客户群发's audience (shared/customers.ts `customerFilterSchema`).
 */
export async function customerFilterWhere(sequelize: Sequelize, access: Access, query: CustomerFilter, now = new Date()): Promise<WhereOptions[]> {
  // The books hold no 公海 customer, for managers either: 看板 counts none (dashboard/service.ts), so its
  // drill-downs land on the same customers; the pool page lists them, and a manager assigns from there.
  const and: WhereOptions[] = [{ deleted_at: null }, scopeWhere(access), notInPoolWhere()];
  if (query.keyword) {
    const phone = normalizePhone(query.keyword);
    and.push({
      [Op.or]: [
        containsWhere(sequelize, 'name', query.keyword),
        containsWhere(sequelize, 'institution', query.keyword),
        // 「zcn」 finds 张晨娜: a prefix of the stored initials, an index read (migration 0042).
        ...(looksLikeInitials(query.keyword) ? [startsWithWhere(sequelize, 'name_initials', query.keyword.trim().toLowerCase())] : []),
        ...(phone ? [containsWhere(sequelize, 'phone', phone)] : []),
      ],
    });
  }
  if (query.ownerUserId) and.push({ owner_user_id: query.ownerUserId });
  // A department means its subdepartments too, as on the dashboards.
  if (query.departmentId) and.push({ department_id: { [Op.in]: await descendantsOf(sequelize, [query.departmentId]) } });
  if (query.lifecycleStage) and.push({ lifecycle_stage: query.lifecycleStage });
  if (query.level) and.push({ level: query.level });
  if (query.source) and.push({ source: query.source });
  const startOfToday = startOfBusinessDay(now);
  const endOfToday = startOfBusinessDay(now, 1);
  if (query.followUp === 'due') and.push({ next_follow_up_at: { [Op.lt]: endOfToday } });
  if (query.followUp === 'overdue') and.push({ next_follow_up_at: { [Op.lt]: startOfToday } });
  if (query.noFollowUpDays !== undefined) {
    const cutoff = new Date(now.getTime() - query.noFollowUpDays * 86_400_000);
    and.push({ [Op.or]: [{ last_follow_up_at: null }, { last_follow_up_at: { [Op.lt]: cutoff } }] });
  }
  if (query.tagId) and.push({ id: { [Op.in]: taggedCustomers(sequelize, query.tagId) } });
  if (query.channel) and.push({ acquisition_channel: query.channel });
  if (query.ids) and.push({ id: { [Op.in]: query.ids.split(',').map(Number) } });
  if (query.riskLevel) and.push({ risk_level: query.riskLevel === 'none' ? null : query.riskLevel });
  if (query.riskValidity) {
    // An assessment without its own validity holds DEFAULT_ASSESSMENT_VALID_DAYS from its date (shared/risk-profile.ts).
    const today = businessDate(now);
    const lastValidAssessment = addDays(today, -DEFAULT_ASSESSMENT_VALID_DAYS);
    const valid = {
      [Op.or]: [{ risk_assessment_expires_on: { [Op.gte]: today } }, { risk_assessment_expires_on: null, risk_assessed_on: { [Op.gte]: lastValidAssessment } }],
    };
    const assessed = { risk_level: { [Op.ne]: null }, risk_assessed_on: { [Op.ne]: null } };
    if (query.riskValidity === 'missing') and.push({ [Op.or]: [{ risk_level: null }, { risk_assessed_on: null }] });
    else if (query.riskValidity === 'valid') and.push(assessed, valid);
    else and.push(assessed, { [Op.not]: valid } as WhereOptions);
  }
  if (query.productId) and.push({ id: { [Op.in]: holdersOf(sequelize, { productId: query.productId }) } });
  if (query.productCategory) and.push({ id: { [Op.in]: holdersOf(sequelize, { category: query.productCategory }) } });
  if (query.aumMin !== undefined || query.aumBelow !== undefined) {
    // An AUM band: the list's own 资产 (aumSql), compared in fen — built only when asked for.
    const aum = literal(aumSql(sequelize, businessDate(now)));
    if (query.aumMin !== undefined) and.push(sequelize.where(aum, { [Op.gte]: query.aumMin * 100 }));
    if (query.aumBelow !== undefined) and.push(sequelize.where(aum, { [Op.lt]: query.aumBelow * 100 }));
  }
  return and;
}

/** Customers with a live position (the ledger's projection, `holdings`) in the product, or in some product of the category. */
function holdersOf(sequelize: Sequelize, of: { productId: number } | { category: string }) {
  const products = 'productId' in of ? `= ${Number(of.productId)}` : `IN (SELECT p.id FROM products p WHERE p.category = ${sequelize.escape(of.category)})`;
  return sequelize.literal(`(SELECT h.customer_id FROM holdings h WHERE h.product_id ${products} AND h.status = 'holding')`);
}

export async function listCustomers(sequelize: Sequelize, access: Access, query: CustomerListQuery, now = new Date()): Promise<PageOf<CustomerView>> {
  const { Customer } = customerModels(sequelize);
  const and = await customerFilterWhere(sequelize, access, query, now);
  const { rows, count } = await Customer.findAndCountAll({
    where: { [Op.and]: and },
    order: sortOf(sequelize, query.sort, now),
    ...pageWindow(query),
  });
  const views = await customerViews(
    sequelize,
    rows.map((r) => r.get()),
  );
  return pageOf(views, count, query);
}

/** Customers with a contact whose live relation carries the tag (`tag_ids` is a JSON array of ids). */
function taggedCustomers(sequelize: Sequelize, tagId: string) {
  // Literally `"<id>"`: a `_` in a tag id is a character of it, not any character.
  return sequelize.literal(
    `(SELECT l.customer_id FROM customer_wecom_links l JOIN wecom_follow_relations r ON r.external_userid = l.external_userid
       WHERE r.deleted_at IS NULL AND ${containsSql(sequelize, 'r.tag_ids', `"${tagId}"`)})`,
  );
}

/** An assessment date without a validity gets the default validity (`DEFAULT_ASSESSMENT_VALID_DAYS`). */
function assessmentExpiry(values: Partial<CustomerCreateInput>): Partial<CustomerRow> {
  return values.riskAssessmentExpiresOn === undefined && values.riskAssessedOn
    ? { risk_assessment_expires_on: addDays(values.riskAssessedOn, DEFAULT_ASSESSMENT_VALID_DAYS) }
    : {};
}

/** The risk profile's columns (import: only `customer.risk` may set them). */
export const RISK_COLUMNS = ['risk_level', 'investor_class', 'risk_assessed_on', 'risk_assessment_expires_on'] as const;

/** The risk profile columns a write sets; fields not given stay as they are. */
function riskColumns(values: Partial<CustomerCreateInput>): Partial<CustomerRow> {
  const changes = customerChanges(values);
  return Object.fromEntries(RISK_COLUMNS.flatMap((c) => (changes[c] === undefined ? [] : [[c, changes[c]]])));
}

/**
 * A risk level comes from the customer's own answers (server/modules/risk-questionnaire): a rep
 * no longer types one. Only 合规 (`suitability.correct_level`) sets or corrects a profile by hand.
 */
function assertMayWriteRisk(access: Access, values: Partial<CustomerCreateInput>, current?: CustomerRow): void {
  if (access.permissions.has('suitability.correct_level')) return;
  const before: Partial<CustomerRow> = current ?? { risk_level: null, investor_class: 'ordinary', risk_assessed_on: null, risk_assessment_expires_on: null };
  const changed = Object.entries(riskColumns(values)).some(([column, value]) => (before[column as keyof CustomerRow] ?? null) !== (value ?? null));
  if (changed) throw forbidden('风险等级来自客户本人完成的风险测评问卷，请发送风险测评；如需更正请联系合规', 'risk_profile_forbidden');
}

/** An assessment's validity ends on or after the day it was made (and it was not made in the future). */
function assertRiskDates(values: Partial<CustomerCreateInput>, current?: CustomerRow): void {
  const columns = { ...(current ?? {}), ...riskColumns(values) };
  const assessed = dateOnlyOrNull(columns.risk_assessed_on ?? null);
  const expires = dateOnlyOrNull(columns.risk_assessment_expires_on ?? null);
  if (assessed && expires && expires < assessed) throw invalidField('riskAssessmentExpiresOn', '测评有效期至不能早于测评日期');
  if (values.riskAssessedOn && values.riskAssessedOn > businessDate(new Date())) throw invalidField('riskAssessedOn', '测评日期不能晚于今天');
}

/** The columns a patch sets (undefined fields stay as they are; never the owner: that is a transfer); `phone` already normalised. */
export function customerChanges(patch: Partial<CustomerCreateInput>): Partial<CustomerRow> {
  return { ...columnsOf(CUSTOMER_FIELDS, patch), ...assessmentExpiry(patch) };
}

/** A 居民身份证 number must be one, whichever of its type and number a change sets (the schema checks the two sent together). */
function assertIdNumber(current: CustomerRow, changes: Partial<CustomerRow>): void {
  if (changes.id_type === undefined && changes.id_number === undefined) return;
  const problem = idNumberProblem(
    changes.id_type !== undefined ? changes.id_type : current.id_type,
    changes.id_number !== undefined ? changes.id_number : current.id_number,
  );
  if (problem) throw invalidField('idNumber', problem);
}

/**
 * Applies `changes` to the customer if it is still at `version` (optimistic concurrency: only
 * the version the editor saw may be replaced) and records a stage change. False when stale.
 */
export async function writeCustomerChanges(
  sequelize: Sequelize,
  current: CustomerRow,
  changes: Partial<CustomerRow>,
  version: number,
  by: Actor,
  transaction: Transaction,
): Promise<boolean> {
  assertIdNumber(current, changes);
  if (!(await updateAtVersion(customerModels(sequelize).Customer, current.id, version, changes, transaction))) return false;
  await auditEdit(
    sequelize,
    by,
    { action: 'customer.update', entity: 'customer', entityId: current.id, summary: `修改客户 ${current.name}` },
    current,
    changes,
    transaction,
    CUSTOMER_FIELDS,
  );
  if (changes.level !== undefined && changes.level !== current.level) {
    await enqueueJob(sequelize, levelTagJob(current.id, by.userId), transaction);
  }
  if (changes.lifecycle_stage !== undefined && changes.lifecycle_stage !== current.lifecycle_stage) {
    await recordStageChange(sequelize, { customerId: current.id, from: current.lifecycle_stage, to: changes.lifecycle_stage, by: by.userId }, transaction);
    await audit(
      sequelize,
      by,
      {
        action: 'customer.stage_change',
        entity: 'customer',
        entityId: current.id,
        summary: `客户 ${current.name} 阶段变更`,
        diff: { lifecycle_stage: [current.lifecycle_stage, changes.lifecycle_stage] },
      },
      { transaction },
    );
  }
  return true;
}

export async function updateCustomer(sequelize: Sequelize, caller: Caller, id: number, patch: CustomerUpdateInput): Promise<CustomerView> {
  const current = await loadVisibleCustomer(sequelize, caller.access, id);
  assertMayWriteRisk(caller.access, patch, current);
  assertRiskDates(patch, current);
  await assertDictionaryValues(
    sequelize,
    declaredDictionaryChecks(CUSTOMER_FIELDS, patch, current).filter((c) => c.value !== undefined),
  );
  if (patch.ownerUserId !== undefined || patch.departmentId !== undefined) {
    throw validationFailed('请求参数不正确', [{ field: 'ownerUserId', message: '更换负责人请使用客户转移' }]);
  }
  const phone = phoneField(patch.phone);
  const identityChanged = Boolean(phone) || patch.name !== undefined || patch.institution !== undefined;
  const identity = {
    name: patch.name ?? current.name,
    institution: patch.institution !== undefined ? patch.institution : current.institution,
    phone: phone ?? null,
    exceptId: id,
  };
  const existing = identityChanged ? await findDuplicate(sequelize, identity.name, identity.institution, identity.phone, id) : null;
  if (existing) throw duplicateOf(caller.access, existing, identity.phone, `与已有客户重复：${existing.name}`);
  const updated = await uniquely(sequelize, caller.access, identity, () =>
    sequelize.transaction(async (transaction) => {
      const written = await writeCustomerChanges(sequelize, current, customerChanges({ ...patch, phone }), patch.version, caller.actor, transaction);
      if (written && phone && phone !== current.phone) await phoneChanged(sequelize, id, current.phone, transaction);
      return written;
    }),
  );
  if (!updated) {
    const latest = await loadVisibleCustomer(sequelize, caller.access, id);
    throw conflict('客户已被他人修改，请刷新后重试', { currentVersion: latest.version });
  }
  return getCustomer(sequelize, caller.access, id);
}

/**
 * The level a customer's own answered questionnaire gave (server/modules/risk-questionnaire), in
 * the caller's transaction: level, assessment day and its validity; an ordinary investor stays one.
 * The customer row is locked (version bumped) so a concurrent edit of the profile meets a conflict.
 */
export async function recordAssessedLevel(
  sequelize: Sequelize,
  customerId: number,
  assessment: { level: CustomerRiskLevel; assessedOn: string; expiresOn: string; summary: string; diff: unknown },
  actor: Actor,
  transaction: Transaction,
): Promise<void> {
  const { Customer } = customerModels(sequelize);
  const current = await Customer.findOne({ where: { id: customerId, deleted_at: null }, transaction, lock: transaction.LOCK.UPDATE });
  if (!current) throw notFound('客户不存在或已删除');
  const row = current.get();
  const changes = { risk_level: assessment.level, risk_assessed_on: assessment.assessedOn, risk_assessment_expires_on: assessment.expiresOn };
  if (!(await updateAtVersion(Customer, customerId, row.version, changes, transaction))) throw conflict('客户已被他人修改，请重试');
  await audit(
    sequelize,
    actor,
    { action: 'risk_assessment.complete', entity: 'customer', entityId: customerId, summary: assessment.summary, diff: assessment.diff },
    { transaction },
  );
}

/**
 * 合规 corrects a customer's level by hand (`suitability.correct_level`), with the reason: the
 * assessment dates stay those of the questionnaire the level was corrected from. Audited.
 */
export async function correctRiskLevel(
  sequelize: Sequelize,
  caller: Caller,
  id: number,
  input: { riskLevel: CustomerRiskLevel; reason: string },
): Promise<CustomerView> {
  if (!caller.access.permissions.has('suitability.correct_level')) throw forbidden('只有合规可以更正风险等级', 'risk_profile_forbidden');
  await sequelize.transaction(async (transaction) => {
    const current = await loadVisibleCustomer(sequelize, caller.access, id, transaction);
    if (current.risk_level === input.riskLevel) throw invalidField('riskLevel', '与当前风险等级相同');
    const { Customer } = customerModels(sequelize);
    if (!(await updateAtVersion(Customer, id, current.version, { risk_level: input.riskLevel }, transaction))) throw conflict('客户已被他人修改，请刷新后重试');
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'customer.risk_correct',
        entity: 'customer',
        entityId: id,
        summary: `更正客户 ${current.name} 的风险等级 ${current.risk_level ?? '未测评'} → ${input.riskLevel}：${input.reason}`,
        diff: { risk_level: [current.risk_level, input.riskLevel], reason: input.reason },
      },
      { transaction },
    );
  });
  return getCustomer(sequelize, caller.access, id);
}

/** The customers `ids`, every one inside the caller's scope (404 if any is not). */
export async function visibleCustomers(sequelize: Sequelize, access: Access, ids: readonly number[], transaction?: Transaction): Promise<CustomerRow[]> {
  const { Customer } = customerModels(sequelize);
  const rows = await Customer.findAll({
    where: { [Op.and]: [{ id: { [Op.in]: [...ids] }, deleted_at: null }, scopeWhere(access)] },
    order: [['id', 'ASC']],
    transaction,
  });
  if (rows.length !== new Set(ids).size) throw notFound('部分客户不存在或不在你的数据范围内');
  return rows.map((r) => r.get());
}

/** The live customers `ownerUserId` owns that `access` sees (a member's book, as far as the caller may hand it over). */
export async function customersOwnedBy(sequelize: Sequelize, access: Access, ownerUserId: number, transaction?: Transaction): Promise<CustomerRow[]> {
  const { Customer } = customerModels(sequelize);
  const rows = await Customer.findAll({
    where: { [Op.and]: [{ owner_user_id: ownerUserId, deleted_at: null }, scopeWhere(access)] },
    order: [['id', 'ASC']],
    transaction,
  });
  return rows.map((r) => r.get());
}

/**
 * Hands customers to a new owner (and department): each row's version moves, and who handed
 * whom to whom goes into the owner-change history the timeline shows. Returns the customers
 * whose owner changed.
 */
export async function changeOwner(
  sequelize: Sequelize,
  rows: readonly CustomerRow[],
  to: { userId: number; departmentId: number },
  changedBy: number | null,
  transaction: Transaction,
  now = new Date(),
): Promise<CustomerRow[]> {
  const { Customer } = customerModels(sequelize);
  for (const c of rows) {
    await Customer.update({ owner_user_id: to.userId, department_id: to.departmentId, version: c.version + 1 }, { where: { id: c.id }, transaction });
  }
  const moved = rows.filter((c) => c.owner_user_id !== to.userId);
  if (moved.length) {
    await sequelize.getQueryInterface().bulkInsert(
      'customer_owner_changes',
      moved.map((c) => ({
        customer_id: c.id,
        from_user_id: c.owner_user_id,
        to_user_id: to.userId,
        changed_by: changedBy,
        at: now,
        created_at: now,
        updated_at: now,
      })),
      { transaction },
    );
  }
  return moved;
}

export async function customerViews(sequelize: Sequelize, rows: CustomerRow[]): Promise<CustomerView[]> {
  const owners = await namesById(
    sequelize,
    'users',
    rows.map((r) => r.owner_user_id),
  );
  return rows.map((r) => customerViewOf(r, named(owners, r.owner_user_id)));
}

/** A customer row as the API shows it, its owner's name already known. */
export function customerViewOf(r: CustomerRow, owner: { id: number; name: string }): CustomerView {
  return {
    id: r.id,
    ...viewOf(CUSTOMER_FIELDS, r),
    acquisitionChannel: r.acquisition_channel,
    qualification: qualificationOf(r),
    owner,
    lastFollowUpAt: isoOrNull(r.last_follow_up_at),
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/**
 * Phones and ID numbers masked (138****1234) for a viewer without `customer.view_sensitive`: the
 * list and the customer page answer this; `revealSensitive` gives one value whole, audited. (An
 * export masks by itself: a full one is approved first, server/README.md#customer-data-exports.)
 */
export function maskedFor<T extends Pick<CustomerView, 'phone' | 'idNumber'>>(access: Access, view: T): T & { sensitiveMasked?: boolean } {
  if (access.permissions.has('customer.view_sensitive')) return view;
  return {
    ...view,
    phone: view.phone ? maskIdentifier(view.phone) : view.phone,
    idNumber: view.idNumber ? maskIdentifier(view.idNumber) : view.idNumber,
    sensitiveMasked: Boolean(view.phone || view.idNumber),
  };
}

/** One masked value of a customer in the caller's scope, whole — a click in the H5, audited each time. */
export async function revealSensitive(sequelize: Sequelize, caller: Caller, id: number, field: 'phone' | 'idNumber'): Promise<{ value: string | null }> {
  const row = await loadVisibleCustomer(sequelize, caller.access, id);
  const value = field === 'phone' ? row.phone : row.id_number;
  await audit(sequelize, caller.actor, {
    action: 'customer.reveal',
    entity: 'customer',
    entityId: id,
    summary: `查看客户 ${row.name} 的完整${field === 'phone' ? '手机号' : '证件号码'}`,
    diff: { field },
  });
  return { value: value ?? null };
}

/** The 合格投资者 record of a customer row. */
export function qualificationOf(r: CustomerRow): Qualification {
  return {
    basis: (r.qualification_basis as QualificationBasis | null) ?? null,
    evidenceOn: dateOnlyOrNull(r.qualification_evidence_on ?? null),
    validUntil: dateOnlyOrNull(r.qualification_valid_until ?? null),
  };
}

/** Records (or, with a null basis, clears) a customer's 合格投资者 qualification; audited. */
export async function recordQualification(sequelize: Sequelize, caller: Caller, id: number, input: Qualification): Promise<CustomerView> {
  await sequelize.transaction(async (transaction) => {
    const current = await loadVisibleCustomer(sequelize, caller.access, id, transaction);
    const changes = {
      qualification_basis: input.basis,
      qualification_evidence_on: input.basis ? input.evidenceOn : null,
      qualification_valid_until: input.basis ? input.validUntil : null,
    };
    if (!(await updateAtVersion(customerModels(sequelize).Customer, id, current.version, changes, transaction)))
      throw conflict('客户已被他人修改，请刷新后重试');
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'customer.qualification',
        entity: 'customer',
        entityId: id,
        summary: input.basis
          ? `认定客户 ${current.name} 为合格投资者：${QUALIFICATION_BASES[input.basis]}，有效期至 ${input.validUntil}`
          : `取消客户 ${current.name} 的合格投资者认定`,
        diff: { before: qualificationOf(current), after: input },
      },
      { transaction },
    );
  });
  return getCustomer(sequelize, caller.access, id);
}

/** The suitability view of a customer row. */
export function riskProfileOf(r: CustomerRow): RiskProfile {
  return {
    riskLevel: (r.risk_level as CustomerRiskLevel | null) ?? null,
    investorClass: (r.investor_class as InvestorClass | undefined) ?? 'ordinary',
    riskAssessedOn: dateOnlyOrNull(r.risk_assessed_on),
    riskAssessmentExpiresOn: dateOnlyOrNull(r.risk_assessment_expires_on),
  };
}

/** A linked contact's unionid becomes the customer's, unless it has one already. */
export async function rememberUnionid(sequelize: Sequelize, customerId: number, unionid: string, transaction: Transaction): Promise<void> {
  await customerModels(sequelize).Customer.update({ unionid }, { where: { id: customerId, unionid: null }, transaction });
}
