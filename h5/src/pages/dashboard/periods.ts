/**
 * Dashboard and target periods as the API writes them: `2026-11` (month), `2026-Q4` (quarter),
 * `2026` (year) — China calendar periods. Kept apart from shared/targets.ts so the dashboard does
 * not download zod.
 */
import { businessDate } from '@shared/time';

export type PeriodKind = 'month' | 'quarter' | 'year';

export const periodKindOf = (period: string): PeriodKind => (period.includes('Q') ? 'quarter' : period.length === 4 ? 'year' : 'month');

export function currentPeriods(now = new Date()): Record<PeriodKind, string> {
  const today = businessDate(now);
  return {
    month: today.slice(0, 7),
    quarter: `${today.slice(0, 4)}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}`,
    year: today.slice(0, 4),
  };
}

/** The period just before: last month, last quarter, last year. */
export function previousPeriod(period: string): string {
  const year = Number(period.slice(0, 4));
  switch (periodKindOf(period)) {
    case 'year':
      return String(year - 1);
    case 'quarter': {
      const q = Number(period.slice(6));
      return q === 1 ? `${year - 1}-Q4` : `${year}-Q${q - 1}`;
    }
    default: {
      const m = Number(period.slice(5, 7));
      return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
    }
  }
}

/** The quarters of a year, the months of a quarter (what a parent period is made of). */
export function subPeriods(period: string): string[] {
  const year = period.slice(0, 4);
  if (periodKindOf(period) === 'year') return [1, 2, 3, 4].map((q) => `${year}-Q${q}`);
  if (periodKindOf(period) === 'quarter') {
    const first = (Number(period.slice(6)) - 1) * 3 + 1;
    return [first, first + 1, first + 2].map((m) => `${year}-${String(m).padStart(2, '0')}`);
  }
  return [];
}

/** 2026年11月, 2026年第4季度, 2026年. */
export function periodText(period: string): string {
  const year = period.slice(0, 4);
  switch (periodKindOf(period)) {
    case 'year':
      return `${year}年`;
    case 'quarter':
      return `${year}年第${period.slice(6)}季度`;
    default:
      return `${year}年${Number(period.slice(5, 7))}月`;
  }
}

/** The period's first and last China calendar day (`YYYY-MM-DD`, both inclusive): what the sales list filters by. */
export function periodRange(period: string): { from: string; to: string } {
  const year = Number(period.slice(0, 4));
  const kind = periodKindOf(period);
  const first = kind === 'year' ? 1 : kind === 'quarter' ? (Number(period.slice(6)) - 1) * 3 + 1 : Number(period.slice(5, 7));
  const last = kind === 'year' ? 12 : kind === 'quarter' ? first + 2 : first;
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return { from: `${year}-${pad(first)}-01`, to: `${year}-${pad(last)}-${pad(lastDay)}` };
}

/** 上月 / 上季度 / 上年. */
export const previousText = (period: string) => ({ month: '上月', quarter: '上季度', year: '上年' })[periodKindOf(period)];

/** Whether month `YYYY-MM` lies inside the period. */
export function monthIn(period: string, month: string): boolean {
  if (periodKindOf(period) === 'month') return month === period;
  if (periodKindOf(period) === 'year') return month.startsWith(period);
  return subPeriods(period).includes(month);
}

/** Picker columns: kind → year → month / quarter (years around `now`). */
export function periodPickerColumns(now = new Date(), yearsBack = 4, yearsAhead = 1) {
  const thisYear = Number(businessDate(now).slice(0, 4));
  const years = Array.from({ length: yearsBack + yearsAhead + 1 }, (_, i) => thisYear + yearsAhead - i);
  const yearColumn = (children: (y: number) => { text: string; value: string }[]) =>
    years.map((y) => ({ text: `${y}年`, value: String(y), children: children(y) }));
  return [
    {
      text: '按月',
      value: 'month',
      children: yearColumn((y) => Array.from({ length: 12 }, (_, i) => ({ text: `${i + 1}月`, value: `${y}-${String(i + 1).padStart(2, '0')}` }))),
    },
    { text: '按季度', value: 'quarter', children: yearColumn((y) => [1, 2, 3, 4].map((q) => ({ text: `第${q}季度`, value: `${y}-Q${q}` }))) },
    { text: '按年', value: 'year', children: yearColumn((y) => [{ text: '全年', value: String(y) }]) },
  ];
}

/** The picked values ([kind, year, period]) as a period. */
export const pickedPeriod = (values: (string | number | undefined)[]): string => String(values[2] ?? values[1]);

/** The picker's selected values for a period. */
export const pickerValuesOf = (period: string): string[] => [periodKindOf(period), period.slice(0, 4), period];
