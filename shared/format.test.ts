import { dateText, dateTimeText, moneyText, navText, sharesText } from './format';

const NOW = new Date('2026-12-07T04:00:00Z');

describe('shared/format: money, shares, NAVs and dates written one way', () => {
  it('writes money in 元 below 10,000 and in 万元 from there, always with two decimals', () => {
    expect(moneyText(8000)).toBe('8,000.00 元');
    expect(moneyText(9999.99)).toBe('9,999.99 元');
    expect(moneyText(10_000)).toBe('1.00 万元');
    expect(moneyText(123_456)).toBe('12.35 万元');
    expect(moneyText(1_000_000)).toBe('100.00 万元');
    expect(moneyText(0)).toBe('0.00 元');
  });

  it('puts − before a negative amount, and + before a positive change when signed', () => {
    expect(moneyText(-2000)).toBe('−2,000.00 元');
    expect(moneyText(2000, true)).toBe('+2,000.00 元');
    expect(moneyText(-63_400, true)).toBe('−6.34 万元');
    expect(moneyText(0, true)).toBe('0.00 元');
  });

  it('writes shares with two decimals and a NAV with four', () => {
    expect(sharesText(32_201)).toBe('32,201.00 份');
    expect(sharesText(-805.15, true)).toBe('−805.15 份');
    expect(navText(1.2422)).toBe('1.2422');
    expect(navText(1)).toBe('1.0000');
  });

  it('writes a business day as written and an instant as its China day, the year only when not this one', () => {
    expect(dateText('2026-12-16', NOW)).toBe('12月16日');
    expect(dateText('2025-03-01', NOW)).toBe('2025年3月1日');
    // 2026-12-06 17:00 UTC is already the 7th in China.
    expect(dateText('2026-12-06T17:00:00Z', NOW)).toBe('12月7日');
    expect(dateText(null, NOW)).toBe('');
  });

  it('writes an instant with its China time', () => {
    expect(dateTimeText('2026-12-06T02:05:00Z', NOW)).toBe('12月6日 10:05');
    expect(dateTimeText('2025-12-31T16:30:00Z', NOW)).toBe('1月1日 00:30');
    expect(dateTimeText(undefined, NOW)).toBe('');
  });
});
