/** The one greeting rule of 话术, welcome messages and 客户群发 (shared/greeting.ts, issue 34). */
import { addressOf, fillPlaceholders } from '@shared/greeting';
import { fillQuickReply, renderWelcome } from '@shared/engagement';

describe('addressOf', () => {
  it('addresses a man by surname and 先生, a woman by surname and 女士', () => {
    expect(addressOf({ name: '张伟', type: 'individual', gender: 'male' })).toBe('张先生');
    expect(addressOf({ name: '欧阳娜娜', type: 'individual', gender: 'female' })).toBe('欧阳女士');
  });

  it('reads the gender from a 居民身份证 number when none is recorded', () => {
    expect(addressOf({ name: '李娜', type: 'individual', idType: 'resident_id', idNumber: '11010519491231002X' })).toBe('李女士');
  });

  it('prefers the 称呼 an admin chose', () => {
    expect(addressOf({ name: '王建', type: 'individual', gender: 'male', salutation: '王总' })).toBe('王总');
  });

  it('uses the full name when the gender is unknown, and an institution’s name', () => {
    expect(addressOf({ name: '张晨娜', type: 'individual' })).toBe('张晨娜');
    expect(addressOf({ name: '上海某某科技有限公司', type: 'institution' })).toBe('上海某某科技有限公司');
  });

  it('has nothing for a customer without a usable name (a nickname with emoji, no customer)', () => {
    expect(addressOf({ name: '🌸晓月🌸', type: 'individual' })).toBeNull();
    expect(addressOf(null)).toBeNull();
  });
});

describe('fillPlaceholders', () => {
  it('fills {称呼} and {销售}, and the welcome editor’s older spellings', () => {
    expect(fillPlaceholders('{称呼}您好，我是{销售}', { customer: '张先生', rep: '李娜' })).toBe('张先生您好，我是李娜');
    expect(renderWelcome('{客户称呼}您好，我是{销售姓名}', { customer: '张先生', rep: '李娜' })).toBe('张先生您好，我是李娜');
  });

  it('greets neutrally without a name, never opening with a comma', () => {
    expect(fillPlaceholders('{称呼}您好', { customer: null, rep: '李娜' })).toBe('您好');
    expect(fillQuickReply('{客户称呼}，早上好！', null)).toBe('早上好！');
  });
});
