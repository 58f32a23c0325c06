/**
 * History imports: sales, holding trades and follow-ups from a spreadsheet, under the same rules
 * as the record imports (template, dry run, a named error per row and column, one transaction per
 * batch). A row names its customer the way people do — 系统编号, else 手机号, else 客户名称 (unique
 * in the importer's scope) — and its product by 产品代码 or name; only customers, partners and
 * people inside the importer's scope are found (a foreign key is scope-checked like any read).
 * A row identical to one already on file (same customer, product, day, amount…) is a duplicate
 * and skipped, so importing the same file twice records nothing twice.
 */
// Raw SQL on other modules' tables, on purpose: history imports plan a batch of rows at a time: set-based
// reads of the batch's customers, trades and follow-ups instead of a module call per row. Trades are
// written through the ledger (trades/ledger.ts writeTrade), one row after the other, like any other door.
import { createHash } from 'node:crypto';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import { followUpCreateSchema } from '@shared/follow-ups';
import { optionalLongText, optionalText, text } from '@shared/fields';
import { toHundredths } from '@shared/money';
import { normalizePhone } from '@shared/phone';
import type { ImportRowError } from '@shared/imports';
import { TRADE_KINDS, holdingTradeSchema, type HoldingTradeInput, type TradeKind } from '@shared/ledger';
import { PERMISSIONS } from '@shared/permissions';
import { qualificationRefusal, type Qualification, type QualifiedProductTerms } from '@shared/qualification';
import { businessDate } from '@shared/time';
import { SALE_CHANNELS, saleCreateSchema, type SaleInput } from '@shared/sales';
import type { RiskProfile } from '@shared/suitability';
import { sqlList } from '../../db/dialect';
import { dateOnlyOrNull } from '../../db/lookup';
import { customerModels } from '../customers/models';
import { qualificationOf, riskProfileOf } from '../customers/service';
import { customerFollowUpSubject } from '../customers/follow-up-subject';
import { insertFollowUp } from '../follow-ups/service';
import { partnerModels } from '../partners/models';
import { productModels } from '../products/models';
import { scopeWhere, type Access } from '../roles/access';
import type { Caller } from '../roles/ownership';
import { buySuitability, productRefusal, productTermsOf, writeTrade } from '../trades/ledger';
import type { ColumnSpec } from './columns';
import type { KindSpec, OnFile, Resolved, ResolvableRow } from './kinds';

const key = (kind: string, ...parts: unknown[]) => `${kind}:${parts.map(String).join('|')}`;

// ---- columns shared by the three kinds ---------------------------------------------------------

/** The columns naming a row's customer: at least one of them (customerRefFields, hasCustomer). */
export const customerColumns: ColumnSpec[] = [
  { key: 'customerName', header: '客户名称', aliases: ['客户姓名', '客户', '姓名', 'customer', 'customer name'], type: 'text', sample: '张伟' },
  { key: 'customerPhone', header: '客户手机号', aliases: ['手机号', '手机', '客户手机', 'mobile', 'phone'], type: 'text', sample: '13800138000' },
  { key: 'customerNumber', header: '客户系统编号', aliases: ['客户编号', 'customer id'], type: 'text', sample: '' },
];
export const productRef: ColumnSpec = {
  key: 'product',
  header: '产品代码',
  aliases: ['产品', '产品名称', '产品编码', 'product', 'product code'],
  required: true,
  type: 'text',
  fold: true,
  sample: 'PF0001',
};
const amount = (header: string): ColumnSpec => ({
  key: 'amount',
  header,
  aliases: ['金额', '金额（元）', 'amount'],
  required: true,
  type: 'text',
  sample: '100000',
});
const notes: ColumnSpec = { key: 'notes', header: '备注', aliases: ['说明', 'notes', 'remark'], type: 'text', sample: '' };
const person = (header: string, aliases: string[]): ColumnSpec => ({ key: 'owner', header, aliases, type: 'owner', sample: '李娜' });

