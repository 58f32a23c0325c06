/**
 * One phone normalisation for customers, contacts, imports and WeCom remark mobiles, so the same
 * number written any way compares equal: full-width digits and symbols folded (NFKC), spaces,
 * dashes, dots and brackets dropped, a +86 / 0086 / 86 country prefix removed from mainland
 * numbers. Other international numbers keep their leading `+`.
 */
export function normalizePhone(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  let text = raw.normalize('NFKC').replace(/[\s\-.()（）/]/g, '');
  if (text === '') return null;
  const plus = text.startsWith('+');
  if (plus) text = text.slice(1);
  if (!/^\d+$/.test(text)) return null;
  if (plus || text.startsWith('00')) {
    const international = plus ? text : text.slice(2);
    if (international.startsWith('86') && international.length > 10) return international.slice(2);
    return `+${international}`;
  }
  // 8613800138000 written without "+": a mainland mobile behind the country code.
  if (/^861\d{10}$/.test(text)) return text.slice(2);
  return text;
}

/** A mainland mobile number after normalisation. */
export function isMainlandMobile(normalized: string): boolean {
  return /^1[3-9]\d{9}$/.test(normalized);
}
