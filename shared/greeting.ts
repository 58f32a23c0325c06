/**
 * How a message addresses the customer — one rule for 话术, welcome messages, 客户群发 and their
 * previews, so what a preview shows is what the customer gets (issue 34):
 *
 * - an admin-chosen 称呼 on the customer (「王总」) wins;
 * - else the CRM name: an individual as surname + 先生 / 女士 when the gender is known (recorded, or
 *   read from a 居民身份证 number: its 17th digit is odd for men, GB 11643-1999), else the full name;
 *   an institution by its name;
 * - no CRM name (a contact not linked to a customer yet, or a lead still named by its WeChat nickname
 *   with emoji or digits): nothing, so 「{称呼}您好」 reads 「您好」.
 *
 * Never the WeCom remark (「张晨娜-上海浦江」 is the rep's note) nor the WeChat nickname (「🌸晓月🌸」).
 */

export const GENDERS = { male: '男', female: '女' } as const;
export type Gender = keyof typeof GENDERS;
export const GENDER_CODES = Object.keys(GENDERS) as [Gender, ...Gender[]];

/** The placeholders a text may carry; the older spellings of the welcome editor are kept. */
export const CUSTOMER_PLACEHOLDERS = ['{称呼}', '{客户称呼}'] as const;
export const REP_PLACEHOLDERS = ['{销售}', '{销售姓名}'] as const;

/** What the greeting rule reads of a customer. */
export interface AddressableCustomer {
  name: string | null;
  type?: string | null;
  gender?: Gender | null;
  salutation?: string | null;
  idType?: string | null;
  idNumber?: string | null;
}

/** Two-character surnames common enough to matter (欧阳娜娜 → 欧阳女士). */
const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐', '端木'];

/** The gender recorded, else the one a 居民身份证 number says. */
export function genderOf(c: AddressableCustomer): Gender | null {
  if (c.gender) return c.gender;
  if (c.idType === 'resident_id' && c.idNumber && /^\d{17}[\dX]$/i.test(c.idNumber)) return Number(c.idNumber[16]) % 2 === 1 ? 'male' : 'female';
  return null;
}

/** 「张先生」, 「王总」, 「张晨娜」, or null when the CRM has no name for them. */
export function addressOf(c: AddressableCustomer | null | undefined): string | null {
  if (!c) return null;
  const salutation = c.salutation?.trim();
  if (salutation) return salutation;
  const name = c.name?.trim();
  // A "name" with digits, emoji or symbols (「🌸晓月🌸」 copied from WeChat into a lead) is no name to greet by.
  if (!name || /[^\p{L}\p{M}\s·.-]/u.test(name)) return null;
  if (c.type && c.type !== 'individual') return name;
  const gender = genderOf(c);
  if (!gender || !/^[\u4e00-\u9fff]{2,4}$/.test(name)) return name;
  const surname = COMPOUND_SURNAMES.find((s) => name.startsWith(s) && name.length > s.length) ?? name[0]!;
  return `${surname}${gender === 'male' ? '先生' : '女士'}`;
}

/** Fills the customer's and the rep's placeholders: the customer's address or nothing, the rep's name. */
export function fillPlaceholders(text: string, names: { customer: string | null; rep: string }): string {
  let out = text;
  for (const p of CUSTOMER_PLACEHOLDERS) out = out.split(p).join(names.customer ?? '');
  for (const p of REP_PLACEHOLDERS) out = out.split(p).join(names.rep);
  // 「{称呼}，您好」 without a name must not open with a comma.
  return names.customer ? out : out.replace(/^[\s，,、：:]+/, '');
}

/** The sample the previews use: a customer 张伟, male. */
export const PREVIEW_CUSTOMER: AddressableCustomer = { name: '张伟', type: 'individual', gender: 'male' };
