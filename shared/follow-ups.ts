/** Follow-ups, the same shape for customers and consignment partners. */
import { z } from 'zod';
import { code, instant, longText, optionalLongText } from './fields';

/** One follow-up. `nextFollowUpAt` becomes the subject's next follow-up when this is the newest. */
export const followUpCreateSchema = z
  .object({
    followedAt: instant.optional(),
    channel: code,
    content: longText(4000).min(1, '请填写跟进内容'),
    outcome: optionalLongText(512),
    nextAction: optionalLongText(512),
    nextFollowUpAt: instant.nullable().optional(),
  })
  .refine((f) => !f.nextFollowUpAt || !f.followedAt || f.nextFollowUpAt > f.followedAt, {
    message: '下次跟进时间应晚于本次跟进时间',
    path: ['nextFollowUpAt'],
  });
export type FollowUpInput = z.infer<typeof followUpCreateSchema>;

/**
 * A correction of a follow-up (its time stays: it counts in that month's figures). The author may
 * correct or delete their entry within FOLLOW_UP_EDIT_HOURS of writing it; a manager (any scope
 * wider than their own records) at any time. Both are audited.
 */
export const followUpPatchSchema = z
  .object({
    channel: code.optional(),
    content: longText(4000).min(1, '请填写跟进内容').optional(),
    outcome: optionalLongText(512),
    nextAction: optionalLongText(512),
    nextFollowUpAt: instant.nullable().optional(),
  })
  .refine((f) => Object.values(f).some((v) => v !== undefined), { message: '没有要修改的内容' });
export type FollowUpPatch = z.infer<typeof followUpPatchSchema>;

export { FOLLOW_UP_EDIT_HOURS } from './follow-up-rules';

/** 我的跟进: what I wrote (`done`, by time) or what I planned and is still the customer's next step (`planned`, by next date). */
export const myFollowUpsQuerySchema = z.object({
  kind: z.enum(['done', 'planned']).default('done'),
  from: instant.optional(),
  to: instant.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type MyFollowUpsQuery = z.infer<typeof myFollowUpsQuerySchema>;

export interface FollowUpEntry {
  id: number;
  user: { id: number; name: string };
  followedAt: string;
  channel: string;
  content: string;
  outcome: string | null;
  nextAction: string | null;
  nextFollowUpAt: string | null;
  createdAt: string;
  /** When the entry was last corrected; null if never. */
  editedAt: string | null;
}

/** A follow-up in 我的跟进, with its customer's name. */
export interface MyFollowUpView extends FollowUpEntry {
  customer: { id: number; name: string };
}
