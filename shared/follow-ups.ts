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
}
