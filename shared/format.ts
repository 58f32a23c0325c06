/**
 * Money, shares, NAVs and dates as people read them — written one way, by the H5 (h5/src/format.ts)
 * and by anything the server writes for people (exports, summaries). Money: 元 below 10,000,
 * 万元 from there, always two decimals; dates: the China calendar day, the year only when it is
 * not this year's.
 *
 * No zod and nothing heavy here: the chat sidebar paints its card with it.
 */
import { businessClock } from './time';

const WAN = 10_000;
/** The minus sign of a negative figure (U+2212, as wide as the plus). */
const MINUS = '−';

const fixed = (n: number, digits: number) => n.toLocaleString('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const signOf = (n: number, signed: boolean) => (n < 0 ? MINUS : signed && n > 0 ? '+' : '');

/**
 * "12.35 万元" from 10,000 yuan up, "8,000.00 元" below, always two decimals; a negative amount
 * with "−", and `signed` (a change: a gain, a flow) puts "+" before a positive one.
 */
export function moneyText(amount: number, signed = false): string {
  const abs = Math.abs(amount);
  return `${signOf(amount, signed)}${abs >= WAN ? `${fixed(abs / WAN, 2)} 万元` : `${fixed(abs, 2)} 元`}`;
}

/** Fund shares: "32,201.00 份" (hundredths of a share), `signed` for shares moved. */
export function sharesText(shares: number, signed = false): string {
  return `${signOf(shares, signed)}${fixed(Math.abs(shares), 2)} 份`;
}

/** A unit NAV: "1.2422" (four decimals, as fund companies publish it). */
export const navText = (nav: number): string => nav.toFixed(4);

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * "12月16日" — a business day (`YYYY-MM-DD`, taken as written) or the China day of an instant
 * (an ISO string or a Date); "2025年12月16日" when not this year's; '' for nothing.
 */
export function dateText(value: string | Date | null | undefined, now = new Date()): string {
  if (!value) return '';
  const day = typeof value === 'string' ? DATE_ONLY.exec(value) : null;
  const { year, month, day: date } = day ? { year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) } : businessClock(new Date(value));
  return `${year === businessClock(now).year ? '' : `${year}年`}${month}月${date}日`;
}

/** "12月16日 10:05" — an instant in China time (the year when not this year's); '' for nothing. */
export function dateTimeText(value: string | Date | null | undefined, now = new Date()): string {
  if (!value) return '';
  const { hour, minute } = businessClock(new Date(value));
  return `${dateText(new Date(value), now)} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/**
 * A name's first character as an avatar shows it: a whole character, an emoji with its modifiers
 * and joiners included (「😀王」 → 😀, never half of a surrogate pair); '' for an empty name.
 */
export function initialOf(name: string): string {
  const text = name.trim();
  if (!text) return '';
  const Segmenter = (Intl as { Segmenter?: new (locale: string, o: { granularity: 'grapheme' }) => { segment(t: string): Iterable<{ segment: string }> } })
    .Segmenter;
  if (Segmenter) for (const { segment } of new Segmenter('zh', { granularity: 'grapheme' }).segment(text)) return segment;
  return [...text][0]!;
}
