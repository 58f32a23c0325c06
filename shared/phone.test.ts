import { isMainlandMobile, normalizePhone, parsePhone } from './phone';

describe('normalizePhone', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['１３８ 0013 8000', '13800138000'],
    ['+86-138-0013-8000', '13800138000'],
    ['＋８６ １３８００１３８０００', '13800138000'],
    ['0086 13800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['(021) 6888-1234', '02168881234'],
    ['+852 9123 4567', '+85291234567'],
  ])('normalises %s to %s', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it('makes the full-width and the +86 spelling of one number collide', () => {
    expect(normalizePhone('１３８ 0013 8000')).toBe(normalizePhone('+86-138-0013-8000'));
  });

  it.each([null, undefined, '', '   ', 'abc', '138-0013-800a'])('gives null for %p', (raw) => {
    expect(normalizePhone(raw)).toBeNull();
  });

  it('recognises mainland mobiles', () => {
    expect(isMainlandMobile('13800138000')).toBe(true);
    expect(isMainlandMobile('02168881234')).toBe(false);
    expect(isMainlandMobile('12800138000')).toBe(false);
  });
});

describe('parsePhone', () => {
  it.each([
    ['138 0013 8000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['(021) 6888-1234', '02168881234'],
    ['0755-8765432', '07558765432'],
    ['400-820-8820', '4008208820'],
    ['+852 9123 4567', '+85291234567'],
    ['+1 415 555 0100', '+14155550100'],
  ])('accepts %s as %s', (raw, expected) => {
    expect(parsePhone(raw)).toBe(expected);
  });

  it.each([
    ['00', 'a bare international prefix'],
    ['1', 'one digit'],
    ['1'.repeat(40), '40 digits'],
    ['12800138000', 'no mainland mobile starts 12'],
    ['6888 1234', 'a landline without its area code'],
    ['+1234567', 'E.164 shorter than 8 digits'],
    ['+1234567890123456', 'E.164 longer than 15 digits'],
    ['+0123456789', 'no country code starts with 0'],
  ])('refuses %s (%s)', (raw) => {
    expect(parsePhone(raw)).toBeNull();
  });
});
