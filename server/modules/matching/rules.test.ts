import { decide, samePersonInPage, type ContactFacts, type Evidence } from './rules';

const facts = (over: Partial<ContactFacts> = {}, mobiles: string[] = []): ContactFacts => ({
  externalUserid: 'wm1',
  name: '张伟',
  unionid: null,
  corpNames: [],
  relations: [{ userid: 'rep-1', remark: null, remarkCorpName: null, mobiles, state: null, deletedAt: null }],
  ...over,
});
const evidence = (over: Partial<Evidence> = {}): Evidence => ({ byUnionid: new Map(), byPhone: new Map(), byNameAndCompany: new Map(), ...over });

describe('decide', () => {
  it('links on a unionid one customer has', () => {
    expect(decide(facts({ unionid: 'ou1' }), evidence({ byUnionid: new Map([['ou1', [7]]]) })).match).toEqual({ customerId: 7, matchedBy: 'unionid' });
  });

  it('links on a remark mobile exactly one customer has', () => {
    expect(decide(facts({}, ['13800138000']), evidence({ byPhone: new Map([['13800138000', [9]]]) })).match).toEqual({ customerId: 9, matchedBy: 'mobile' });
  });

  it('never links when two customers share the mobile: both are suggestions', () => {
    const result = decide(facts({}, ['13800138000']), evidence({ byPhone: new Map([['13800138000', [3, 4]]]) }));

    expect(result.match).toBeNull();
    expect(result.suggestions.map((s) => s.customerId)).toEqual([3, 4]);
  });

  it('only suggests a customer of the same name at the same company', () => {
    const result = decide(facts({ corpNames: ['远景科技'] }), evidence({ byNameAndCompany: new Map([['张伟\u0000远景科技', [5]]]) }));

    expect(result).toEqual({ match: null, suggestions: [{ customerId: 5, reason: 'name_corp' }] });
  });

  it('lists a customer once, under its strongest reason', () => {
    const result = decide(
      facts({ unionid: 'ou1', corpNames: ['远景科技'] }),
      evidence({ byUnionid: new Map([['ou1', [5, 6]]]), byNameAndCompany: new Map([['张伟\u0000远景科技', [5]]]) }),
    );

    expect(result.suggestions).toEqual([
      { customerId: 5, reason: 'unionid' },
      { customerId: 6, reason: 'unionid' },
    ]);
  });

  it('ignores the mobiles of ended relations while a live one speaks for the contact', () => {
    const contact = facts({
      relations: [
        { userid: 'rep-1', remark: null, remarkCorpName: null, mobiles: ['13800138000'], state: null, deletedAt: new Date() },
        { userid: 'rep-2', remark: null, remarkCorpName: null, mobiles: [], state: null, deletedAt: null },
      ],
    });

    expect(decide(contact, evidence({ byPhone: new Map([['13800138000', [9]]]) })).match).toBeNull();
  });
});

describe('samePersonInPage', () => {
  const lead = (id: string, over: Partial<ContactFacts>, mobiles: string[] = []) => ({
    facts: facts({ externalUserid: id, ...over }, mobiles),
    addedBy: 'rep-1',
  });

  it('makes one lead of contacts sharing a unionid, the others link to it', () => {
    const { firsts, sameAs } = samePersonInPage([lead('a', { unionid: 'ou1' }), lead('b', { unionid: 'ou1' })]);

    expect(firsts.map((l) => l.facts.externalUserid)).toEqual(['a']);
    expect(sameAs.map((s) => [s.lead.facts.externalUserid, s.of, s.by])).toEqual([['b', [0], 'unionid']]);
  });

  it('makes one lead of contacts whose mobile the first one’s lead will carry', () => {
    const { firsts, sameAs } = samePersonInPage([lead('a', {}, ['13800138000']), lead('b', {}, ['13800138000']), lead('c', {}, ['13900139000'])]);

    expect(firsts.map((l) => l.facts.externalUserid)).toEqual(['a', 'c']);
    expect(sameAs.map((s) => [s.lead.facts.externalUserid, s.by])).toEqual([['b', 'mobile']]);
  });
});
