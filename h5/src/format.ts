/** Display formats shared by the pages (China dates, yuan). */
import { startOfBusinessDay } from '@shared/time';

const CHINA = 'Asia/Shanghai';

const chinaParts = (iso: string) =>
  Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: CHINA, year: 'numeric', month: 'numeric', day: 'numeric' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );

/** "11月18日" (China calendar day); the year too when it is not this year's. */
export function dayText(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return '';
  const { year, month, day } = chinaParts(iso);
  const thisYear = chinaParts(now.toISOString()).year;
  return `${year === thisYear ? '' : `${year}年`}${month}月${day}日`;
}

export function dateTimeText(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('zh-CN', { timeZone: CHINA, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );
}

/** "已逾期 · 11月20日", "今天", or the date. */
export function dueText(iso: string | null | undefined, now = new Date()): { text: string; overdue: boolean; today: boolean } {
  if (!iso) return { text: '未安排', overdue: false, today: false };
  const at = new Date(iso);
  const overdue = at < startOfBusinessDay(now);
  const today = !overdue && at < startOfBusinessDay(now, 1);
  return { text: overdue ? `已逾期 · ${dayText(iso)}` : today ? '今天' : dayText(iso), overdue, today };
}

export function yuanText(amount: number): string {
  if (amount >= 10_000) return `${(amount / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 万元`;
  return `${amount.toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 元`;
}
