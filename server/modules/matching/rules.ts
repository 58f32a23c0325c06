/**
 * The matching rules themselves (server/README.md#matching), pure: given a contact's facts and the evidence
 * gathered for it, who it is — or whom it may be. service.ts gathers, decides here, and writes.
 */
import type { MatchedBy, SuggestionReason } from '@shared/matching';

export interface ContactFacts {
  externalUserid: string;
  name: string;
  unionid: string | null;
  corpNames: string[];
  relations: { userid: string; remark: string | null; remarkCorpName: string | null; mobiles: string[]; state: string | null; deletedAt: Date | null }[];
}

export interface Suggestion {
  customerId: number;
  reason: SuggestionReason;
}

export const REASON_RANK: Record<SuggestionReason, number> = { unionid: 0, mobile: 1, name_corp: 2, name_remark_company: 3 };

export interface Candidates {
  match: { customerId: number; matchedBy: MatchedBy } | null;
  suggestions: Suggestion[];
}

/** Customers sharing a unionid, a phone, or a name + institution with any of these contacts. */
export interface Evidence {
  byUnionid: Map<string, number[]>;
  byPhone: Map<string, number[]>;
  byNameAndCompany: Map<string, number[]>;
}

// MySQL compares names case- and trailing-space-insensitively; the key does the same on both dialects.
export const nameKey = (name: string, company: string) => `${name.trim().toLowerCase()}\u0000${company.trim().toLowerCase()}`;

/** Live relations speak for the contact now; a contact only ever followed by lost relations still has their numbers. */
export function mobilesOf(facts: ContactFacts): string[] {
  const live = facts.relations.filter((r) => r.deletedAt === null);
  return [...new Set((live.length ? live : facts.relations).flatMap((r) => r.mobiles))];
}

export const remarkCompaniesOf = (facts: ContactFacts) => [...new Set(facts.relations.map((r) => r.remarkCorpName).filter((n): n is string => Boolean(n)))];

/** The rules, in priority order, over gathered evidence. */
export function decide(facts: ContactFacts, evidence: Evidence): Candidates {
  const suggestions: Suggestion[] = [];
  const union = (lists: (number[] | undefined)[]) => [...new Set(lists.flatMap((l) => l ?? []))];

  if (facts.unionid) {
    const found = evidence.byUnionid.get(facts.unionid) ?? [];
    if (found.length === 1) return { match: { customerId: found[0]!, matchedBy: 'unionid' }, suggestions: [] };
    suggestions.push(...found.map((customerId) => ({ customerId, reason: 'unionid' as const })));
  }
  const byMobile = union(mobilesOf(facts).map((m) => evidence.byPhone.get(m)));
  if (byMobile.length === 1 && suggestions.length === 0) return { match: { customerId: byMobile[0]!, matchedBy: 'mobile' }, suggestions: [] };
  suggestions.push(...byMobile.map((customerId) => ({ customerId, reason: 'mobile' as const })));
  const byName = (companies: string[], reason: SuggestionReason) =>
    suggestions.push(...union(companies.map((c) => evidence.byNameAndCompany.get(nameKey(facts.name, c)))).map((customerId) => ({ customerId, reason })));
  byName(facts.corpNames, 'name_corp');
  byName(remarkCompaniesOf(facts), 'name_remark_company');

  // One entry per customer, under its strongest reason; ties by id for a stable order.
  const best = new Map<number, Suggestion>();
  for (const s of suggestions) {
    const seen = best.get(s.customerId);
    if (!seen || REASON_RANK[s.reason] < REASON_RANK[seen.reason]) best.set(s.customerId, s);
  }
  return { match: null, suggestions: [...best.values()].sort((a, b) => REASON_RANK[a.reason] - REASON_RANK[b.reason] || a.customerId - b.customerId) };
}

export type LeadCandidate = { facts: ContactFacts; addedBy: string };

/** The relation a lead is made from: the adding employee's, else the first. */
export const leadRelation = ({ facts, addedBy }: LeadCandidate) => facts.relations.find((r) => r.userid === addedBy) ?? facts.relations[0];

/**
 * Contacts of one page that would each become a lead may be one person (a shared unionid, or a
 * mobile the first one's lead will carry). Taken one by one, the first becomes the lead and the
 * others then match it; `sameAs` says whom each of those matches (indexes into `firsts`) and how.
 */
export function samePersonInPage(leads: readonly LeadCandidate[]): {
  firsts: LeadCandidate[];
  sameAs: { lead: LeadCandidate; of: number[]; by: 'unionid' | 'mobile' }[];
} {
  const firsts: LeadCandidate[] = [];
  const sameAs: { lead: LeadCandidate; of: number[]; by: 'unionid' | 'mobile' }[] = [];
  const byUnionid = new Map<string, number>();
  const byPhone = new Map<string, number>();
  for (const lead of leads) {
    const unionid = lead.facts.unionid;
    if (unionid && byUnionid.has(unionid)) {
      sameAs.push({ lead, of: [byUnionid.get(unionid)!], by: 'unionid' });
      continue;
    }
    const viaPhone = [...new Set(mobilesOf(lead.facts).flatMap((m) => (byPhone.has(m) ? [byPhone.get(m)!] : [])))];
    if (viaPhone.length) {
      sameAs.push({ lead, of: viaPhone, by: 'mobile' });
      continue;
    }
    const index = firsts.push(lead) - 1;
    if (unionid) byUnionid.set(unionid, index);
    const phone = leadRelation(lead)?.mobiles[0];
    if (phone) byPhone.set(phone, index);
  }
  return { firsts, sameAs };
}
