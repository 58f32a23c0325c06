import { unmatchedReasons } from './unmatched';

describe('unmatchedReasons', () => {
  const facts = { type: 'wechat' as const, hasUnionid: true, remarkMobiles: ['13800138000'], mobileKnown: false, suggestions: 0 };

  it('says a corp without a bound developer account gives no unionid', () => {
    expect(unmatchedReasons({ ...facts, hasUnionid: false })[0]).toContain('未绑定微信开发者账号');
  });

  it('says a WeCom user has no unionid at all', () => {
    expect(unmatchedReasons({ ...facts, type: 'wecom', hasUnionid: false })[0]).toContain('企业微信用户');
  });

  it('asks for a remark mobile when there is none', () => {
    expect(unmatchedReasons({ ...facts, remarkMobiles: [] })).toEqual([expect.stringContaining('没有为他备注手机号')]);
  });

  it('names a remark mobile no customer has', () => {
    expect(unmatchedReasons(facts)).toEqual(['备注手机号 13800138000 在 CRM 里没有对应的客户或联系人']);
  });

  it('points at the suggestions when there are some', () => {
    expect(unmatchedReasons({ ...facts, mobileKnown: true, suggestions: 2 })).toEqual(['下面有可能是同一人的客户，请确认后关联']);
  });
});
