/** Consignment partners (代销机构): their own type, status, owner and follow-ups (server/README.md#data-model). */
import { z } from 'zod';
import { code, dateOnly, instant, optionalLongText, optionalText, positiveId, text } from './fields';
import type { FollowUpEntry } from './follow-ups';
import { NOTES_CELL, OWNER_COLUMNS, declareFields, schemaShape, type ViewOf } from './record-fields';

/** 统一社会信用代码: 18 characters, no I, O, S, V, Z. */
const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, '统一社会信用代码格式不正确')
  .nullable()
  .optional();

/** Every field of a partner, once (shared/record-fields.ts), in the import's and the export's column order. */
export const PARTNER_FIELDS = declareFields({
  name: {
    column: 'name',
    rule: text(128).min(1, '请填写机构名称'),
    label: '机构名称',
    import: { aliases: ['代销机构', '机构', '名称', 'name', 'partner', 'partner name'], required: true, type: 'text', sample: '某某银行上海分行' },
  },
  type: {
    column: 'type',
    rule: code,
    label: '机构类型',
    dictionary: 'partner_type',
    import: { aliases: ['类型', 'type', 'partner type'], required: true, type: 'dictionary', sample: '银行' },
  },
  status: {
    column: 'status',
    rule: code.optional(),
    label: '合作状态',
    dictionary: 'partner_status',
    initial: 'negotiating',
    import: { aliases: ['状态', 'status'], type: 'dictionary', sample: '洽谈中' },
  },
  creditCode: {
    column: 'credit_code',
    rule: creditCode,
    label: '统一社会信用代码',
    import: { aliases: ['信用代码', '社会信用代码', 'credit code', 'uscc'], type: 'text', fold: true, sample: '91310000MA1FL4XQ3K' },
  },
  contactName: {
    column: 'contact_name',
    rule: optionalText(64),
    label: '联系人',
    import: { aliases: ['联系人姓名', 'contact', 'contact name'], type: 'text', sample: '王芳' },
  },
  /** Stored normalised (partners/service.ts). */
  contactPhone: {
    column: 'contact_phone',
    rule: optionalText(40),
    label: '联系电话',
    import: { aliases: ['电话', '手机号', '手机', 'phone', 'contact phone'], type: 'text', masked: true, sample: '021-68888888' },
  },
  address: {
    column: 'address',
    rule: optionalText(256),
    label: '地址',
    import: { aliases: ['办公地址', 'address'], type: 'text', sample: '上海市浦东新区世纪大道 100 号' },
  },
  agreementSignedOn: {
    column: 'agreement_signed_on',
    rule: dateOnly.nullable().optional(),
    label: '签约日期',
    view: 'date',
    import: { aliases: ['协议签署日期', '签署日期', 'signed on', 'agreement date'], type: 'date', sample: '2026-03-01' },
  },
  /** Owner and department: resolved by roles/ownership.ts; a patch of either hands the partner over. */
  ownerUserId: { column: 'owner_user_id', rule: positiveId.optional(), label: '负责人', mapped: false, view: 'none', import: OWNER_COLUMNS },
  notes: { column: 'notes', rule: optionalLongText(4000), label: '备注', import: NOTES_CELL },
  info: { column: 'info', rule: optionalLongText(4000), label: '机构介绍' },
  departmentId: { column: 'department_id', rule: positiveId.optional(), label: '部门', mapped: false },
  nextFollowUpAt: { column: 'next_follow_up_at', rule: instant.nullable().optional(), label: '下次跟进时间', view: 'instant' },
});
export const partnerCreateSchema = z.object(schemaShape(PARTNER_FIELDS));
export const partnerUpdateSchema = partnerCreateSchema.partial().extend({ version: z.number().int().positive() });
export type PartnerInput = z.infer<typeof partnerCreateSchema>;
export type PartnerPatch = z.infer<typeof partnerUpdateSchema>;

/** A partner as the API shows it: every declared field, and these. */
export interface PartnerView extends ViewOf<typeof PARTNER_FIELDS> {
  id: number;
  owner: { id: number; name: string };
  lastFollowUpAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface PartnerDetail extends PartnerView {
  counts: { followUps: number; sales: number };
  salesAmount: number;
  latestFollowUps: PartnerFollowUpView[];
}

/** A follow-up of a partner. */
export interface PartnerFollowUpView extends FollowUpEntry {
  partnerId: number;
}
