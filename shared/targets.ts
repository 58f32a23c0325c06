/** Targets per period and per user or department (server/README.md#data-model, #dashboards). */
import { z } from 'zod';
import { TARGET_METRICS, type TargetMetric } from './labels';
import { EARLIEST_DATE, PLANNING_HORIZON_YEARS, positiveId } from './fields';
import { businessDate } from './time';

/** `2026-11` (month), `2026-Q4` (quarter) or `2026` (year), of a year in the CRM's range of dates (see `dateOnly`). */
export const targetPeriod = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/, '周期格式应为 2026、2026-Q4 或 2026-11')
  .superRefine((period, ctx) => {
    const [earliest, latest] = [Number(EARLIEST_DATE.slice(0, 4)), Number(businessDate(new Date()).slice(0, 4)) + PLANNING_HORIZON_YEARS];
    const year = Number(period.slice(0, 4));
    if (year < earliest || year > latest) ctx.addIssue({ code: 'custom', message: `周期的年份应在 ${earliest} 至 ${latest} 之间` });
  });
export type PeriodKind = 'month' | 'quarter' | 'year';

export function periodKind(period: string): PeriodKind {
  if (period.includes('Q')) return 'quarter';
  return period.length === 4 ? 'year' : 'month';
}

export const targetSetSchema = z
  .object({
    period: targetPeriod,
    scopeType: z.enum(['user', 'department']),
    scopeId: positiveId,
    metric: z.enum(Object.keys(TARGET_METRICS) as [TargetMetric, ...TargetMetric[]]),
    /** Yuan for sales_amount, a count otherwise. */
    value: z.number().min(0).max(1e11),
  })
  .refine((t) => t.metric === 'sales_amount' || Number.isInteger(t.value), { message: '数量目标必须是整数', path: ['value'] });
export type TargetInput = z.infer<typeof targetSetSchema>;

export interface TargetView {
  id: number;
  period: string;
  periodKind: PeriodKind;
  scopeType: 'user' | 'department';
  scope: { id: number; name: string };
  /** The department the target counts under: the department's own id, a person's main department. */
  departmentId: number | null;
  metric: TargetMetric;
  value: number;
  updatedAt: string;
}

/** The China calendar days a period covers. */
export function periodDays(period: string): { from: string; to: string } {
  const year = Number(period.slice(0, 4));
  const pad = (n: number) => String(n).padStart(2, '0');
  const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
  let first = 1;
  let last = 12;
  if (periodKind(period) === 'month') first = last = Number(period.slice(5, 7));
  if (periodKind(period) === 'quarter') {
    first = (Number(period.slice(6)) - 1) * 3 + 1;
    last = first + 2;
  }
  return { from: `${year}-${pad(first)}-01`, to: `${year}-${pad(last)}-${pad(lastDay(year, last))}` };
}

/** The quarter containing a China date `YYYY-MM-DD`. */
export const quarterOf = (date: string) => `${date.slice(0, 4)}-Q${Math.ceil(Number(date.slice(5, 7)) / 3)}`;

export { TARGET_METRICS };
export type { TargetMetric };
