/**
 * Customers' risk profiles as the sale form's parts read them (the product picker marks what is
 * above the level, the exception panel judges the pick): one request per customer while the page
 * is open, shared by both.
 */
import { checkSuitability, type RiskProfile } from '@shared/risk-profile';
import { customersApi } from '@/api/customers';
import { todayDate } from '@/components/business/dates';

const profiles = new Map<number, Promise<RiskProfile>>();

export function riskProfileOf(customerId: number): Promise<RiskProfile> {
  let found = profiles.get(customerId);
  if (!found) {
    found = customersApi.detail(customerId).then((c) => ({
      riskLevel: c.riskLevel,
      investorClass: c.investorClass,
      riskAssessedOn: c.riskAssessedOn,
      riskAssessmentExpiresOn: c.riskAssessmentExpiresOn,
    }));
    // A failed read is asked again next time, and a profile edited elsewhere is read afresh a minute on.
    found.catch(() => profiles.delete(customerId));
    setTimeout(() => profiles.delete(customerId), 60_000);
    profiles.set(customerId, found);
  }
  return found;
}

/** Whether a product of `riskLevel` is above the customer's grade (the rule of shared/risk-profile.ts; a professional investor is not graded). */
export function aboveLevel(profile: RiskProfile, riskLevel: string): boolean {
  const verdict = checkSuitability(profile, riskLevel, todayDate());
  return !verdict.ok && verdict.problem === 'level';
}
