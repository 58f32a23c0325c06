/** The customer's fields, the schemas the API, the H5 forms and the Excel import share, and its view. */
import { z } from 'zod';
import type { Qualification } from './qualification-rules';
import { code, instant, optionalEmail, optionalLongText, optionalText, pastDate, positiveId, text } from './fields';
import type { FollowUpEntry } from './follow-ups';
import { GENDER_CODES } from './greeting';
import { ID_TYPES, ID_TYPE_CODES, idNumberProblem } from './identity';
import { NOTES_CELL, OWNER_COLUMNS, declareFields, schemaShape, type ViewOf } from './record-fields';
import { CUSTOMER_RISK_LABELS, CUSTOMER_RISK_LEVELS, INVESTOR_CLASSES, riskProfileFields } from './suitability';

/**
 * Every field of a customer, once (shared/record-fields.ts): in the import's and the export's
 * column order. Adding one: a line here, a migration, its column type in customers/models.ts.
 */
export const CUSTOMER_FIELDS = declareFields({
  name: {
    column: 'name',
    rule: text(128).min(1, '请填写客户名称'),
    label: '客户名称',
    initialsColumn: 'name_initials',
    import: { aliases: ['客户姓名', '姓名', '名称', '客户', 'name', 'customer', 'customer name'], required: true, type: 'text', sample: '张伟' },
  },
  type: {
    column: 'type',
    rule: code.min(1, '请选择客户类型'),
    label: '客户类型',
    dictionary: 'customer_type',
    import: { aliases: ['类型', 'type', 'customer type'], type: 'dictionary', sample: '个人' },
  },
  /** Any common spelling; stored normalised (see normalizePhone). */
  phone: {
    column: 'phone',
    rule: optionalText(40),
    label: '手机号',
    import: { aliases: ['手机', '手机号码', '电话', '联系电话', 'mobile', 'phone', 'phone number'], type: 'text', masked: true, sample: '13800138000' },
  },
  email: {
    column: 'email',
    rule: optionalEmail,
    label: '邮箱',
    import: { aliases: ['电子邮箱', '邮件', 'email', 'e-mail'], type: 'text', fold: true, sample: 'zhangwei@example.com' },
  },
  institution: {
    column: 'institution',
    rule: optionalText(256),
    label: '单位/机构',
    import: {
      aliases: ['单位', '机构', '公司', '工作单位', '所属机构', 'company', 'institution', 'organization'],
      type: 'text',
      sample: '上海某某科技有限公司',
    },
  },
  title: {
    column: 'title',
    rule: optionalText(128),
    label: '职务',
    import: { aliases: ['职位', 'title', 'position', 'job title'], type: 'text', sample: '财务总监' },
  },
  lifecycleStage: {
    column: 'lifecycle_stage',
    rule: code.optional(),
    label: '客户阶段',
    dictionary: 'lifecycle_stage',
    initial: 'lead',
    import: { aliases: ['生命周期阶段', '阶段', 'stage', 'lifecycle stage'], type: 'dictionary', sample: '意向' },
  },
  source: {
    column: 'source',
    rule: code.nullable().optional(),
    label: '客户来源',
    dictionary: 'customer_source',
    import: { aliases: ['来源', 'source'], type: 'dictionary', sample: '转介绍' },
  },
  level: {
    column: 'level',
    rule: code.nullable().optional(),
    label: '客户等级',
    dictionary: 'customer_level',
    import: { aliases: ['等级', 'level'], type: 'dictionary', sample: '重要' },
  },
  status: {
    column: 'status',
    rule: code.optional(),
    label: '客户状态',
    dictionary: 'customer_status',
    initial: 'active',
    import: { aliases: ['状态', 'status'], type: 'dictionary', sample: '正常' },
  },
  /** KYC: the identity document (shared/identity.ts); a 居民身份证 number is checked with its check character. */
  idType: {
    column: 'id_type',
    rule: z
      .enum(ID_TYPE_CODES, `证件类型应为${Object.values(ID_TYPES).join('、')}之一`)
      .nullable()
      .optional(),
    label: '证件类型',
    import: { aliases: ['证件种类', 'id type', 'document type'], type: 'choice', choices: ID_TYPES, exportLabel: true, sample: '居民身份证' },
  },
  /** Stored whole; never logged — the audit log keeps it masked, the detail page shows it masked. */
  idNumber: {
    column: 'id_number',
    rule: text(32)
      .transform((v) => (v === '' ? null : v.normalize('NFKC').toUpperCase()))
      .nullable()
      .optional(),
    label: '证件号码',
    audit: 'masked',
    import: { aliases: ['身份证号', '身份证号码', '证件号', 'id number', 'document number'], type: 'text', fold: true, masked: true, sample: '' },
  },
  birthDate: {
    column: 'birth_date',
    rule: pastDate.nullable().optional(),
    label: '出生日期',
    view: 'date',
    // Not 生日: an unknown column of older sheets (test/fixtures/imports/messy-customers.xlsx).
    import: { aliases: ['出生年月日', 'birth date', 'birthdate', 'date of birth'], type: 'date', sample: '1980-05-20' },
  },
  /** 先生 / 女士 in greetings (shared/greeting.ts); unset, a 居民身份证 number says it. */
  gender: {
    column: 'gender',
    rule: z.enum(GENDER_CODES, '性别应为男或女').nullable().optional(),
    label: '性别',
  },
  /** An admin-chosen 称呼 (「王总」) that greetings use instead of surname + 先生 / 女士. */
  salutation: {
    column: 'salutation',
    rule: optionalText(16),
    label: '称呼',
  },
  /** 不接收营销信息: 客户群发 leaves the customer out (server/README.md#客户群发). */
  marketingOptOut: {
    column: 'marketing_opt_out',
    rule: z.boolean().optional(),
    label: '不接收营销信息',
  },
  riskLevel: {
    column: 'risk_level',
    rule: riskProfileFields.riskLevel,
    label: '风险等级',
    import: { aliases: ['风险承受能力', '风险测评等级', 'risk level'], type: 'choice', choices: CUSTOMER_RISK_LABELS, sample: 'C3' },
  },
  investorClass: {
    column: 'investor_class',
    rule: riskProfileFields.investorClass,
    label: '投资者类别',
    initial: 'ordinary',
    import: { aliases: ['投资者分类', 'investor class'], type: 'choice', choices: INVESTOR_CLASSES, exportLabel: true, sample: '普通投资者' },
  },
  riskAssessedOn: {
    column: 'risk_assessed_on',
    rule: riskProfileFields.riskAssessedOn,
    label: '测评日期',
    view: 'date',
    import: { aliases: ['风险测评日期', 'assessed on'], type: 'date', sample: '2026-03-01' },
  },
  riskAssessmentExpiresOn: {
    column: 'risk_assessment_expires_on',
    rule: riskProfileFields.riskAssessmentExpiresOn,
    label: '测评有效期至',
    view: 'date',
    import: { aliases: ['测评到期日', '有效期至', 'assessment expires on'], type: 'date', sample: '' },
  },
  /** Owner and department: resolved by roles/ownership.ts (defaults: the creator and their main department); changed by a transfer. */
  ownerUserId: { column: 'owner_user_id', rule: positiveId.optional(), label: '负责人', mapped: false, view: 'none', import: OWNER_COLUMNS },
  notes: { column: 'notes', rule: optionalLongText(4000), label: '备注', import: NOTES_CELL },
  departmentId: { column: 'department_id', rule: positiveId.optional(), label: '部门', mapped: false },
  nextFollowUpAt: { column: 'next_follow_up_at', rule: instant.nullable().optional(), label: '下次跟进时间', view: 'instant' },
});

