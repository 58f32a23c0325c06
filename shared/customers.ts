/** The customer write schema, shared by the API, the H5 forms and the Excel import. */
import { z } from 'zod';
import { code, instant, optionalEmail, optionalLongText, optionalText, positiveId, text } from './fields';
import type { FollowUpEntry } from './follow-ups';
import { riskProfileFields, type CustomerRiskLevel, type InvestorClass } from './suitability';

export const customerFields = {
  type: code.min(1, '请选择客户类型'),
  name: text(128).min(1, '请填写客户名称'),
  status: code.optional(),
  lifecycleStage: code.optional(),
  source: code.nullable().optional(),
  level: code.nullable().optional(),
  institution: optionalText(256),
  title: optionalText(128),
  /** Any common spelling; stored normalised (see normalizePhone). */
  phone: optionalText(40),
  email: optionalEmail,
  notes: optionalLongText(4000),
  ownerUserId: positiveId.optional(),
  departmentId: positiveId.optional(),
  nextFollowUpAt: instant.nullable().optional(),
  ...riskProfileFields,
};

export const customerCreateSchema = z.object(customerFields);
export type CustomerCreateInput = z.infer<typeof customerCreateSchema>;

/** A patch carries the version it was based on: a stale one is refused (409). */
export const customerUpdateSchema = z.object(customerFields).partial().extend({ version: z.number().int().positive() });
export type CustomerUpdateInput = z.infer<typeof customerUpdateSchema>;

export interface CustomerView {
  id: number;
  type: string;
  name: string;
  status: string;
  lifecycleStage: string;
  source: string | null;
  level: string | null;
  institution: string | null;
  title: string | null;
  phone: string | null;
  email: string | null;
  notes: string | null;
  /** The 渠道活码 a WeCom lead arrived through. */
  acquisitionChannel: string | null;
  /** 投资者适当性: null until assessed. */
  riskLevel: CustomerRiskLevel | null;
  investorClass: InvestorClass;
  riskAssessedOn: string | null;
  riskAssessmentExpiresOn: string | null;
  owner: { id: number; name: string };
  departmentId: number;
  nextFollowUpAt: string | null;
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

export const contactFields = {
  name: text(64).min(1, '请填写联系人姓名'),
  title: optionalText(128),
  phone: optionalText(40),
  email: optionalEmail,
  relation: optionalText(64),
  notes: optionalLongText(2000),
  isPrimary: z.boolean().optional(),
};
export const contactCreateSchema = z.object(contactFields);
export const contactUpdateSchema = z
  .object(contactFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, '至少修改一项');
export type ContactInput = z.infer<typeof contactCreateSchema>;
export type ContactPatch = z.infer<typeof contactUpdateSchema>;

export interface ContactView {
  id: number;
  customerId: number;
  name: string;
  title: string | null;
  phone: string | null;
  email: string | null;
  relation: string | null;
  notes: string | null;
  isPrimary: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A follow-up of a customer. */
export interface FollowUpView extends FollowUpEntry {
  customerId: number;
}

export const mergeSchema = z.object({ sourceIds: z.array(positiveId).min(1).max(20) });

export interface MergeResult {
  customer: CustomerView;
  merged: number[];
  moved: { contacts: number; followUps: number; holdings: number; trades: number; wecomLinks: number; stageChanges: number };
}

export type TimelineKind = 'follow_up' | 'trade' | 'stage_change' | 'wecom_link' | 'owner_change';

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
