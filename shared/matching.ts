/** How WeCom external contacts are tied to customers (DESIGN §6.3). */
import { z } from 'zod';
import { positiveId } from './fields';

export const MATCHED_BY = { unionid: 'UnionID 一致', mobile: '备注手机号一致', manual: '手动关联', created: '由联系人创建' } as const;
export type MatchedBy = keyof typeof MATCHED_BY;

/** Why a customer is suggested for a contact, strongest first. */
export const SUGGESTION_REASONS = {
  unionid: 'UnionID 相同（多位客户）',
  mobile: '手机号相同（多位客户）',
  name_corp: '姓名与企业相同',
  name_remark_company: '姓名与备注企业相同',
} as const;
export type SuggestionReason = keyof typeof SUGGESTION_REASONS;

export interface SuggestionView {
  customer: { id: number; name: string; institution: string | null; phone: string | null; lifecycleStage: string; owner: { id: number; name: string } };
  reason: SuggestionReason;
}

export interface WecomLinkView {
  externalUserId: string;
  customerId: number;
  matchedBy: MatchedBy;
  linkedBy: { id: number; name: string } | null;
  linkedAt: string;
}

export const linkSchema = z.object({ externalUserId: z.string().min(1).max(64), customerId: positiveId });
export const externalUserIdParam = z.object({ externalUserId: z.string().min(1).max(64) });
