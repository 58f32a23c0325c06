/**
 * What can be imported: customers and consignment partners here, history in history-kinds.ts,
 * NAVs in nav-kinds.ts. Each kind names its columns, the
 * API schema its rows must pass, how a row is recognised as a record already on file, and how it
 * is written — through the same functions the API uses.
 */
import { Op, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { z } from 'zod';
import { CUSTOMER_FIELDS, customerCreateSchema } from '@shared/customers';
import type { Permission } from '@shared/permissions';
import type { ImportKind, ImportRowError } from '@shared/imports';
import { PARTNER_FIELDS, partnerCreateSchema } from '@shared/partners';
import type { Actor } from '../audit/service';
import { customerModels, type CustomerRow } from '../customers/models';
import { RISK_COLUMNS, customerChanges, insertCustomers, writeCustomerChanges } from '../customers/service';
import { partnerModels, type PartnerRow } from '../partners/models';
import { insertPartners, partnerColumns, writePartnerChanges } from '../partners/service';
import type { Caller, Ownership } from '../roles/ownership';
import { importColumnsOf, type ColumnSpec } from './columns';
import { HISTORY_KINDS } from './history-kinds';
import { NAV_KINDS } from './nav-kinds';
import { OPPORTUNITY_KINDS } from './opportunity-kinds';
import { POOL_KINDS } from './pool-kinds';

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
  /** Whether the row's person column (负责人, 销售人员…) was filled in: blank stands for the importer unless the kind says otherwise. */
  ownerGiven: boolean;
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

/** Last, and left out of templates: only exports fill it. */
const recordId: ColumnSpec = { key: 'id', header: '系统编号', aliases: ['编号', 'id'], type: 'id', sample: '' };

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
  columns: [...importColumnsOf(CUSTOMER_FIELDS), recordId],
  restricted: {
    defaults: { riskLevel: undefined, investorClass: 'ordinary', riskAssessedOn: undefined, riskAssessmentExpiresOn: undefined },
    columns: RISK_COLUMNS,
    // A level comes from the customer's own questionnaire (server/modules/risk-questionnaire): only 合规 types or imports one.
    permission: 'suitability.correct_level',
    message: '风险等级来自客户本人完成的风险测评问卷，只有合规可以导入：风险等级、投资者类别和测评日期这几列请留空或保持原样',
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
  changes: (record, input) => differing(record, customerChanges(input) as Record<string, unknown>),
  update: (sequelize, record, changes, by, transaction) =>
    writeCustomerChanges(sequelize, record as unknown as CustomerRow, changes, record.version, by, transaction),
};

const partners: KindSpec = {
  kind: 'partners',
  noun: '代销机构',
  writePermission: 'partner.write', // POST /api/partners
  columns: [...importColumnsOf(PARTNER_FIELDS), recordId],
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
export const KINDS: Record<ImportKind, KindSpec> = { ...RECORD_KINDS, ...HISTORY_KINDS, ...NAV_KINDS, ...OPPORTUNITY_KINDS, ...POOL_KINDS };
