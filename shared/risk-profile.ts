/**
 * A customer's risk profile as people read it, and the suitability rule (`checkSuitability`), without
 * zod: the schemas are in shared/suitability.ts, which re-exports all of this.
 */
import type { RISK_LEVELS } from './products';
import { dateText } from './format';
import { addDays } from './time';

/** Without a validity date, an assessment holds this long (a corp policy; many use one year). */
export const DEFAULT_ASSESSMENT_VALID_DAYS = 365;

export const CUSTOMER_RISK_LEVELS = ['C1', 'C2', 'C3', 'C4', 'C5'] as const;
export type CustomerRiskLevel = (typeof CUSTOMER_RISK_LEVELS)[number];
export const CUSTOMER_RISK_LABELS: Record<CustomerRiskLevel, string> = { C1: '保守型', C2: '谨慎型', C3: '稳健型', C4: '积极型', C5: '激进型' };
export const PRODUCT_RISK_LABELS: Record<(typeof RISK_LEVELS)[number], string> = { R1: '低风险', R2: '中低风险', R3: '中风险', R4: '中高风险', R5: '高风险' };

export const INVESTOR_CLASSES = { ordinary: '普通投资者', professional: '专业投资者' } as const;
export type InvestorClass = keyof typeof INVESTOR_CLASSES;

export interface RiskProfile {
  riskLevel: CustomerRiskLevel | null;
  investorClass: InvestorClass;
  riskAssessedOn: string | null;
  riskAssessmentExpiresOn: string | null;
}

/** How a risk profile reads on a card: 「C3 稳健型 · 至 2027年6月1日」 (dates as every page writes them), and whether it needs attention. */
export function riskProfileText(profile: RiskProfile, today: string): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  if (profile.investorClass === 'professional') return { text: INVESTOR_CLASSES.professional, tone: 'ok' };
  if (!profile.riskLevel) return { text: '未测评', tone: 'bad' };
  const label = `${profile.riskLevel} ${CUSTOMER_RISK_LABELS[profile.riskLevel]}`;
  // Without a date the level is no basis for a sale (shared/suitability.ts).
  if (!profile.riskAssessedOn) return { text: `${label} · 缺测评日期`, tone: 'bad' };
  const until = profile.riskAssessmentExpiresOn ?? addDays(profile.riskAssessedOn, DEFAULT_ASSESSMENT_VALID_DAYS);
  const on = (day: string) => dateText(day, new Date(`${today}T12:00:00+08:00`));
  if (until && until < today) return { text: `${label} · 已于${on(until)}过期`, tone: 'bad' };
  const soon = until !== null && Date.parse(`${until}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`) <= 30 * 86_400_000;
  return { text: until ? `${label} · 至${on(until)}` : label, tone: soon ? 'warn' : 'ok' };
}

export type SuitabilityProblem = 'missing_assessment' | 'expired_assessment' | 'level';

export type Suitability =
  | { ok: true }
  | { ok: false; problem: SuitabilityProblem; customerLevel: CustomerRiskLevel | null; productLevel: string; overridable: boolean; message: string };

/** When an assessment stops holding: its own date, else the assessment day plus the default validity. */
export function assessmentExpiresOn(profile: RiskProfile): string | null {
  if (profile.riskAssessmentExpiresOn) return profile.riskAssessmentExpiresOn;
  return profile.riskAssessedOn ? addDays(profile.riskAssessedOn, DEFAULT_ASSESSMENT_VALID_DAYS) : null;
}

/** Whether a customer with `profile` may be sold a product of `productLevel` on `today` (YYYY-MM-DD). */
export function checkSuitability(profile: RiskProfile, productLevel: string, today: string): Suitability {
  if (profile.investorClass === 'professional') return { ok: true };
  const mismatch = (problem: SuitabilityProblem, overridable: boolean, message: string): Suitability => ({
    ok: false,
    problem,
    customerLevel: profile.riskLevel,
    productLevel,
    overridable,
    message,
  });
  if (!profile.riskLevel) return mismatch('missing_assessment', false, `客户还没有风险测评，不能购买 ${productLevel} 产品：请先完成风险承受能力评估`);
  // A level with no assessment date is no assessment: nobody can tell when it was made or whether it still holds.
  if (!profile.riskAssessedOn)
    return mismatch('missing_assessment', false, `客户的风险等级 ${profile.riskLevel} 没有测评日期，不能作为购买 ${productLevel} 产品的依据：请重新测评`);
  const grade = Number(profile.riskLevel.slice(1));
  const risk = Number(productLevel.slice(1));
  const expiresOn = assessmentExpiresOn(profile)!;
  if (expiresOn < today) {
    return mismatch(
      'expired_assessment',
      false,
      `客户的风险测评已于${dateText(expiresOn, new Date(`${today}T12:00:00+08:00`))}过期（${profile.riskLevel}），请重新测评后再购买 ${productLevel} 产品`,
    );
  }
  if (risk > grade) {
    return mismatch(
      'level',
      grade > 1,
      `适当性不匹配：客户风险等级 ${profile.riskLevel}（${CUSTOMER_RISK_LABELS[profile.riskLevel]}），产品风险等级 ${productLevel}，${grade === 1 ? '保守型客户不能购买高于 R1 的产品' : '需客户书面确认并填写例外原因'}`,
    );
  }
  return { ok: true };
}
