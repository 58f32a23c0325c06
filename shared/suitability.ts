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
import { CUSTOMER_RISK_LEVELS } from './risk-profile';

// The labels, the card's wording and the rule itself live apart, without zod, for the sidebar's
// first paint and the sale form's product picker.
export * from './risk-profile';

/** The risk profile fields of a customer (API, H5 form, import). */
export const riskProfileFields = {
  riskLevel: z.enum(CUSTOMER_RISK_LEVELS, '风险等级应为 C1–C5').nullable().optional(),
  investorClass: z.enum(['ordinary', 'professional'], '投资者类别应为普通投资者或专业投资者').optional(),
  riskAssessedOn: pastDate.nullable().optional(),
  riskAssessmentExpiresOn: dateOnly.nullable().optional(),
};

/** A sale past a mismatch: the reason the investor insisted (permission `sales.override_suitability`). */
export const suitabilityOverrideSchema = z.object({ reason: z.string().trim().min(1, '请填写适当性例外原因').max(500, '例外原因不能超过 500 字') });
