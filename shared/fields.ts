/** Field schemas every write form shares (API, H5 forms, Excel import). */
import { z } from 'zod';
import { businessDate, isCalendarDate } from './time';
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

/**
 * The range of dates the CRM takes. Before 1900 a date is a typo (0026 for 2026), not history;
 * more than ten years ahead it is one too (9999-12-31 made a trade mature in year 100, a
 * follow-up in year −1 a month key no report can read). Dates of things that happened — a sale,
 * a trade, an assessment, a NAV — are not later than today, China time.
 */
export const EARLIEST_DATE = '1900-01-01';
export const PLANNING_HORIZON_YEARS = 10;
const today = () => businessDate(new Date());
/** Ten years from today (string-compared, so 02-29 needs no real date). */
const latestDate = () => {
  const t = today();
  return `${Number(t.slice(0, 4)) + PLANNING_HORIZON_YEARS}${t.slice(4)}`;
};
const TOO_EARLY = `不能早于 ${EARLIEST_DATE}`;
const tooLate = () => `不能晚于 ${latestDate()}（今天起 ${PLANNING_HORIZON_YEARS} 年内）`;

/** What is wrong with `text` as a date in the CRM's range (`past`: not after today), or null. */
function dateProblem(text: string, past: boolean): string | null {
  if (!isCalendarDate(text)) return '日期格式应为 YYYY-MM-DD';
  if (text < EARLIEST_DATE) return `日期${TOO_EARLY}`;
  if (past && text > today()) return `日期不能晚于今天（${today()}）`;
  if (text > latestDate()) return `日期${tooLate()}`;
  return null;
}
const dateSchema = (past: boolean) =>
  z.string().superRefine((text, ctx) => {
    const problem = dateProblem(text, past);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A calendar date `YYYY-MM-DD` from 1900 to ten years ahead (a planned date, a filter's bound). */
export const dateOnly = dateSchema(false);

/** A China business date that has happened (a sale, a trade, an assessment, a NAV): from 1900 to today. */
export const pastDate = dateSchema(true);

/** A dictionary code; whether it exists is checked against the dictionaries table. */
export const code = z
  .string()
  .min(1)
  .max(32)
  .refine((v) => !CONTROL_CHARACTERS.test(v), CONTROL_CHARACTER_MESSAGE);

export const positiveId = z.number().int().positive();

/**
 * A point in time, kept to whole seconds (what a MySQL DATETIME stores, so answers match the row),
 * on a China day from 1900 to ten years ahead (see `dateOnly`).
 */
export const instant = z.coerce
  .date()
  .superRefine((at, ctx) => {
    // Compared as instants: a China day string is no use past year 9999 (`+010000-…`).
    if (at.getTime() < Date.parse(`${EARLIEST_DATE}T00:00:00+08:00`)) ctx.addIssue({ code: 'custom', message: `时间${TOO_EARLY}` });
    else if (at.getTime() >= Date.parse(`${latestDate()}T00:00:00+08:00`) + 86_400_000) ctx.addIssue({ code: 'custom', message: `时间${tooLate()}` });
  })
  .transform((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
