import { checkSuitability, type RiskProfile } from './suitability';

const profile = (over: Partial<RiskProfile> = {}): RiskProfile => ({
  riskLevel: 'C3',
  investorClass: 'ordinary',
  riskAssessedOn: '2026-01-01',
  riskAssessmentExpiresOn: '2027-01-01',
  ...over,
});
const TODAY = '2026-12-01';

describe('checkSuitability', () => {
  it('lets a customer buy up to their own grade', () => {
    expect(checkSuitability(profile(), 'R3', TODAY)).toEqual({ ok: true });
  });

  it('refuses a product above the grade, naming both levels, and allows an override', () => {
    expect(checkSuitability(profile(), 'R4', TODAY)).toMatchObject({
      ok: false,
      problem: 'level',
      customerLevel: 'C3',
      productLevel: 'R4',
      overridable: true,
      message: expect.stringContaining('C3'),
    });
  });

  it('never lets C1 (the lowest category) be overridden above R1', () => {
    expect(checkSuitability(profile({ riskLevel: 'C1' }), 'R2', TODAY)).toMatchObject({ ok: false, overridable: false });
  });

  it('refuses any sale on an expired assessment, without override', () => {
    expect(checkSuitability(profile({ riskAssessmentExpiresOn: '2026-11-30' }), 'R1', TODAY)).toMatchObject({
      ok: false,
      problem: 'expired_assessment',
      overridable: false,
    });
  });

  it('refuses a customer with no assessment', () => {
    expect(checkSuitability(profile({ riskLevel: null }), 'R1', TODAY)).toMatchObject({ ok: false, problem: 'missing_assessment', overridable: false });
  });

  it('does not grade a professional investor', () => {
    expect(checkSuitability(profile({ investorClass: 'professional', riskLevel: null }), 'R5', TODAY)).toEqual({ ok: true });
  });

  it('holds on the last day of validity', () => {
    expect(checkSuitability(profile({ riskAssessmentExpiresOn: TODAY }), 'R3', TODAY)).toEqual({ ok: true });
  });
});

describe('an assessment without dates', () => {
  it('is no assessment: a level with no assessment date is refused and cannot be overridden', () => {
    expect(checkSuitability(profile({ riskLevel: 'C5', riskAssessedOn: null, riskAssessmentExpiresOn: null }), 'R1', TODAY)).toMatchObject({
      ok: false,
      problem: 'missing_assessment',
      overridable: false,
    });
  });

  it('holds 365 days from the assessment when it has no expiry of its own', () => {
    expect(checkSuitability(profile({ riskAssessedOn: '2025-12-02', riskAssessmentExpiresOn: null }), 'R3', TODAY)).toEqual({ ok: true });
    expect(checkSuitability(profile({ riskAssessedOn: '2025-11-30', riskAssessmentExpiresOn: null }), 'R3', TODAY)).toMatchObject({
      ok: false,
      problem: 'expired_assessment',
    });
  });
});
