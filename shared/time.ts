/**
 * Business days. Our users work in China Standard Time (UTC+8, no daylight saving), whatever
 * zone the server or the browser runs in: "due today" and a sale's date are China dates.
 */
export const BUSINESS_UTC_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The first instant of the China calendar day containing `at`, `days` days later. */
export function startOfBusinessDay(at: Date, days = 0): Date {
  const local = at.getTime() + BUSINESS_UTC_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - BUSINESS_UTC_OFFSET_MS + days * DAY_MS);
}

/** The China wall-clock parts of an instant. */
export function businessClock(at: Date): { year: number; month: number; day: number; hour: number; minute: number } {
  const d = new Date(at.getTime() + BUSINESS_UTC_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** `YYYY-MM-DD` of the China calendar day containing `at`. */
export function businessDate(at: Date): string {
  return new Date(at.getTime() + BUSINESS_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:mm` China time of an instant (a deadline in a message, a row of an export). */
export function businessDateTime(at: Date): string {
  return new Date(at.getTime() + BUSINESS_UTC_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** A real calendar date written `YYYY-MM-DD` (rejects 2026-02-30). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** `hour`:00 China time, `days` days after the China day of `now` (a reminder's default time). */
export function businessHour(now: Date, days: number, hour: number): Date {
  return new Date(startOfBusinessDay(now, days).getTime() + hour * 3_600_000);
}

/** `YYYY-MM-DD` plus `days` calendar days. */
export const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
