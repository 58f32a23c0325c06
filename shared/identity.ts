/** A customer's identity document (KYC, 反洗钱客户身份识别): its type and the rule for a 居民身份证 number. No zod: the H5 detail page shows these. */
import { isCalendarDate } from './time';

/** 证件类型, code → label. */
export const ID_TYPES = {
  resident_id: '居民身份证',
  passport: '护照',
  hk_macao_permit: '港澳居民来往内地通行证',
  taiwan_permit: '台湾居民来往大陆通行证',
  foreign_permanent_id: '外国人永久居留身份证',
  other: '其他',
} as const;
export type IdType = keyof typeof ID_TYPES;
export const ID_TYPE_CODES = Object.keys(ID_TYPES) as [IdType, ...IdType[]];

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

/** What is wrong with `value` as a 居民身份证号码 (GB 11643: 17 digits, the birth date among them, and a check character), or null. */
export function residentIdProblem(value: string): string | null {
  if (!/^\d{17}[\dX]$/.test(value)) return '居民身份证号码应为 18 位，最后一位可以是 X';
  if (!isCalendarDate(`${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`)) return '居民身份证号码中的出生日期不正确';
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(value[i]), 0);
  if (CHECK_CHARACTERS[sum % 11] !== value[17]) return '居民身份证号码的校验位不正确，请核对';
  return null;
}

/** What is wrong with an ID number of type `idType`, or null (only a 居民身份证 has a rule of its own). */
export const idNumberProblem = (idType: string | null | undefined, idNumber: string | null | undefined): string | null =>
  idType === 'resident_id' && idNumber ? residentIdProblem(idNumber) : null;