/** What a row says about its customer: at least one of the three. */
export const customerRefFields = {
  customerName: optionalText(128),
  customerPhone: optionalText(40),
  customerNumber: optionalText(12),
};
export const hasCustomer = (r: { customerName?: string | null; customerPhone?: string | null; customerNumber?: string | null }) =>
  Boolean(r.customerName || r.customerPhone || r.customerNumber);
export const customerRule = { message: '请填写客户名称、客户手机号或客户系统编号', path: ['customerName'] };

/** `1,000.50` → 1000.5; anything else is left for the API schema to explain. */
export function amountOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const cleaned = value.normalize('NFKC').replace(/[,\s元¥￥]/g, '');
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : value;
}

// ---- resolving names to ids, inside the importer's scope --------------------------------------

export interface FoundCustomer {
  id: number;
  ownerUserId: number;
  departmentId: number;
  profile: RiskProfile;
  qualification: Qualification;
}

/** The customers rows name, by 系统编号, 手机号 or name (the importer's scope only); per row a customer or a message. */
export async function resolveCustomers(sequelize: Sequelize, access: Access, rows: ResolvableRow[]): Promise<Map<number, FoundCustomer | string>> {
  const { Customer } = customerModels(sequelize);
  const numbers = rows.map((r) => Number(r.input.customerNumber)).filter((n) => Number.isInteger(n) && n > 0);
  const phones = rows.map((r) => normalizePhone(String(r.input.customerPhone ?? ''))).filter((p): p is string => Boolean(p));
  const names = rows.map((r) => r.input.customerName).filter((n): n is string => typeof n === 'string' && n.length > 0);
  const or = [
    ...(numbers.length ? [{ id: { [Op.in]: numbers } }] : []),
    ...(phones.length ? [{ phone: { [Op.in]: phones } }] : []),
    ...(names.length ? [{ name: { [Op.in]: [...new Set(names)] } }] : []),
  ];
  const found = or.length
    ? (await Customer.findAll({ where: { [Op.and]: [{ deleted_at: null }, scopeWhere(access), { [Op.or]: or }] } })).map((c) => c.get())
    : [];
  const byId = new Map(found.map((c) => [c.id, c]));
  const out = new Map<number, FoundCustomer | string>();
  for (const r of rows) {
    const phone = normalizePhone(String(r.input.customerPhone ?? ''));
    let matches = r.input.customerNumber
      ? [byId.get(Number(r.input.customerNumber))].filter((c) => c !== undefined)
      : phone
        ? found.filter((c) => c.phone === phone)
        : found.filter((c) => c.name === r.input.customerName);
    // A name given with the number or phone must agree with it.
    if (matches.length && r.input.customerName && (r.input.customerNumber || phone)) matches = matches.filter((c) => c.name === r.input.customerName);
    if (matches.length === 1) {
      const c = matches[0]!;
      out.set(r.row, { id: c.id, ownerUserId: c.owner_user_id, departmentId: c.department_id, profile: riskProfileOf(c), qualification: qualificationOf(c) });
    } else if (matches.length > 1) out.set(r.row, `有 ${matches.length} 位同名客户，请填写客户手机号或客户系统编号`);
    else out.set(r.row, '找不到这位客户，或客户不在你的数据范围内（客户名称与手机号、系统编号需一致）');
  }
  return out;
}

/** Products by code, else by name; a name two products share is ambiguous. */
interface FoundProduct {
  id: number;
  name: string;
  status: string;
  riskLevel: string;
  terms: QualifiedProductTerms;
}

/**
 * What the ledger would refuse of a buy row (trades/ledger.ts writeTrade, the same rules), as the
 * row's errors, so a dry run shows them and a commit skips the row instead of failing its batch:
 * a buy is a sale (sales.write), on a product on sale, suiting the customer's assessment today. A
 * history import records no suitability exception: a mismatch is the row's error.
 */
