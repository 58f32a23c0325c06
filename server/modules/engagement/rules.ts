/** Engagement's pure rules, tested beside them (rules.test.ts). */
import { normalizePhone } from '@shared/phone';

/**
 * The remark mobiles after the CRM phone changed: the phone first, the numbers the CRM put there
 * before and no longer holds (`dropped`: what it wrote, the previous phone) out, the numbers the
 * rep keeps there for other reasons left as they are (compared normalised). WeCom replaces the
 * whole list with what is sent (96317 修改客户备注信息: 「如果填写了remark_mobiles,将会覆盖旧的备注手机号」),
 * so the list sent must be the whole list wanted.
 */
export function nextRemarkMobiles(current: readonly string[], phone: string, dropped: readonly (string | null)[]): string[] {
  const same = (a: string, b: string | null) => b !== null && (normalizePhone(a) ?? a) === (normalizePhone(b) ?? b);
  return [phone, ...current.filter((m) => !same(m, phone) && !dropped.some((d) => same(m, d)))];
}

/** True when two remark-mobile lists say the same thing, in the same order (nothing to write). */
export const sameMobiles = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((m, i) => m === b[i]);
