/**
 * China calendar days and instants for the business forms, whatever zone the phone is set to:
 * pickers work in China wall-clock parts, converted here.
 */
import { BUSINESS_UTC_OFFSET_MS, businessClock, businessDate, startOfBusinessDay } from '@shared/time';

/**
 * @deprecated The old name of `dateText` (@/format), kept for the pages of other areas (资产规模,
 * product pages) until they call it by its name.
 */
export { dateText as dateOnlyText } from '@shared/format';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of today in China. */
export const todayDate = (now = new Date()) => businessDate(now);

/** The instant of a China wall-clock time. */
export function fromChinaParts(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - BUSINESS_UTC_OFFSET_MS);
}

/** Whole China days from `iso`'s day to today (positive when it lies in the past). */
export function daysAgo(iso: string, now = new Date()): number {
  return Math.round((startOfBusinessDay(now).getTime() - startOfBusinessDay(new Date(iso)).getTime()) / DAY_MS);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM` of this China month. */
export const thisMonth = (now = new Date()) => todayDate(now).slice(0, 7);

export type PeriodPreset = 'month' | 'quarter' | 'year';

/** First and last day of this China month / quarter / year. */
export function presetRange(preset: PeriodPreset, now = new Date()): { from: string; to: string; period: string } {
  const { year, month } = businessClock(now);
  const first = preset === 'month' ? month : preset === 'quarter' ? Math.floor((month - 1) / 3) * 3 + 1 : 1;
  const last = preset === 'month' ? month : preset === 'quarter' ? first + 2 : 12;
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  const period = preset === 'month' ? `${year}-${pad(month)}` : preset === 'quarter' ? `${year}-Q${Math.ceil(month / 3)}` : String(year);
  return { from: `${year}-${pad(first)}-01`, to: `${year}-${pad(last)}-${pad(lastDay)}`, period };
}

/** `YYYY-MM-DD` ↔ the `['2026','12','05']` a van-date-picker holds. */
export const toPickerDate = (date: string) => date.split('-');
export const fromPickerDate = (parts: string[]) => parts.join('-');

/** A `YYYY-MM-DD` as a local Date for a picker's min / max (the picker shows local calendar parts). */
export function pickerBound(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d!);
}
