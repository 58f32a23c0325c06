/** Field schemas every write form shares (API, H5 forms, Excel import). */
import { z } from 'zod';
import { isCalendarDate } from './time';
import { installChineseMessages } from './zod-zh';

installChineseMessages();

/**
 * C0 control characters. None belongs in a name, a code or a search; long text may hold tab and
 * line breaks. (On SQLite a NUL even breaks the statement it is sent in.)
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
export const CONTROL_CHARACTERS = /[\u0000-\u001f]/;
export const CONTROL_CHARACTERS_EXCEPT_LAYOUT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
/* eslint-enable no-control-regex */

/** Draws control characters as their Unicode pictures (␀, ␛…), for showing a value back to a person. */
export const pictureControlCharacters = (text: string) =>
  text.replace(new RegExp(CONTROL_CHARACTERS.source, 'g'), (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)));
export const CONTROL_CHARACTER_MESSAGE = '不能包含控制字符';

/** Single-line text (names, titles, codes, addresses). */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => !CONTROL_CHARACTERS.test(v), CONTROL_CHARACTER_MESSAGE);

/** Free text that may span lines (notes, follow-up content). */
export const longText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => !CONTROL_CHARACTERS_EXCEPT_LAYOUT.test(v), CONTROL_CHARACTER_MESSAGE);

const blankIsNull = <S extends z.ZodType<string, string>>(schema: S) =>
  schema
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

/** Optional single-line text: '' means "clear it" (null). */
export const optionalText = (max: number) => blankIsNull(text(max));

/** Optional multi-line text: '' means "clear it" (null). */
export const optionalLongText = (max: number) => blankIsNull(longText(max));

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
export const code = z
  .string()
  .min(1)
  .max(32)
  .refine((v) => !CONTROL_CHARACTERS.test(v), CONTROL_CHARACTER_MESSAGE);

export const positiveId = z.number().int().positive();

/** A point in time, kept to whole seconds (what a MySQL DATETIME stores, so answers match the row). */
export const instant = z.coerce.date().transform((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
