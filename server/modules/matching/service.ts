/**
 * Matching a WeCom external contact to a customer (DESIGN §6.3). Deterministic and explainable,
 * in priority order:
 *   1. an existing link stays;
 *   2. the contact's `unionid` equals exactly one customer's;
 *   3. a number in any of its relations' `remark_mobiles` equals (normalised) the phone of exactly
 *      one customer or customer contact — across the corp, whatever any rep's scope;
 *   4. otherwise suggestions only (same name + corp, same name + remark company), never a link.
 * Several equal candidates never link: they become suggestions. A contact with no match and no
 * suggestion may become a lead (corp setting `autoCreateLeads`).
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { MatchedBy, SuggestionReason } from '@shared/matching';
import { normalizePhone } from '@shared/phone';
import { sqlList } from '../../db/dialect';
import { customerModels, stageChangeModels } from '../customers/models';

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

export type MatchOutcome =
  | { status: 'linked'; customerId: number; matchedBy: MatchedBy; isNew: boolean }
  | { status: 'unmatched'; suggestions: Suggestion[] };

const REASON_RANK: Record<SuggestionReason, number> = { unionid: 0, mobile: 1, name_corp: 2, name_remark_company: 3 };

export async function loadContactFacts(sequelize: Sequelize, externalUserid: string, transaction?: Transaction): Promise<ContactFacts | null> {
  const [contact] = await sequelize.query<{ name: string; unionid: string | null; corp_name: string | null; corp_full_name: string | null }>(
    'SELECT name, unionid, corp_name, corp_full_name FROM wecom_external_contacts WHERE external_userid = ?',
    { replacements: [externalUserid], type: QueryTypes.SELECT, transaction },
  );
  if (!contact) return null;
  const relations = await sequelize.query<{ userid: string; remark: string | null; remark_corp_name: string | null; remark_mobiles: string | null; state: string | null; deleted_at: Date | null }>(
    'SELECT userid, remark, remark_corp_name, remark_mobiles, state, deleted_at FROM wecom_follow_relations WHERE external_userid = ? ORDER BY added_at, id',
    { replacements: [externalUserid], type: QueryTypes.SELECT, transaction },
  );
  return {
    externalUserid,
    name: contact.name,
    unionid: contact.unionid || null,
    corpNames: [contact.corp_name, contact.corp_full_name].filter((n): n is string => Boolean(n)),
    relations: relations.map((r) => ({
      userid: r.userid,
      remark: r.remark,
      remarkCorpName: r.remark_corp_name,
      mobiles: (JSON.parse(r.remark_mobiles ?? '[]') as string[]).map((m) => normalizePhone(m)).filter((m): m is string => Boolean(m)),
      state: r.state,
      deletedAt: r.deleted_at,
    })),
  };
}

export interface LinkRow {
  customerId: number;
  matchedBy: MatchedBy;
  linkedAt: Date | string;
}

export async function linkedCustomerOf(sequelize: Sequelize, externalUserid: string, transaction?: Transaction): Promise<LinkRow | null> {
  const [link] = await sequelize.query<{ customer_id: number; matched_by: MatchedBy; linked_at: Date | string }>(
    'SELECT customer_id, matched_by, linked_at FROM customer_wecom_links WHERE external_userid = ?',
    { replacements: [externalUserid], type: QueryTypes.SELECT, transaction },
  );
  return link ? { customerId: Number(link.customer_id), matchedBy: link.matched_by, linkedAt: link.linked_at } : null;
}

/** Steps 2–4 for a contact with no link: one certain customer, or ranked suggestions. */
export async function findCandidates(sequelize: Sequelize, facts: ContactFacts, transaction?: Transaction): Promise<{ match: { customerId: number; matchedBy: MatchedBy } | null; suggestions: Suggestion[] }> {
  const suggestions: Suggestion[] = [];
  const ids = (rows: { id: number }[]) => [...new Set(rows.map((r) => Number(r.id)))];

  if (facts.unionid) {
    const found = ids(await sequelize.query<{ id: number }>('SELECT id FROM customers WHERE unionid = ? AND deleted_at IS NULL', { replacements: [facts.unionid], type: QueryTypes.SELECT, transaction }));
    if (found.length === 1) return { match: { customerId: found[0]!, matchedBy: 'unionid' }, suggestions: [] };
    suggestions.push(...found.map((customerId) => ({ customerId, reason: 'unionid' as const })));
  }

  // Live relations speak for the contact now; a contact only ever followed by lost relations still has their numbers.
  const live = facts.relations.filter((r) => r.deletedAt === null);
  const mobiles = [...new Set((live.length ? live : facts.relations).flatMap((r) => r.mobiles))];
  if (mobiles.length) {
    const found = ids(
      await sequelize.query<{ id: number }>(
        `SELECT id FROM customers WHERE phone IN (${sqlList(mobiles)}) AND deleted_at IS NULL
         UNION
         SELECT c.id FROM customer_contacts cc JOIN customers c ON c.id = cc.customer_id WHERE cc.phone IN (${sqlList(mobiles)}) AND c.deleted_at IS NULL`,
        { replacements: [...mobiles, ...mobiles], type: QueryTypes.SELECT, transaction },
      ),
    );
    if (found.length === 1 && suggestions.length === 0) return { match: { customerId: found[0]!, matchedBy: 'mobile' }, suggestions: [] };
    suggestions.push(...found.map((customerId) => ({ customerId, reason: 'mobile' as const })));
  }

  const byName = async (companies: string[], reason: SuggestionReason) => {
    if (!companies.length) return;
    const found = ids(
      await sequelize.query<{ id: number }>(`SELECT id FROM customers WHERE name = ? AND institution IN (${sqlList(companies)}) AND deleted_at IS NULL`, {
        replacements: [facts.name, ...companies],
        type: QueryTypes.SELECT,
        transaction,
      }),
    );
    suggestions.push(...found.map((customerId) => ({ customerId, reason })));
  };
  await byName(facts.corpNames, 'name_corp');
  await byName([...new Set(facts.relations.map((r) => r.remarkCorpName).filter((n): n is string => Boolean(n)))], 'name_remark_company');

  // One entry per customer, under its strongest reason; ties by id for a stable order.
  const best = new Map<number, Suggestion>();
  for (const s of suggestions) {
    const seen = best.get(s.customerId);
    if (!seen || REASON_RANK[s.reason] < REASON_RANK[seen.reason]) best.set(s.customerId, s);
  }
  return { match: null, suggestions: [...best.values()].sort((a, b) => REASON_RANK[a.reason] - REASON_RANK[b.reason] || a.customerId - b.customerId) };
}