function buyProblems(r: ResolvableRow, caller: Caller, customer: FoundCustomer, product: FoundProduct): ImportRowError[] {
  if (!caller.access.permissions.has('sales.write')) return [r.problem('tradeKind', `申购即销售，需要「${PERMISSIONS['sales.write']}」权限`)];
  const refusal = productRefusal('buy', product.status);
  if (refusal) return [r.problem('product', refusal)];
  const verdict = buySuitability(customer.profile, product.riskLevel);
  if (!verdict.ok) return [r.problem('product', verdict.message)];
  // 合格投资者 and 最低认购金额 (trades/ledger.ts assertQualified): the row's amount as the write would read it.
  const amount = amountOf(r.input.amount);
  const unqualified = typeof amount === 'number' ? qualificationRefusal(customer.qualification, product.terms, amount, businessDate(new Date())) : null;
  return unqualified ? [r.problem(unqualified.problem === 'below_minimum' ? 'amount' : 'product', unqualified.message)] : [];
}

async function resolveProducts(sequelize: Sequelize, refs: string[]): Promise<Map<string, FoundProduct | string>> {
  const wanted = [...new Set(refs)];
  const rows = wanted.length
    ? (await productModels(sequelize).Product.findAll({ where: { [Op.or]: [{ code: { [Op.in]: wanted } }, { name: { [Op.in]: wanted } }] } })).map((p) =>
        p.get(),
      )
    : [];
  const out = new Map<string, FoundProduct | string>();
  for (const ref of wanted) {
    const byCode = rows.find((p) => p.code === ref);
    const byName = rows.filter((p) => p.name === ref);
    const p = byCode ?? (byName.length === 1 ? byName[0] : undefined);
    out.set(
      ref,
      p
        ? { id: p.id, name: p.name, status: p.status, riskLevel: p.risk_level, terms: productTermsOf(p) }
        : byName.length > 1
          ? `有 ${byName.length} 个同名产品，请填写产品代码`
          : `找不到产品「${ref}」：请填写产品代码`,
    );
  }
  return out;
}

/**
 * The customer and the product each row names (the importer's scope only), resolved for all rows at
 * once; per row the two, each a match or a message, and those messages as the row's first errors.
 */
export async function resolveCustomersAndProducts(
  sequelize: Sequelize,
  access: Access,
  rows: ResolvableRow[],
): Promise<(r: ResolvableRow) => { customer: FoundCustomer | string; product: FoundProduct | string; errors: ImportRowError[] }> {
  const [customers, products] = await Promise.all([
    resolveCustomers(sequelize, access, rows),
    resolveProducts(
      sequelize,
      rows.map((r) => String(r.input.product)),
    ),
  ]);
  return (r) => {
    const customer = customers.get(r.row)!;
    const product = products.get(String(r.input.product))!;
    const errors = [
      ...(typeof customer === 'string' ? [r.problem('customerName', customer)] : []),
      ...(typeof product === 'string' ? [r.problem('product', product)] : []),
    ];
    return { customer, product, errors };
  };
}

/** Every issue of an API schema as a row error on the field it concerns (or the customer column). */
function apiIssues(row: ResolvableRow, error: z.ZodError, fieldOf: (path: string) => string): Resolved {
  return { errors: error.issues.map((i) => row.problem(fieldOf(String(i.path[0] ?? '')), i.message)) };
}

/** The parts each history kind fills in; the rest of a KindSpec is the same for all three. */
export function historyKind(
  spec: Pick<KindSpec, 'kind' | 'noun' | 'writePermission' | 'columns' | 'schema' | 'resolve' | 'identities' | 'describe' | 'onFile' | 'insert'>,
): KindSpec {
  return {
    defaults: {},
    phoneFields: ['customerPhone'],
    // A history row is never updated: one on file is a duplicate (skipped).
    changes: () => ({}),
    update: async () => false,
    ...spec,
  };
}

/** Records on file by their natural keys, as OnFile (scope-checked by the planner against the record's owner). */
export function onFileOf(rows: { key: string; id: number; owner: number; department: number }[]): Map<string, OnFile> {
  return new Map(rows.map((r) => [r.key, { id: r.id, version: 1, owner_user_id: r.owner, department_id: r.department }]));
}

