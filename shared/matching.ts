/** How WeCom external contacts are tied to customers (server/README.md#matching). */
import { z } from 'zod';
import { MATCHED_BY, SUGGESTION_REASONS, type MatchedBy, type SuggestionReason } from './labels';
import { positiveId } from './fields';

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

export { MATCHED_BY, SUGGESTION_REASONS };
export type { MatchedBy, SuggestionReason };
