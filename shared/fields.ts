/** Field schemas every write form shares (API, H5 forms, Excel import). */
import { z } from 'zod';
import { isCalendarDate } from './time';

export const text = (max: number) => z.string().trim().max(max);

/** Optional free text: '' means "clear it" (null). */
export const optionalText = (max: number) =>
  text(max)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

export const optionalEmail = z
  .string()
  .trim()
  .max(256)
  .transform((v) => (v === '' ? null : v))
  .pipe(z.email({ message: '邮箱格式不正确' }).nullable())
  .nullable()
  .optional();

/** A calendar date `YYYY-MM-DD` (a China business date: sale date, trade date). */
export const dateOnly = z.string().refine(isCalendarDate, '日期格式应为 YYYY-MM-DD');

/** A dictionary code; whether it exists is checked against the dictionaries table. */
export const code = z.string().min(1).max(32);

export const positiveId = z.number().int().positive();

/** A point in time, kept to whole seconds (what a MySQL DATETIME stores, so answers match the row). */
export const instant = z.coerce.date().transform((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