export const idsOfKeys = (keys: string[], prefix: string) => [
  ...new Set(keys.filter((k) => k.startsWith(`${prefix}:`)).map((k) => Number(k.slice(prefix.length + 1).split('|')[0]))),
];

// ---- 销售记录 ----------------------------------------------------------------------------------

const channelOf = (value: unknown) => {
  const text = String(value ?? '').trim();
  const entry = Object.entries(SALE_CHANNELS).find(([code, label]) => text === code || text === label);
  return entry ? entry[0] : text || 'direct';
};

const sales = historyKind({
  kind: 'sales',
  noun: '销售记录',
  writePermission: 'sales.write', // POST /api/sales
  columns: [
    ...customerColumns,
    productRef,
    amount('销售金额（元）'),
    { key: 'soldOn', header: '销售日期', aliases: ['日期', '成交日期', 'sold on', 'date'], required: true, type: 'date', sample: '2026-03-01' },
    { key: 'channel', header: '销售渠道', aliases: ['渠道', 'channel'], type: 'text', sample: '直销' },
    { key: 'partner', header: '代销机构', aliases: ['机构', 'partner'], type: 'text', sample: '' },
    person('销售人员', ['客户经理', '销售', 'rep']),
    notes,
  ],
  schema: z
    .object({
      ...customerRefFields,
      product: text(64).min(1, '请填写产品代码'),
      amount: z.unknown().optional(),
      soldOn: z.string(),
      channel: z.unknown().optional(),
      partner: optionalText(128),
      notes: optionalLongText(512),
    })
    .refine(hasCustomer, customerRule) as unknown as z.ZodType<Record<string, unknown>>,
  async resolve(sequelize, caller, rows) {
    const [refsOf, partners] = await Promise.all([
      resolveCustomersAndProducts(sequelize, caller.access, rows),
      partnersByName(
        sequelize,
        caller.access,
        rows.map((r) => r.input.partner).filter((p): p is string => typeof p === 'string' && p.length > 0),
      ),
    ]);
    const out = new Map<number, Resolved>();
    for (const r of rows) {
      const { customer, product, errors } = refsOf(r);
      const partner = r.input.partner ? partners.get(String(r.input.partner)) : null;
      if (partner === undefined) errors.push(r.problem('partner', '找不到这个代销机构，或机构不在你的数据范围内'));
      if (typeof customer !== 'string' && typeof product !== 'string') errors.push(...buyProblems(r, caller, customer, product));
      if (errors.length) {
        out.set(r.row, { errors });
        continue;
      }
      const parsed = saleCreateSchema.safeParse({
        customerId: (customer as FoundCustomer).id,
        productId: (product as { id: number }).id,
        amount: amountOf(r.input.amount),
        soldOn: r.input.soldOn,
        channel: channelOf(r.input.channel),
        partnerId: partner ?? null,
        notes: r.input.notes ?? null,
        // A blank 销售人员 credits the customer's owner, as the API and the H5 form do — not whoever imports.
        ...(r.ownerGiven ? {} : { repUserId: (customer as FoundCustomer).ownerUserId }),
      });
      out.set(
        r.row,
        parsed.success
          ? { input: parsed.data as unknown as Record<string, unknown> }
          : apiIssues(r, parsed.error, (f) => ({ partnerId: 'partner', customerId: 'customerName', productId: 'product' })[f] ?? f),
      );
    }
    return out;
  },
  identities: (i) => [key('sale', i.customerId, i.productId, i.soldOn, toHundredths(i.amount as number), i.channel)],
  describe: () => '同一客户、产品、日期、金额和渠道',
  async onFile(sequelize, keys) {
    const customerIds = idsOfKeys(keys, 'sale');
    if (!customerIds.length) return new Map();
    const rows = await sequelize.query<{
      id: number;
      customer_id: number;
      product_id: number;
      sold_on: string | Date;
      amount_fen: number;
      channel: string;
      rep_user_id: number;
      department_id: number;
    }>(
      `SELECT id, customer_id, product_id, traded_on AS sold_on, amount_fen, channel, rep_user_id, department_id FROM trades
        WHERE kind = 'buy' AND voided_at IS NULL AND customer_id IN (${sqlList(customerIds)})`,
      { replacements: customerIds, type: QueryTypes.SELECT },
    );
    return onFileOf(
      rows.map((s) => ({
        key: key('sale', s.customer_id, s.product_id, dateOnlyOrNull(s.sold_on), Number(s.amount_fen), s.channel),
        id: Number(s.id),
        owner: Number(s.rep_user_id),
        department: Number(s.department_id),
      })),
    );
  },
  async insert(sequelize, rows, _by, transaction, _actor, caller) {
    for (const { input, ownership } of rows) {
      const { soldOn, ...sale } = input as unknown as SaleInput;
      const credit = sale.repUserId ? {} : { repUserId: ownership.ownerUserId, departmentId: ownership.departmentId };
      await writeTrade(sequelize, caller, { kind: 'buy', ...sale, tradedOn: soldOn, ...credit }, transaction);
    }
  },
});

