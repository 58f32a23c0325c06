/** Corp-wide settings an admin changes at run time (not deployment config). */
import { z } from 'zod';

export const corpSettingsSchema = z.object({
  /** An unmatched new WeCom contact becomes a lead owned by the employee who added it. */
  autoCreateLeads: z.boolean(),
  /** Each working day, every rep gets one WeCom message with their due / overdue / quiet customers. */
  dailyDigest: z.boolean(),
  /** When the digest goes out, China time (`HH:MM`). */
  digestTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM，如 09:00'),
  /** “No follow-up for N days” in the digest. */
  staleDays: z.number().int().min(1).max(365),
  /** Tell the owner when a WeCom contact created a lead or was linked to their customer. */
  notifyMatching: z.boolean(),
  /** Tell the new owner when customers are transferred to them. */
  notifyTransfer: z.boolean(),
  /** Tell the owner and the department's manager when a customer deletes their rep (客户流失提醒). */
  notifyChurn: z.boolean(),
  /** A colleague who also follows the customer in WeCom may log follow-ups on it (the owner is told). */
  coFollowerFollowUps: z.boolean(),
  /** A linked customer's phone, when set or changed, is written into the owner's WeCom remark mobiles (matching holds in WeCom too). */
  remarkWriteBack: z.boolean(),
  /** With the write-back, the customer's name (≤ 20 characters) becomes the owner's WeCom remark. */
  remarkWriteBackName: z.boolean(),
  /** An export of more customers (or partners) than this goes to approval first (server/README.md#customer-data-exports); 0: every export. */
  exportApprovalThreshold: z.number().int('应为整数').min(0, '不能小于 0').max(100_000, '不能超过 100000'),
  /** A new or changed 话术 goes through a 合规 approval (type `quick_reply`) before reps can use it (server/README.md#客户群发). */
  quickReplyReview: z.boolean(),
});
export type CorpSettings = z.infer<typeof corpSettingsSchema>;
export const corpSettingsPatchSchema = corpSettingsSchema.partial().refine((p) => Object.keys(p).length > 0, '至少修改一项');
