/** Consignment partners (代销机构): their own type, status, owner and follow-ups (server/README.md#data-model). */
import { z } from 'zod';
import { code, dateOnly, instant, optionalLongText, optionalText, positiveId, text } from './fields';
import type { FollowUpEntry } from './follow-ups';

/** 统一社会信用代码: 18 characters, no I, O, S, V, Z. */
const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, '统一社会信用代码格式不正确')
  .nullable()
  .optional();

export const partnerFields = {
  name: text(128).min(1, '请填写机构名称'),
  type: code,
  status: code.optional(),
  creditCode,
  contactName: optionalText(64),
  contactPhone: optionalText(40),
  address: optionalText(256),
  agreementSignedOn: dateOnly.nullable().optional(),
  info: optionalLongText(4000),
  notes: optionalLongText(4000),
  ownerUserId: positiveId.optional(),
  departmentId: positiveId.optional(),
  nextFollowUpAt: instant.nullable().optional(),
};
export const partnerCreateSchema = z.object(partnerFields);
export const partnerUpdateSchema = z.object(partnerFields).partial().extend({ version: z.number().int().positive() });
export type PartnerInput = z.infer<typeof partnerCreateSchema>;
export type PartnerPatch = z.infer<typeof partnerUpdateSchema>;

export interface PartnerView {
  id: number;
  name: string;
  type: string;
  status: string;
  creditCode: string | null;
  contactName: string | null;
  contactPhone: string | null;
  address: string | null;
  agreementSignedOn: string | null;
  info: string | null;
  notes: string | null;
  owner: { id: number; name: string };
  departmentId: number;
  lastFollowUpAt: string | null;
  nextFollowUpAt: string | null;
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