async function partnersByName(sequelize: Sequelize, access: Access, names: string[]): Promise<Map<string, number>> {
  if (!names.length) return new Map();
  const rows = await partnerModels(sequelize).Partner.findAll({
    where: { [Op.and]: [{ deleted_at: null, name: { [Op.in]: [...new Set(names)] } }, scopeWhere(access)] },
  });
  return new Map(rows.map((p) => [p.get().name, p.get().id]));
}

// ---- 持仓交易 ----------------------------------------------------------------------------------

const tradeKindOf = (value: unknown) => {
  const text = String(value ?? '').trim();
  const entry = Object.entries(TRADE_KINDS).find(([code, label]) => text === code || text === label);
  return entry ? entry[0] : text;
};

const holdingRecords = historyKind({
  kind: 'holding_records',
  noun: '持仓交易',
  writePermission: 'customer.write', // POST /api/customers/:id/holding-records
  columns: [
    ...customerColumns,
    productRef,
    { key: 'tradeKind', header: '交易类型', aliases: ['类型', '业务类型', 'kind', 'type'], required: true, type: 'text', sample: '申购' },
    amount('交易金额（元）'),
    { key: 'shares', header: '份额', aliases: ['交易份额', 'shares'], type: 'text', sample: '' },
    { key: 'tradedOn', header: '交易日期', aliases: ['日期', '确认日期', 'traded on', 'date'], required: true, type: 'date', sample: '2026-03-01' },
    person('经办人', ['客户经理', '录入人', 'user']),
    notes,
  ],
  schema: z
    .object({
      ...customerRefFields,
      product: text(64).min(1, '请填写产品代码'),
      tradeKind: z.unknown().optional(),
      amount: z.unknown().optional(),
      shares: z.unknown().optional(),
      tradedOn: z.string(),
      notes: optionalLongText(512),
    })
    .refine(hasCustomer, customerRule) as unknown as z.ZodType<Record<string, unknown>>,
  async resolve(sequelize, caller, rows) {
    const refsOf = await resolveCustomersAndProducts(sequelize, caller.access, rows);
    const out = new Map<number, Resolved>();
    for (const r of rows) {
      const { customer, product, errors } = refsOf(r);
      const kind = tradeKindOf(r.input.tradeKind);
      if (!(kind in TRADE_KINDS)) errors.push(r.problem('tradeKind', `交易类型应为${Object.values(TRADE_KINDS).join('、')}`));
      if (typeof customer !== 'string' && typeof product !== 'string' && kind === 'buy') errors.push(...buyProblems(r, caller, customer, product));
      const refusal = typeof product !== 'string' && kind !== 'buy' && kind in TRADE_KINDS ? productRefusal(kind as TradeKind, product.status) : null;
      if (refusal) errors.push(r.problem('product', refusal));
      if (errors.length) {
        out.set(r.row, { errors });
        continue;
      }
      const signed = kind === 'adjust';
      const parsed = holdingTradeSchema.safeParse({
        kind,
        productId: (product as { id: number }).id,
        ...(r.input.amount !== undefined ? { [signed ? 'cost' : 'amount']: amountOf(r.input.amount) } : {}),
        ...(r.input.shares !== undefined ? { shares: amountOf(r.input.shares) } : {}),
        tradedOn: r.input.tradedOn,
        notes: r.input.notes ?? null,
      });
      out.set(
        r.row,
        parsed.success
          ? { input: { ...parsed.data, customerId: (customer as FoundCustomer).id, productName: (product as { name: string }).name } }
          : apiIssues(r, parsed.error, (f) => ({ productId: 'product', kind: 'tradeKind' })[f] ?? f),
      );
    }
    return out;
  },
  identities: (i) => [key('trade', i.customerId, i.productId, i.kind, i.tradedOn, toHundredths(Math.abs(i.amount as number)))],
  describe: () => '同一客户、产品、类型、日期和金额',
  async onFile(sequelize, keys) {
    const customerIds = idsOfKeys(keys, 'trade');
    if (!customerIds.length) return new Map();
    const rows = await sequelize.query<{
      id: number;
      customer_id: number;
      product_id: number;
      kind: string;
      traded_on: string | Date;
      amount_delta_fen: number;
      owner: number;
      department: number;
    }>(
      `SELECT t.id, t.customer_id, t.product_id, t.kind, t.traded_on, t.amount_fen AS amount_delta_fen, c.owner_user_id AS owner, c.department_id AS department
         FROM trades t JOIN customers c ON c.id = t.customer_id
        WHERE t.voided_at IS NULL AND t.customer_id IN (${sqlList(customerIds)})`,
      { replacements: customerIds, type: QueryTypes.SELECT },
    );
    return onFileOf(
      rows.map((t) => ({
        key: key('trade', t.customer_id, t.product_id, t.kind, dateOnlyOrNull(t.traded_on), Math.abs(Number(t.amount_delta_fen))),
        id: Number(t.id),
        owner: Number(t.owner),
        department: Number(t.department),
      })),
    );
  },
  async insert(sequelize, rows, _by, transaction, _actor, caller) {
    // In file order: a redemption applies to what the rows above it bought.
    for (const { input } of rows) {
      const { customerId, productName: _name, ...trade } = input as unknown as HoldingTradeInput & { customerId: number; productName: string };
      await writeTrade(sequelize, caller, { ...trade, customerId }, transaction);
    }
  },
});

