import { presetRange, type PeriodPreset } from '@/components/business/dates';

/** The periods 合规's lists filter by: this month, quarter, year, or all time. */
export const PERIODS = { month: '本月', quarter: '本季', year: '本年' } as const satisfies Record<PeriodPreset, string>;

/** `from` / `to` of a period chip ('' for all time). */
export function periodRange(period: PeriodPreset | ''): { from?: string; to?: string } {
  if (!period) return {};
  const { from, to } = presetRange(period);
  return { from, to };
}
