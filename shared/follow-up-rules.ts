/** Follow-up rules the H5 needs without zod (shared/follow-ups.ts re-exports them). */
import { dateTimeText } from './format';

/** How long the author may correct or delete their own follow-up; a manager (a scope wider than their own records) may at any time. */
export const FOLLOW_UP_EDIT_HOURS = 24;

/** Whether `viewer` may correct or delete the follow-up (the server's rule, follow-ups/service.ts `loadCorrectable`). */
export function mayCorrectFollowUp(
  followUp: { user: { id: number }; createdAt: string },
  viewer: { userId: number; dataScope: string },
  now = new Date(),
): boolean {
  if (viewer.dataScope !== 'self') return true;
  return followUp.user.id === viewer.userId && now.getTime() - new Date(followUp.createdAt).getTime() <= FOLLOW_UP_EDIT_HOURS * 3_600_000;
}

/** A follow-up's 下一步 as every list shows it: 「下一步：发送产品资料 · 12月15日 10:00」; '' when none was planned. */
export function nextStepText(f: { nextAction: string | null; nextFollowUpAt: string | null }): string {
  const parts = [f.nextAction, f.nextFollowUpAt ? dateTimeText(f.nextFollowUpAt) : null].filter(Boolean);
  return parts.length ? `下一步：${parts.join(' · ')}` : '';
}
