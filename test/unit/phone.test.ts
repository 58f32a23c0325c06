import { isMainlandMobile, normalizePhone } from '@shared/phone';

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
