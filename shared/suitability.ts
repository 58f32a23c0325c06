/**
 * Investor suitability (投资者适当性, 《证券期货投资者适当性管理办法》, CSRC 2017): an ordinary
 * investor (普通投资者) is graded C1 保守型 … C5 激进型 by a risk questionnaire; a product R1 低风险 …
 * R5 高风险. C1 may buy R1, C2 up to R2, … C5 everything. A professional investor (专业投资者) is
 * not matched by grade. An assessment that is missing or past its validity is no basis for a
 * sale. A mismatch may be overridden — the investor insists, in writing — by someone allowed to,
 * with a reason; never for C1, the lowest category (办法第二十条 forbids selling it anything
 * above its grade), and never without a valid assessment (missing or expired: assess first).
 */
import { z } from 'zod';
import { dateOnly, pastDate } from './fields';
import { addDays } from './time';
import { DEFAULT_ASSESSMENT_VALID_DAYS, CUSTOMER_RISK_LABELS, CUSTOMER_RISK_LEVELS, type CustomerRiskLevel, type RiskProfile } from './risk-profile';

// The labels and the card's wording live apart, without zod, for the sidebar's first paint.
export * from './risk-profile';

/** The risk profile fields of a customer (API, H5 form, import). */
export const riskProfileFields = {
  riskLevel: z.enum(CUSTOMER_RISK_LEVELS, '风险等级应为 C1–C5').nullable().optional(),
  investorClass: z.enum(['ordinary', 'professional'], '投资者类别应为普通投资者或专业投资者').optional(),
  riskAssessedOn: pastDate.nullable().optional(),
  riskAssessmentExpiresOn: dateOnly.nullable().optional(),
};

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
    return mismatch('expired_assessment', false, `客户的风险测评已于 ${expiresOn} 过期（${profile.riskLevel}），请重新测评后再购买 ${productLevel} 产品`);
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

/** A sale past a mismatch: the reason the investor insisted (permission `sales.override_suitability`). */
export const suitabilityOverrideSchema = z.object({ reason: z.string().trim().min(1, '请填写适当性例外原因').max(500, '例外原因不能超过 500 字') });
