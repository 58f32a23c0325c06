import { businessDate, isCalendarDate, startOfBusinessDay } from '@shared/time';

describe('China business days', () => {
  it('starts the day at midnight Shanghai time (16:00 UTC the day before)', () => {
    expect(startOfBusinessDay(new Date('2026-11-23T15:59:59Z')).toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(startOfBusinessDay(new Date('2026-11-23T16:00:00Z')).toISOString()).toBe('2026-11-23T16:00:00.000Z');
  });

  it('moves whole days forward', () => {
    expect(startOfBusinessDay(new Date('2026-12-31T20:00:00Z'), 1).toISOString()).toBe('2027-01-01T16:00:00.000Z');
  });

  it('names the China date of an instant', () => {
    expect(businessDate(new Date('2026-11-23T17:30:00Z'))).toBe('2026-11-24');
  });

  it('accepts only real calendar dates', () => {
    expect(['2026-02-28', '2028-02-29'].map(isCalendarDate)).toEqual([true, true]);
    expect(['2026-02-29', '2026-13-01', '2026-1-1', '20261101'].map(isCalendarDate)).toEqual([false, false, false, false]);
  });
});
