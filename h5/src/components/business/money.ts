/**
 * Numbers as the rep types them (元, 份, 净值): read by `typedNumber`, then checked by the route's
 * own schema (kit form-errors.ts) with `typedWording` for what is missing or no number. Shown with
 * moneyText (@/format) or AmountText.
 */

/** @deprecated Import `moneyText` from @/format (资产规模 still imports it from here). */
export { moneyText } from '@shared/format';

/** "12.3456 万元" — the whole value in 万元, exact to the fen (for the live display beside an input). */
export function inWan(amount: number): string {
  return `${(amount / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 6 })} 万元`;
}

/** A number as typed in a field: undefined when empty, NaN when it is no number (see `typedWording`), else the number. */
export function typedNumber(input: string): number | undefined {
  const text = input.replace(/[,，\s]/g, '');
  if (!text) return undefined;
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
}

/** A form's words for a typed number the schema refused because it is missing or no number (else the schema's own words). */
export const typedWording =
  (what: string) =>
  (value: unknown): string | undefined =>
    value === undefined ? `请填写${what}` : Number.isNaN(value) ? `请输入正确的${what}（数字）` : undefined;
