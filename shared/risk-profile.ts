/** A customer's risk profile as people read it (shared/suitability.ts has the rules and schemas). */
import type { RISK_LEVELS } from './products';
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

/** How a risk profile reads on a card: 「C3 稳健型 · 至 2027-06-01」, and whether it needs attention. */
export function riskProfileText(profile: RiskProfile, today: string): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  if (profile.investorClass === 'professional') return { text: INVESTOR_CLASSES.professional, tone: 'ok' };
  if (!profile.riskLevel) return { text: '未测评', tone: 'bad' };
  const label = `${profile.riskLevel} ${CUSTOMER_RISK_LABELS[profile.riskLevel]}`;
  // Without a date the level is no basis for a sale (shared/suitability.ts).
  if (!profile.riskAssessedOn) return { text: `${label} · 缺测评日期`, tone: 'bad' };
  const until = profile.riskAssessmentExpiresOn ?? addDays(profile.riskAssessedOn, DEFAULT_ASSESSMENT_VALID_DAYS);
  if (until && until < today) return { text: `${label} · 已于 ${until} 过期`, tone: 'bad' };
  const soon = until !== null && Date.parse(`${until}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`) <= 30 * 86_400_000;
  return { text: until ? `${label} · 至 ${until}` : label, tone: soon ? 'warn' : 'ok' };
}