/** A 居民身份证 number is checked against its type when both are sent (a patch of one alone: customers/service.ts). */
function checkIdNumber(value: { idType?: string | null; idNumber?: string | null }, ctx: z.RefinementCtx): void {
  const problem = idNumberProblem(value.idType, value.idNumber);
  if (problem) ctx.addIssue({ code: 'custom', path: ['idNumber'], message: problem });
}

const customerObject = z.object(schemaShape(CUSTOMER_FIELDS));
export const customerCreateSchema = customerObject.superRefine(checkIdNumber);
export type CustomerCreateInput = z.infer<typeof customerCreateSchema>;

/** Any of the fields (what a WeCom contact's new customer takes over from the caller). */
export const customerDraftSchema = customerObject.partial().superRefine(checkIdNumber);

/** A patch carries the version it was based on: a stale one is refused (409). */
export const customerUpdateSchema = customerObject.partial().extend({ version: z.number().int().positive() }).superRefine(checkIdNumber);
export type CustomerUpdateInput = z.infer<typeof customerUpdateSchema>;

/** A customer as the API shows it: every declared field (the ID number whole: the H5 masks it), and these. */
export interface CustomerView extends ViewOf<typeof CUSTOMER_FIELDS> {
  id: number;
  /** The 渠道活码 a WeCom lead arrived through. */
  acquisitionChannel: string | null;
  /** 合格投资者 (shared/qualification.ts): all null until recorded. */
  qualification: Qualification;
  /** True when `phone` / `idNumber` came masked (no `customer.view_sensitive`): POST …/reveal gives one whole. */
  sensitiveMasked?: boolean;
  owner: { id: number; name: string };
  lastFollowUpAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The detail page: the profile plus a summary of the process beside it. */
export interface CustomerDetail extends CustomerView {
  counts: { contacts: number; followUps: number; holdings: number; sales: number; wecomLinks: number };
  primaryContact: ContactView | null;
  latestFollowUps: FollowUpView[];
  /** Assets under management: live holdings at the latest NAV (else at book), in yuan. */
  aum: number;
}

/** A contact's fields (shared/record-fields.ts). */
export const CONTACT_FIELDS = declareFields({
  name: { column: 'name', rule: text(64).min(1, '请填写联系人姓名'), label: '联系人姓名' },
  title: { column: 'title', rule: optionalText(128), label: '职务' },
  phone: { column: 'phone', rule: optionalText(40), label: '手机号' },
  email: { column: 'email', rule: optionalEmail, label: '邮箱' },
  relation: { column: 'relation', rule: optionalText(64), label: '关系' },
  notes: { column: 'notes', rule: optionalLongText(2000), label: '备注' },
  /** One per customer: the service keeps `primary_of_customer_id` (contacts/service.ts). */
  isPrimary: { column: 'primary_of_customer_id', rule: z.boolean().optional(), label: '主要联系人', mapped: false, view: 'none' },
});
export const contactCreateSchema = z.object(schemaShape(CONTACT_FIELDS));
export const contactUpdateSchema = contactCreateSchema.partial().refine((p) => Object.keys(p).length > 0, '至少修改一项');
export type ContactInput = z.infer<typeof contactCreateSchema>;
export type ContactPatch = z.infer<typeof contactUpdateSchema>;

export interface ContactView extends ViewOf<typeof CONTACT_FIELDS> {
  id: number;
  /** True when `phone` came masked (no `customer.view_sensitive`): POST /api/customers/:id/reveal {field: 'contactPhone', contactId} gives it whole. */
  sensitiveMasked?: boolean;
  customerId: number;
  isPrimary: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A follow-up of a customer. */
export interface FollowUpView extends FollowUpEntry {
  customerId: number;
}

export const mergeSchema = z.object({ sourceIds: z.array(positiveId).min(1).max(20) });
/** Profile fields a merge copies from a source when the kept customer has none (the merge screen shows which). */
export const MERGE_FILLED_FIELDS = ['institution', 'title', 'phone', 'email', 'unionid', 'source', 'level', 'notes'] as const;

export interface MergeResult {
  customer: CustomerView;
  merged: number[];
  moved: { contacts: number; followUps: number; holdings: number; trades: number; wecomLinks: number; stageChanges: number };
}

export type TimelineKind = 'follow_up' | 'trade' | 'stage_change' | 'wecom_link' | 'owner_change' | 'opportunity' | 'pool_entry' | 'pool_exit' | 'mass_message';

/** One entry of a customer's timeline, newest first; `data` carries the kind's own fields. */
export interface TimelineEntry {
  kind: TimelineKind;
  id: number;
  at: string;
  /** Trades and sales carry a business day, not a time: show the date only. */
  dateOnly?: boolean;
  user: { id: number; name: string } | null;
  summary: string;
  data: Record<string, unknown>;
}

/**
 * The customer list's filter — also the audience of a 客户群发 and an export's filter: one
 * vocabulary (customers/service.ts `customerFilterWhere` turns it into the query). Query strings
 * and JSON bodies alike (numbers coerced).
 */
export const customerFilterSchema = z.object({
  keyword: z.string().trim().max(64).optional(),
  ownerUserId: z.coerce.number().int().positive().optional(),
  departmentId: z.coerce.number().int().positive().optional(),
  lifecycleStage: z.string().max(32).optional(),
  level: z.string().max(32).optional(),
  source: z.string().max(32).optional(),
  followUp: z.enum(['due', 'overdue']).optional(),
  noFollowUpDays: z.coerce.number().int().min(1).max(3650).optional(),
  tagId: z
    .string()
    .regex(/^[\w-]{1,64}$/, '标签不正确')
    .optional(),
  channel: z.string().max(30).optional(),
  /** The customer's risk level (C1–C5), or `none` for never assessed. */
  riskLevel: z.enum([...CUSTOMER_RISK_LEVELS, 'none'], '风险等级应为 C1–C5 或未测评').optional(),
  /** The assessment's validity today: `valid`, `expired`, or `missing`. */
  riskValidity: z.enum(['valid', 'expired', 'missing'], '测评状态应为有效、已过期或未测评').optional(),
  /** Holds (a live position of) this product. */
  productId: z.coerce.number().int().positive().optional(),
  /** Holds a live position of some product of this 产品类别 (dictionary `product_category`). */
  productCategory: z.string().max(32).optional(),
  /** AUM (live holdings at the latest NAV, the list's 资产) at least / below this many yuan: an AUM band. */
  aumMin: z.coerce.number().int().min(0).max(1e12).optional(),
  aumBelow: z.coerce.number().int().min(1).max(1e12).optional(),
  /** Only these customers (ids, comma-separated, up to 100): the desktop table's picked rows, exported. */
  ids: z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,99}$/, '所选客户不正确')
    .optional(),
});
export type CustomerFilter = z.infer<typeof customerFilterSchema>;

/** A row of the customer list: the profile and its AUM in yuan (live holdings at the latest NAV). */
/** A row of the customer list: the customer, its AUM in yuan and its planned 下一步 (the action of the follow-up that set its next date). */
export type CustomerListItem = CustomerView & { aum: number; nextAction: string | null };

export const RISK_VALIDITY_LABELS = { valid: '测评有效', expired: '测评已过期', missing: '未测评' } as const;
