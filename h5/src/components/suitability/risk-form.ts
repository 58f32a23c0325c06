/**
 * The 风险测评 part of the customer form: what the rep picks, the Chinese checks before saving, and
 * the fields a create or a patch sends (an empty 有效期 is left out, so the server gives the
 * default — a year after the assessment).
 */
import { DEFAULT_ASSESSMENT_VALID_DAYS, type CustomerRiskLevel, type InvestorClass, type RiskProfile } from '@shared/suitability';
import { addDays } from '@shared/time';

export interface RiskDraft {
  riskLevel: CustomerRiskLevel | null;
  investorClass: InvestorClass;
  /** `YYYY-MM-DD`, '' when not picked. */
  riskAssessedOn: string;
  riskAssessmentExpiresOn: string;
}

export const RISK_FIELDS = ['riskLevel', 'investorClass', 'riskAssessedOn', 'riskAssessmentExpiresOn'] as const;

export const emptyRiskDraft = (): RiskDraft => ({ riskLevel: null, investorClass: 'ordinary', riskAssessedOn: '', riskAssessmentExpiresOn: '' });

export const riskDraftOf = (p: RiskProfile): RiskDraft => ({
  riskLevel: p.riskLevel,
  investorClass: p.investorClass,
  riskAssessedOn: p.riskAssessedOn ?? '',
  riskAssessmentExpiresOn: p.riskAssessmentExpiresOn ?? '',
});

/** Until when an assessment of `assessedOn` holds when no validity is given. */
export const defaultExpiry = (assessedOn: string) => addDays(assessedOn, DEFAULT_ASSESSMENT_VALID_DAYS);

/** The profile as it will be saved (an empty 有效期 becomes the default), for the preview badge. */
export function previewProfile(d: RiskDraft): RiskProfile {
  return {
    riskLevel: d.riskLevel,
    investorClass: d.investorClass,
    riskAssessedOn: d.riskAssessedOn || null,
    riskAssessmentExpiresOn: d.riskAssessmentExpiresOn || (d.riskAssessedOn ? defaultExpiry(d.riskAssessedOn) : null),
  };
}

/** The 有效期 can't end before the assessment: the message, or null. */
export const orderError = (d: RiskDraft): string | null =>
  d.riskAssessedOn && d.riskAssessmentExpiresOn && d.riskAssessmentExpiresOn < d.riskAssessedOn ? '测评有效期至不能早于测评日期' : null;

/** The Chinese reasons the draft can't be saved, by field. `original`: the customer as loaded (null: a new one). */
export function checkRiskDraft(d: RiskDraft, original: RiskDraft | null, today: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (d.riskAssessedOn && d.riskAssessedOn > today) out.riskAssessedOn = '测评日期不能晚于今天';
  const order = orderError(d);
  if (order) out.riskAssessmentExpiresOn = order;
  // A new grade is a new assessment: it needs the day it was done.
  if (d.riskLevel && !d.riskAssessedOn && d.riskLevel !== original?.riskLevel) out.riskAssessedOn = '请选择测评日期';
  return out;
}

/**
 * The risk fields to send: all of them on a create, on a patch only what changed. The dates go
 * together; an empty 有效期 beside a 测评日期 is left out (the server sets a year after it).
 */
export function riskPayload(d: RiskDraft, original: RiskDraft | null): Partial<RiskProfile> {
  const out: Partial<RiskProfile> = {};
  if (!original || d.riskLevel !== original.riskLevel) out.riskLevel = d.riskLevel;
  if (!original || d.investorClass !== original.investorClass) out.investorClass = d.investorClass;
  const datesChanged = original
    ? d.riskAssessedOn !== original.riskAssessedOn || d.riskAssessmentExpiresOn !== original.riskAssessmentExpiresOn
    : !!(d.riskAssessedOn || d.riskAssessmentExpiresOn);
  if (datesChanged) {
    out.riskAssessedOn = d.riskAssessedOn || null;
    if (d.riskAssessmentExpiresOn || !d.riskAssessedOn) out.riskAssessmentExpiresOn = d.riskAssessmentExpiresOn || null;
  }
  return out;
}
