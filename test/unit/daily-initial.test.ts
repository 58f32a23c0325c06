import { initialOf } from '@shared/format';

describe('an avatar’s initial', () => {
  it('is a whole emoji when the name starts with one, never half of it', () => {
    expect(initialOf('😀王强')).toBe('😀');
  });

  it('keeps an emoji joined from several code points together', () => {
    expect(initialOf('👨‍👩‍👧 家庭客户')).toBe('👨‍👩‍👧');
  });

  it('is the first character of a Chinese name, blanks trimmed', () => {
    expect(initialOf('  李娜')).toBe('李');
  });
});
