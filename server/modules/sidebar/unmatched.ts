/**
 * Why a WeCom contact is not linked to a customer, in words a rep can act on. Matching goes by
 * unionid, then remark mobile (server/README.md#matching); a unionid exists only for WeChat users of a corp
 * bound to a WeChat developer account (96315), so in many corps the remark mobile is the key.
 */
export interface UnmatchedFacts {
  type: 'wechat' | 'wecom';
  hasUnionid: boolean;
  remarkMobiles: readonly string[];
  /** Whether any customer or contact has one of those mobiles. */
  mobileKnown: boolean;
  suggestions: number;
}

export function unmatchedReasons(facts: UnmatchedFacts): string[] {
  const reasons: string[] = [];
  if (!facts.hasUnionid) {
    reasons.push(
      facts.type === 'wecom'
        ? '对方是企业微信用户，没有 unionid，不能按微信身份自动匹配'
        : '企业微信没有提供此人的 unionid（企业未绑定微信开发者账号时不提供），不能按微信身份自动匹配',
    );
  }
  if (!facts.remarkMobiles.length) reasons.push('你在企业微信里没有为他备注手机号：备注手机号后，CRM 会按手机号自动匹配');
  else if (!facts.mobileKnown) reasons.push(`备注手机号 ${facts.remarkMobiles.join('、')} 在 CRM 里没有对应的客户或联系人`);
  if (facts.suggestions) reasons.push('下面有可能是同一人的客户，请确认后关联');
  return reasons;
}
