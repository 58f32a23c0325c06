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

export const PHONE_MESSAGE = '电话号码格式不正确：手机号 11 位，座机请带区号，境外号码以 + 开头';

/**
 * A phone number worth storing, normalised; null for anything else. Accepted: a mainland mobile
 * (`1[3-9]` + 9 digits), a landline with its area code (`0` + 2–3 digit area + 7–8 digit number),
 * a 400 / 800 service number, or an international number in E.164 form (`+`, 8–15 digits).
 */
export function parsePhone(raw: string | null | undefined): string | null {
  const phone = normalizePhone(raw);
  if (phone === null) return null;
  if (isMainlandMobile(phone) || /^0[1-9]\d{1,2}\d{7,8}$/.test(phone) || /^[48]00\d{7}$/.test(phone) || /^\+[1-9]\d{7,14}$/.test(phone)) return phone;
  return null;
}
