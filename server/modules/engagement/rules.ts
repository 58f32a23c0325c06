/** Engagement's pure rules, tested beside them (rules.test.ts). */
import { normalizePhone } from '@shared/phone';

/**
 * The remark mobiles after the CRM phone changed: the phone first, the previous phone out, the
 * numbers the rep keeps there for other reasons left as they are (compared normalised).
 */
export function nextRemarkMobiles(current: readonly string[], phone: string, previous: string | null): string[] {
  const same = (a: string, b: string | null) => b !== null && (normalizePhone(a) ?? a) === (normalizePhone(b) ?? b);
  return [phone, ...current.filter((m) => !same(m, phone) && !same(m, previous))];
}

/** True when two remark-mobile lists say the same thing, in the same order (nothing to write). */
export const sameMobiles = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((m, i) => m === b[i]);