// ---- 跟进记录 ----------------------------------------------------------------------------------

/** `2026-03-01 14:30`, `2026/3/1 14:30`, a date alone (noon, China time) or an Excel date-time serial. */
function followedAtOf(value: unknown): Date | null {
  const text = String(value ?? '')
    .normalize('NFKC')
    .trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const days = Number(text);
    if (days < 1 || days > 2_958_465) return null;
    // Excel serials are wall-clock time; the sheet is China time.
    return new Date(Date.UTC(1899, 11, 30) + Math.round(days * 86_400_000) - 8 * 3_600_000);
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$/.exec(text);
  if (!m) return null;
  const pad = (s: string | undefined, d = '00') => (s ?? d).padStart(2, '0');
  const at = new Date(`${m[1]}-${pad(m[2])}-${pad(m[3])}T${pad(m[4], '12')}:${pad(m[5])}:${pad(m[6])}+08:00`);
  return Number.isNaN(at.getTime()) ? null : at;
}

const contentHash = (content: unknown) => createHash('sha256').update(String(content)).digest('hex').slice(0, 16);

const followUps = historyKind({
  kind: 'follow_ups',
  noun: '跟进记录',
  writePermission: 'customer.write', // POST /api/customers/:id/follow-ups
  columns: [
    ...customerColumns,
    {
      key: 'followedAt',
      header: '跟进时间',
      aliases: ['时间', '跟进日期', '日期', 'followed at', 'date'],
      required: true,
      type: 'text',
      sample: '2026-03-01 14:30',
    },
    {
      key: 'channel',
      header: '跟进方式',
      aliases: ['方式', '渠道', 'channel'],
      required: true,
      type: 'dictionary',
      dictionary: 'follow_up_channel',
      sample: '电话',
    },
    { key: 'content', header: '跟进内容', aliases: ['内容', '记录', 'content'], required: true, type: 'text', sample: '电话回访，客户对收益满意' },
    { key: 'outcome', header: '跟进结果', aliases: ['结果', 'outcome'], type: 'text', sample: '' },
    person('跟进人', ['客户经理', '记录人', 'author']),
  ],
  schema: z
    .object({ ...customerRefFields, followedAt: z.unknown().optional(), channel: z.string(), content: z.string(), outcome: optionalLongText(512) })
    .refine(hasCustomer, customerRule) as unknown as z.ZodType<Record<string, unknown>>,
  async resolve(sequelize, caller, rows) {
    const customers = await resolveCustomers(sequelize, caller.access, rows);
    const now = Date.now();
    const out = new Map<number, Resolved>();
    for (const r of rows) {
      const customer = customers.get(r.row)!;
      const followedAt = followedAtOf(r.input.followedAt);
      const errors = [
        ...(typeof customer === 'string' ? [r.problem('customerName', customer)] : []),
        ...(followedAt ? [] : [r.problem('followedAt', '跟进时间格式不正确，应为 2026-03-01 14:30 或 2026-03-01')]),
        ...(followedAt && followedAt.getTime() > now ? [r.problem('followedAt', '跟进时间不能晚于现在')] : []),
      ];
      if (errors.length) {
        out.set(r.row, { errors });
        continue;
      }
      const parsed = followUpCreateSchema.safeParse({
        followedAt: followedAt!,
        channel: r.input.channel,
        content: r.input.content,
        outcome: r.input.outcome ?? null,
      });
      out.set(r.row, parsed.success ? { input: { ...parsed.data, customerId: (customer as FoundCustomer).id } } : apiIssues(r, parsed.error, (f) => f));
    }
    return out;
  },
  identities: (i) => [key('followup', i.customerId, (i.followedAt as Date).toISOString(), contentHash(i.content))],
  describe: () => '同一客户、跟进时间和内容',
  async onFile(sequelize, keys) {
    const customerIds = idsOfKeys(keys, 'followup');
    if (!customerIds.length) return new Map();
    const rows = await sequelize.query<{ id: number; customer_id: number; followed_at: string | Date; content: string; user_id: number; department: number }>(
      `SELECT f.id, f.customer_id, f.followed_at, f.content, f.user_id, c.department_id AS department
         FROM follow_ups f JOIN customers c ON c.id = f.customer_id
        WHERE f.deleted_at IS NULL AND f.customer_id IN (${sqlList(customerIds)})`,
      { replacements: customerIds, type: QueryTypes.SELECT },
    );
    return onFileOf(
      rows.map((f) => ({
        key: key('followup', f.customer_id, new Date(f.followed_at).toISOString(), contentHash(f.content)),
        id: Number(f.id),
        owner: Number(f.user_id),
        department: Number(f.department),
      })),
    );
  },
  async insert(sequelize, rows, _by, transaction) {
    const now = new Date();
    for (const { input, ownership } of rows) {
      const { customerId, ...entry } = input as unknown as z.infer<typeof followUpCreateSchema> & { customerId: number; followedAt: Date };
      await insertFollowUp(sequelize, customerFollowUpSubject, ownership.ownerUserId, customerId, entry, now, transaction);
    }
  },
});

export const HISTORY_KINDS = { sales, holding_records: holdingRecords, follow_ups: followUps };
