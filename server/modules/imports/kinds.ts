/**
 * What can be imported: customers and consignment partners here, history in history-kinds.ts,
 * NAVs in nav-kinds.ts. Each kind names its columns, the
 * API schema its rows must pass, how a row is recognised as a record already on file, and how it
 * is written — through the same functions the API uses.
 */
import { Op, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { z } from 'zod';
import { customerCreateSchema } from '@shared/customers';
import type { Permission } from '@shared/permissions';
import { CUSTOMER_RISK_LABELS, INVESTOR_CLASSES } from '@shared/suitability';
import type { ImportKind, ImportRowError } from '@shared/imports';
import { partnerCreateSchema } from '@shared/partners';
import type { Actor } from '../audit/service';
import { customerModels, type CustomerRow } from '../customers/models';
import { customerChanges, insertCustomers, writeCustomerChanges } from '../customers/service';
import { partnerModels, type PartnerRow } from '../partners/models';
import { insertPartners, partnerColumns, writePartnerChanges } from '../partners/service';
import type { Caller, Ownership } from '../roles/ownership';
import type { ColumnSpec } from './columns';
import { HISTORY_KINDS } from './history-kinds';
import { NAV_KINDS } from './nav-kinds';

/** A record already on file that an import row matches. */
export interface OnFile {
  id: number;
  version: number;
  owner_user_id: number;
  department_id: number;
  [column: string]: unknown;
}

/** A checked row before its references are resolved; `problem` names a cell of it. */
export interface ResolvableRow {
  row: number;
  input: Record<string, unknown>;
  problem(field: string, message: string): ImportRowError;
}
export type Resolved = { input: Record<string, unknown> } | { errors: ImportRowError[] };

export interface KindSpec {
  kind: ImportKind;
  /** 客户 / 代销机构. */
  noun: string;
  /**
   * The permission the API path writing this kind requires: an import writes the same records,
   * so it needs it too (运营 holds `import.run` but writes nothing a rep writes).
   */
  writePermission: Permission;
  /**
   * Reference data (NAVs): rows belong to nobody — no owner to resolve, no scope to check (the
   * write permission is the gate) — and a row matching one on file is compared and updated in
   * either mode (a corrected file sent again is how a value is fixed).
   */
  reference?: boolean;
  columns: readonly ColumnSpec[];
  schema: z.ZodType<Record<string, unknown>>;
  /** Values a blank cell of a new record gets. */
  defaults: Record<string, unknown>;
  /** The phone-like fields: normalised, and a bad one is a row error. */
  phoneFields: readonly string[];
  /** Natural keys identifying the record this input describes (`phone:…`, `name:…`), strongest first. */
  identities(input: Record<string, unknown>): string[];
  /** What a key means, for “与第 3 行重复（手机号 138…）”. */
  describe(key: string): string;
  /** Live records matching any of these keys (`id:…` too), by key. */
  onFile(sequelize: Sequelize, keys: string[]): Promise<Map<string, OnFile>>;
  /**
   * History kinds (sales, trades, follow-ups): the row names its customer, product… in words;
   * this turns them into the API's ids — inside the importer's scope — and checks the result with
   * the API schema. A row that cannot be resolved gets its errors.
   */
  resolve?(sequelize: Sequelize, caller: Caller, rows: ResolvableRow[]): Promise<Map<number, Resolved>>;
  /**
   * What only a holder of `permission` may set: input fields with the value a blank would give
   * (`defaults`; `undefined` for none), and the columns they change on a record on file. A row
   * that sets one otherwise is refused with `message`.
   */
  restricted?: { defaults: Record<string, unknown>; columns: readonly string[]; permission: Permission; message: string };
  /** Writes new records (a batch's worth) in one go. */
  insert(
    sequelize: Sequelize,
    rows: { input: Record<string, unknown>; ownership: Ownership }[],
    by: number,
    transaction: Transaction,
    actor: Actor,
    /** The importer, for kinds that write through a module's one path (trades: writeTrade). */
    caller: Caller,
  ): Promise<unknown>;
  /** The columns this input would change on the record (empty: nothing to do). */
  changes(record: OnFile, input: Record<string, unknown>): Record<string, unknown>;
  /** Applies `changes` if the record is still at its version; audited as `by`'s edit. */
  update(sequelize: Sequelize, record: OnFile, changes: Record<string, unknown>, by: Actor, transaction: Transaction): Promise<boolean>;
}

const owner: ColumnSpec = { key: 'owner', header: '负责人', aliases: ['客户经理', '归属人', '所属人员', 'owner'], type: 'owner', sample: '李娜' };
/** The owner's WeCom userid: exports write it so a re-import never trips over two people of one name. */
const ownerAccount: ColumnSpec = {
  key: 'ownerAccount',
  header: '负责人账号',
  aliases: ['负责人企业微信账号', '企业微信账号', 'owner userid', 'owner account'],
  type: 'owner',
  sample: '',
};
/** Last, and left out of templates: only exports fill it. */
const recordId: ColumnSpec = { key: 'id', header: '系统编号', aliases: ['编号', 'id'], type: 'id', sample: '' };
const notes: ColumnSpec = { key: 'notes', header: '备注', aliases: ['说明', 'notes', 'note', 'remark', 'remarks'], type: 'text', sample: '' };

/** Keys are `kind:value`; the values are compared exactly as stored. */
export const key = (kind: string, ...parts: unknown[]) => `${kind}:${parts.map(String).join('|')}`;
const idsIn = (keys: string[]) => keys.filter((k) => k.startsWith('id:')).map((k) => k.slice(3));
const CHUNK = 400;

async function recordsWhere<T extends OnFile>(find: (where: WhereOptions) => Promise<T[]>, column: string, values: string[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += CHUNK) out.push(...(await find({ [column]: { [Op.in]: values.slice(i, i + CHUNK) }, deleted_at: null })));
  return out;
}

/** The values a record would change to; unchanged and untouched columns left out. */
function differing(record: OnFile, columns: Record<string, unknown>): Record<string, unknown> {
  const same = (a: unknown, b: unknown) => String(a ?? '') === String(b ?? '');
  return Object.fromEntries(Object.entries(columns).filter(([column, value]) => !same(record[column], value)));
}

/** The lowest id wins when several records share a key (the oldest is the one people know). */
function byKey<T extends OnFile>(records: T[], keysOf: (r: T) => string[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const r of [...records].sort((a, b) => a.id - b.id)) for (const k of keysOf(r)) if (!out.has(k)) out.set(k, r);
  return out;
}

const customers: KindSpec = {
  kind: 'customers',
  noun: '客户',
  writePermission: 'customer.write', // POST /api/customers
  columns: [
    {
      key: 'name',
      header: '客户名称',
      aliases: ['客户姓名', '姓名', '名称', '客户', 'name', 'customer', 'customer name'],
      required: true,
      type: 'text',
      sample: '张伟',
    },
    { key: 'type', header: '客户类型', aliases: ['类型', 'type', 'customer type'], type: 'dictionary', dictionary: 'customer_type', sample: '个人' },
    {
      key: 'phone',
      header: '手机号',
      aliases: ['手机', '手机号码', '电话', '联系电话', 'mobile', 'phone', 'phone number'],
      type: 'text',
      sample: '13800138000',
    },
    { key: 'email', header: '邮箱', aliases: ['电子邮箱', '邮件', 'email', 'e-mail'], type: 'text', fold: true, sample: 'zhangwei@example.com' },
    {
      key: 'institution',
      header: '单位/机构',
      aliases: ['单位', '机构', '公司', '工作单位', '所属机构', 'company', 'institution', 'organization'],
      type: 'text',
      sample: '上海某某科技有限公司',
    },
    { key: 'title', header: '职务', aliases: ['职位', 'title', 'position', 'job title'], type: 'text', sample: '财务总监' },
    {
      key: 'lifecycleStage',
      header: '客户阶段',
      aliases: ['生命周期阶段', '阶段', 'stage', 'lifecycle stage'],
      type: 'dictionary',
      dictionary: 'lifecycle_stage',
      sample: '意向',
    },
    { key: 'source', header: '客户来源', aliases: ['来源', 'source'], type: 'dictionary', dictionary: 'customer_source', sample: '转介绍' },
    { key: 'level', header: '客户等级', aliases: ['等级', 'level'], type: 'dictionary', dictionary: 'customer_level', sample: '重要' },
    { key: 'status', header: '客户状态', aliases: ['状态', 'status'], type: 'dictionary', dictionary: 'customer_status', sample: '正常' },
    {
      key: 'riskLevel',
      header: '风险等级',
      aliases: ['风险承受能力', '风险测评等级', 'risk level'],
      type: 'choice',
      choices: CUSTOMER_RISK_LABELS,
      sample: 'C3',
    },
    { key: 'investorClass', header: '投资者类别', aliases: ['投资者分类', 'investor class'], type: 'choice', choices: INVESTOR_CLASSES, sample: '普通投资者' },
    { key: 'riskAssessedOn', header: '测评日期', aliases: ['风险测评日期', 'assessed on'], type: 'date', sample: '2026-03-01' },
    { key: 'riskAssessmentExpiresOn', header: '测评有效期至', aliases: ['测评到期日', '有效期至', 'assessment expires on'], type: 'date', sample: '' },
    owner,
    ownerAccount,
    notes,
    recordId,
  ],
  restricted: {
    defaults: { riskLevel: undefined, investorClass: 'ordinary', riskAssessedOn: undefined, riskAssessmentExpiresOn: undefined },
    columns: ['risk_level', 'investor_class', 'risk_assessed_on', 'risk_assessment_expires_on'],
    permission: 'customer.risk',
    message: '没有录入风险测评的权限：风险等级、投资者类别和测评日期这几列请留空或保持原样',
  },
  schema: customerCreateSchema as unknown as z.ZodType<Record<string, unknown>>,
  defaults: { type: 'individual', source: 'import' },
  phoneFields: ['phone'],
  identities: (input) => [...(input.phone ? [key('phone', input.phone)] : []), ...(input.institution ? [key('name', input.name, input.institution)] : [])],
  describe: (k) => (k.startsWith('phone:') ? `手机号 ${k.slice(6)}` : `客户名称+单位 ${k.slice(5).replace('|', ' / ')}`),
  async onFile(sequelize, keys) {
    const { Customer } = customerModels(sequelize);
    const find = async (where: WhereOptions) => (await Customer.findAll({ where })).map((r) => r.get() as CustomerRow & OnFile);
    const phones = keys.filter((k) => k.startsWith('phone:')).map((k) => k.slice(6));
    const names = [...new Set(keys.filter((k) => k.startsWith('name:')).map((k) => k.slice(5).split('|')[0]!))];
    const records = [
      ...(await recordsWhere(find, 'id', idsIn(keys))),
      ...(await recordsWhere(find, 'phone', phones)),
      ...(await recordsWhere(find, 'name', names)),
    ];
    return byKey(records, (r) => [
      key('id', r.id),
      ...(r.phone ? [key('phone', r.phone)] : []),
      ...(r.institution ? [key('name', r.name, r.institution)] : []),
    ]);
  },
  insert: (sequelize, rows, by, transaction) =>
    insertCustomers(
      sequelize,
      rows.map(({ input, ownership }) => ({
        values: { ...(input as z.infer<typeof customerCreateSchema>), phone: (input.phone as string | undefined) ?? null },
        ownership,
      })),
      by,
      transaction,
    ),
  changes: (record, input) => differing(record, customerChanges(input, input.phone as string | undefined) as Record<string, unknown>),
  update: (sequelize, record, changes, by, transaction) =>
    writeCustomerChanges(sequelize, record as unknown as CustomerRow, changes, record.version, by, transaction),
};

const partners: KindSpec = {
  kind: 'partners',
  noun: '代销机构',
  writePermission: 'partner.write', // POST /api/partners
  columns: [
    {
      key: 'name',
      header: '机构名称',
      aliases: ['代销机构', '机构', '名称', 'name', 'partner', 'partner name'],
      required: true,
      type: 'text',
      sample: '某某银行上海分行',
    },
    {
      key: 'type',
      header: '机构类型',
      aliases: ['类型', 'type', 'partner type'],
      required: true,
      type: 'dictionary',
      dictionary: 'partner_type',
      sample: '银行',
    },
    { key: 'status', header: '合作状态', aliases: ['状态', 'status'], type: 'dictionary', dictionary: 'partner_status', sample: '洽谈中' },
    {
      key: 'creditCode',
      header: '统一社会信用代码',
      aliases: ['信用代码', '社会信用代码', 'credit code', 'uscc'],
      type: 'text',
      fold: true,
      sample: '91310000MA1FL4XQ3K',
    },
    { key: 'contactName', header: '联系人', aliases: ['联系人姓名', 'contact', 'contact name'], type: 'text', sample: '王芳' },
    { key: 'contactPhone', header: '联系电话', aliases: ['电话', '手机号', '手机', 'phone', 'contact phone'], type: 'text', sample: '021-68888888' },
    { key: 'address', header: '地址', aliases: ['办公地址', 'address'], type: 'text', sample: '上海市浦东新区世纪大道 100 号' },
    { key: 'agreementSignedOn', header: '签约日期', aliases: ['协议签署日期', '签署日期', 'signed on', 'agreement date'], type: 'date', sample: '2026-03-01' },
    owner,
    ownerAccount,
    notes,
    recordId,
  ],
  schema: partnerCreateSchema as unknown as z.ZodType<Record<string, unknown>>,
  defaults: {},
  phoneFields: ['contactPhone'],
  identities: (input) => [...(input.creditCode ? [key('credit', input.creditCode)] : []), key('name', input.name)],
  describe: (k) => (k.startsWith('credit:') ? `统一社会信用代码 ${k.slice(7)}` : `机构名称 ${k.slice(5)}`),
  async onFile(sequelize, keys) {
    const { Partner } = partnerModels(sequelize);
    const find = async (where: WhereOptions) => (await Partner.findAll({ where })).map((r) => r.get() as PartnerRow & OnFile);
    const codes = keys.filter((k) => k.startsWith('credit:')).map((k) => k.slice(7));
    const names = keys.filter((k) => k.startsWith('name:')).map((k) => k.slice(5));
    const records = [
      ...(await recordsWhere(find, 'id', idsIn(keys))),
      ...(await recordsWhere(find, 'credit_code', codes)),
      ...(await recordsWhere(find, 'name', names)),
    ];
    return byKey(records, (r) => [key('id', r.id), ...(r.credit_code ? [key('credit', r.credit_code)] : []), key('name', r.name)]);
  },
  insert: (sequelize, rows, by, transaction) =>
    insertPartners(
      sequelize,
      rows.map(({ input, ownership }) => ({ values: input as z.infer<typeof partnerCreateSchema>, ownership })),
      by,
      transaction,
    ),
  changes: (record, input) => differing(record, partnerColumns(input) as Record<string, unknown>),
  update: (sequelize, record, changes, by, transaction) =>
    writePartnerChanges(sequelize, record as unknown as PartnerRow, changes, record.version, by, transaction),
};

/** The kinds that are records of their own (exportable, updatable). */
export const RECORD_KINDS = { customers, partners };
export const KINDS: Record<ImportKind, KindSpec> = { ...RECORD_KINDS, ...HISTORY_KINDS, ...NAV_KINDS };