export async function writeLink(
  sequelize: Sequelize,
  link: { customerId: number; externalUserid: string; matchedBy: MatchedBy; userId: number | null; event: 'linked' | 'relinked' },
  transaction: Transaction,
  now = new Date(),
): Promise<void> {
  await sequelize.query('DELETE FROM customer_wecom_links WHERE external_userid = ?', { replacements: [link.externalUserid], transaction });
  await sequelize.query(
    'INSERT INTO customer_wecom_links (customer_id, external_userid, matched_by, linked_by, linked_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    { replacements: [link.customerId, link.externalUserid, link.matchedBy, link.userId, now, now, now], transaction },
  );
  await recordLinkEvent(sequelize, { ...link, detail: null }, transaction, now);
}

export async function recordLinkEvent(
  sequelize: Sequelize,
  e: { customerId: number; externalUserid: string; event: 'linked' | 'relinked' | 'unlinked' | 'lost'; matchedBy?: MatchedBy | null; userId: number | null; detail: string | null },
  transaction: Transaction,
  now = new Date(),
): Promise<void> {
  await sequelize.query(
    'INSERT INTO customer_wecom_link_events (customer_id, external_userid, event, matched_by, user_id, detail, at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    { replacements: [e.customerId, e.externalUserid, e.event, e.matchedBy ?? null, e.userId, e.detail, now, now, now], transaction },
  );
}

/**
 * Runs the rules for one contact and writes what they decide. `addedBy` (a WeCom userid) owns an
 * auto-created lead; without it, or with `autoCreate` off, an unmatched contact waits in the
 * sidebar for a rep to link or create.
 */
export async function matchContact(
  sequelize: Sequelize,
  externalUserid: string,
  options: { transaction: Transaction; autoCreate: boolean; addedBy?: string },
): Promise<MatchOutcome> {
  const { transaction } = options;
  const existing = await linkedCustomerOf(sequelize, externalUserid, transaction);
  if (existing) return { status: 'linked', customerId: existing.customerId, matchedBy: existing.matchedBy, isNew: false };
  const facts = await loadContactFacts(sequelize, externalUserid, transaction);
  if (!facts) return { status: 'unmatched', suggestions: [] };
  const { match, suggestions } = await findCandidates(sequelize, facts, transaction);
  if (match) {
    await writeLink(sequelize, { ...match, externalUserid, userId: null, event: 'linked' }, transaction);
    // Remember the unionid: the next contact of the same person (another rep, another corp app) matches at step 2.
    if (facts.unionid) {
      await sequelize.query('UPDATE customers SET unionid = ? WHERE id = ? AND unionid IS NULL', { replacements: [facts.unionid, match.customerId], transaction });
    }
    return { status: 'linked', ...match, isNew: true };
  }
  if (!options.autoCreate || suggestions.length || !options.addedBy) return { status: 'unmatched', suggestions };
  const customerId = await createLead(sequelize, facts, options.addedBy, transaction);
  if (customerId === null) return { status: 'unmatched', suggestions };
  await writeLink(sequelize, { customerId, externalUserid, matchedBy: 'created', userId: null, event: 'linked' }, transaction);
  return { status: 'linked', customerId, matchedBy: 'created', isNew: true };
}

/** A lead owned by the employee who added the contact; null when that employee is not active here. */
async function createLead(sequelize: Sequelize, facts: ContactFacts, addedBy: string, transaction: Transaction): Promise<number | null> {
  const [owner] = await sequelize.query<{ id: number; main_department_id: number | null }>(
    "SELECT id, main_department_id FROM users WHERE wecom_userid = ? AND status = 'active'",
    { replacements: [addedBy], type: QueryTypes.SELECT, transaction },
  );
  if (!owner?.main_department_id) return null;
  const relation = facts.relations.find((r) => r.userid === addedBy) ?? facts.relations[0];
  const now = new Date();
  const created = await customerModels(sequelize).Customer.create(
    {
      type: 'individual',
      name: facts.name,
      status: 'active',
      lifecycle_stage: 'lead',
      source: 'wecom',
      level: null,
      institution: facts.corpNames.at(-1) ?? relation?.remarkCorpName ?? null,
      title: null,
      phone: relation?.mobiles[0] ?? null,
      email: null,
      unionid: facts.unionid,
      notes: relation?.remark && relation.remark !== facts.name ? `企业微信备注：${relation.remark}` : null,
      acquisition_channel: relation?.state ?? null,
      owner_user_id: Number(owner.id),
      department_id: Number(owner.main_department_id),
      next_follow_up_at: null,
      created_by: null,
    },
    { transaction },
  );
  const customerId = created.get().id;
  await stageChangeModels(sequelize).StageChange.create({ customer_id: customerId, from_stage: null, to_stage: 'lead', changed_by: null, changed_at: now }, { transaction });
  return customerId;
}
