/**
 * China calendar days and instants for the business forms, whatever zone the phone is set to:
 * pickers work in China wall-clock parts, converted here.
 */
import { BUSINESS_UTC_OFFSET_MS, businessDate, startOfBusinessDay } from '@shared/time';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of today in China. */
export const todayDate = (now = new Date()) => businessDate(now);

/** China wall-clock parts of an instant. */
export function chinaParts(at: Date): { year: number; month: number; day: number; hour: number; minute: number } {
  const d = new Date(at.getTime() + BUSINESS_UTC_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** The instant of a China wall-clock time. */
export function fromChinaParts(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - BUSINESS_UTC_OFFSET_MS);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "12月16日" (the year too when it isn't this year's) of a `YYYY-MM-DD`. */
export function dateOnlyText(date: string, now = new Date()): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y === chinaParts(now).year ? '' : `${y}年`}${m}月${d}日`;
}

/** "12月16日 10:00" of an instant, in China time (the year when not this year's). */
export function instantText(iso: string | Date, now = new Date()): string {
  const p = chinaParts(new Date(iso));
  return `${p.year === chinaParts(now).year ? '' : `${p.year}年`}${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`;
}

/** "2026/12/1" — the timeline's date for entries that carry a day, not a time. */
export function slashDate(iso: string): string {
  const p = chinaParts(new Date(iso));
  return `${p.year}/${p.month}/${p.day}`;
}

/** Whole China days from `iso`'s day to today (positive when it lies in the past). */
export function daysAgo(iso: string, now = new Date()): number {
  return Math.round((startOfBusinessDay(now).getTime() - startOfBusinessDay(new Date(iso)).getTime()) / DAY_MS);
}

/** `YYYY-MM` of this China month. */
export const thisMonth = (now = new Date()) => todayDate(now).slice(0, 7);

export type PeriodPreset = 'month' | 'quarter' | 'year';

/** First and last day of this China month / quarter / year. */
export function presetRange(preset: PeriodPreset, now = new Date()): { from: string; to: string; period: string } {
  const { year, month } = chinaParts(now);
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
