/** Amounts as the rep types them (元) and as the pages show them (万元 / 元, never wrapped). */

const MAX_YUAN = 1e11;

/** "12.3456 万元" — the whole value in 万元, exact to the fen (for the live display beside an input). */
export function inWan(amount: number): string {
  return `${(amount / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 6 })} 万元`;
}

/** "78 万元" from 10,000 yuan up, "8,000 元" below; a sign when asked (trade records). */
export function moneyText(amount: number, signed = false): string {
  const sign = signed ? (amount > 0 ? '+' : amount < 0 ? '−' : '') : amount < 0 ? '−' : '';
  const abs = Math.abs(amount);
  const body =
    abs >= 10_000
      ? `${(abs / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 万元`
      : `${abs.toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 元`;
  return `${sign}${body}`;
}

/** Shares: "12,345.67 份". */
export function sharesText(shares: number, signed = false): string {
  const sign = signed ? (shares > 0 ? '+' : shares < 0 ? '−' : '') : '';
  return `${sign}${Math.abs(shares).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 份`;
}

/**
 * What the rep typed in a 元 field, or the Chinese reason it can't be saved (the server's rules:
 * positive — or for an adjustment non-zero —, at most two decimals, at most one hundred billion).
 */
export function parseYuan(input: string, options: { signed?: boolean; required?: boolean; what?: string } = {}): { value: number | undefined; error?: string } {
  const what = options.what ?? '金额';
  const text = input.replace(/[,，\s]/g, '');
  if (!text) return options.required === false ? { value: undefined } : { value: undefined, error: `请填写${what}` };
  if (!/^[+-]?\d+(\.\d*)?$|^[+-]?\.\d+$/.test(text)) return { value: undefined, error: `请输入正确的${what}（数字）` };
  const value = Number(text);
  const decimals = text.split('.')[1]?.length ?? 0;
  if (decimals > 2) return { value: undefined, error: `${what}最多两位小数` };
  if (options.signed) {
    if (value === 0) return { value: undefined, error: `调整${what}不能为 0` };
  } else if (value <= 0) return { value: undefined, error: `${what}必须大于 0` };
  if (Math.abs(value) > MAX_YUAN) return { value: undefined, error: `${what}过大` };
  return { value };
}
