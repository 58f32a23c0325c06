/** Corp-wide settings an admin changes at run time (not deployment config). */
import { z } from 'zod';

export const corpSettingsSchema = z.object({
  /** An unmatched new WeCom contact becomes a lead owned by the employee who added it. */
  autoCreateLeads: z.boolean(),
});
export type CorpSettings = z.infer<typeof corpSettingsSchema>;
export const corpSettingsPatchSchema = corpSettingsSchema.partial().refine((p) => Object.keys(p).length > 0, '至少修改一项');
