/** The next follow-up, shown the same way on every page: red 「逾期 N 天」, 「今天」, or the day. */
import { startOfBusinessDay } from '@shared/time';
import { dateText } from '@/format';
import { daysAgo } from './dates';

export type DueKind = 'none' | 'overdue' | 'today' | 'later';

export function dueBadge(iso: string | null | undefined, now = new Date()): { kind: DueKind; text: string } {
  if (!iso) return { kind: 'none', text: '未安排' };
  const at = new Date(iso);
  if (at < startOfBusinessDay(now)) return { kind: 'overdue', text: `逾期 ${Math.max(1, daysAgo(iso, now))} 天` };
  if (at < startOfBusinessDay(now, 1)) return { kind: 'today', text: '今天' };
  return { kind: 'later', text: dateText(iso, now) };
}
