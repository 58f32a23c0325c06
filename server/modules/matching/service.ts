/**
 * Matching a WeCom external contact to a customer (server/README.md#matching). Deterministic and explainable,
 * in priority order:
 *   1. an existing link stays;
 *   2. the contact's `unionid` equals exactly one customer's;
 *   3. a number in any of its relations' `remark_mobiles` equals (normalised) the phone of exactly
 *      one customer or customer contact — across the corp, whatever any rep's scope;
 *   4. otherwise suggestions only (same name + corp, same name + remark company), never a link.
 * Several equal candidates never link: they become suggestions. A contact with no match and no
 * suggestion may become a lead (corp setting `autoCreateLeads`).
 */
// Raw SQL on other modules' tables, on purpose: matching is set-based: a page of contacts is matched
// against customers and contacts by unionid, phone and name in one statement per key, with the mirror's
// rows read alongside.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { MatchedBy } from '@shared/matching';
import { normalizePhone } from '@shared/phone';
import { sqlList, updateRows } from '../../db/dialect';
import { insertCustomers, queueLevelTags, rememberUnionid } from '../customers/service';
import {
  decide,
  leadRelation,
  mobilesOf,
  nameKey,
  remarkCompaniesOf,
  samePersonInPage,
  type Candidates,
  type ContactFacts,
  type Evidence,
  type LeadCandidate,
  type Suggestion,
} from './rules';

export type { ContactFacts, Suggestion } from './rules';

export type MatchOutcome = { status: 'linked'; customerId: number; matchedBy: MatchedBy; isNew: boolean } | { status: 'unmatched'; suggestions: Suggestion[] };

export async function loadContactFacts(sequelize: Sequelize, externalUserid: string, transaction?: Transaction): Promise<ContactFacts | null> {
  return (await loadContactFactsOf(sequelize, [externalUserid], transaction)).get(externalUserid) ?? null;
}

/** The facts of many contacts in two queries; contacts not mirrored are absent from the map. */
async function loadContactFactsOf(sequelize: Sequelize, externalUserids: readonly string[], transaction?: Transaction): Promise<Map<string, ContactFacts>> {
  if (!externalUserids.length) return new Map();
  const contacts = await sequelize.query<{
    external_userid: string;
    name: string;
    unionid: string | null;
    corp_name: string | null;
    corp_full_name: string | null;
  }>(`SELECT external_userid, name, unionid, corp_name, corp_full_name FROM wecom_external_contacts WHERE external_userid IN (${sqlList(externalUserids)})`, {
    replacements: [...externalUserids],
    type: QueryTypes.SELECT,
    transaction,
  });
  const relations = await sequelize.query<{
    external_userid: string;
    userid: string;
    remark: string | null;
    remark_corp_name: string | null;
    remark_mobiles: string | null;
    state: string | null;
    deleted_at: Date | null;
  }>(
    `SELECT external_userid, userid, remark, remark_corp_name, remark_mobiles, state, deleted_at FROM wecom_follow_relations
      WHERE external_userid IN (${sqlList(externalUserids)}) ORDER BY added_at, id`,
    { replacements: [...externalUserids], type: QueryTypes.SELECT, transaction },
  );
  const facts = new Map<string, ContactFacts>(
    contacts.map((c) => [
      c.external_userid,
      {
        externalUserid: c.external_userid,
        name: c.name,
        unionid: c.unionid || null,
        corpNames: [c.corp_name, c.corp_full_name].filter((n): n is string => Boolean(n)),
        relations: [],
      },
    ]),
  );
  for (const r of relations) {
    facts.get(r.external_userid)?.relations.push({
      userid: r.userid,
      remark: r.remark,
      remarkCorpName: r.remark_corp_name,
      mobiles: (JSON.parse(r.remark_mobiles ?? '[]') as string[]).map((m) => normalizePhone(m)).filter((m): m is string => Boolean(m)),
      state: r.state,
      deletedAt: r.deleted_at,
    });
  }
  return facts;
}

export interface LinkRow {
  customerId: number;
  matchedBy: MatchedBy;
  linkedAt: Date | string;
}

/** The columns of customer_wecom_links a LinkRow is read from (null when a LEFT JOIN found none). */
export interface LinkColumns {
  customer_id: number | null;
  matched_by: MatchedBy | null;
  linked_at: Date | string | null;
}

export const linkFrom = (row: LinkColumns | undefined): LinkRow | null =>
  row && row.customer_id !== null ? { customerId: Number(row.customer_id), matchedBy: row.matched_by!, linkedAt: row.linked_at! } : null;

export async function linkedCustomerOf(sequelize: Sequelize, externalUserid: string, transaction?: Transaction): Promise<LinkRow | null> {
  return (await linksOf(sequelize, [externalUserid], transaction)).get(externalUserid) ?? null;
}

/** The contacts linked to these customers. */
export async function contactsOfCustomers(
  sequelize: Sequelize,
  customerIds: readonly number[],
  transaction?: Transaction,
): Promise<{ customerId: number; externalUserid: string }[]> {
  if (!customerIds.length) return [];
  const rows = await sequelize.query<{ customer_id: number; external_userid: string }>(
    `SELECT customer_id, external_userid FROM customer_wecom_links WHERE customer_id IN (${sqlList(customerIds)}) ORDER BY customer_id, external_userid`,
    { replacements: [...customerIds], type: QueryTypes.SELECT, transaction },
  );
  return rows.map((r) => ({ customerId: Number(r.customer_id), externalUserid: r.external_userid }));
}

/** The customer each of these contacts is linked to (absent: not linked). */
export async function customersOfContacts(sequelize: Sequelize, externalUserids: readonly string[], transaction?: Transaction): Promise<Map<string, number>> {
  if (!externalUserids.length) return new Map();
  return new Map([...(await linksOf(sequelize, externalUserids, transaction))].map(([id, link]) => [id, link.customerId]));
}

/** The links of these contacts, by contact (absent: not linked). */
async function linksOf(sequelize: Sequelize, externalUserids: readonly string[], transaction?: Transaction): Promise<Map<string, LinkRow>> {
  const rows = await sequelize.query<LinkColumns & { external_userid: string }>(
    `SELECT external_userid, customer_id, matched_by, linked_at FROM customer_wecom_links WHERE external_userid IN (${sqlList(externalUserids)})`,
    { replacements: [...externalUserids], type: QueryTypes.SELECT, transaction },
  );
  return new Map(rows.map((r) => [r.external_userid, linkFrom(r)!]));
}

/** Steps 2–4 for a contact with no link: one certain customer, or ranked suggestions. */
export async function findCandidates(sequelize: Sequelize, facts: ContactFacts, transaction?: Transaction): Promise<Candidates> {
  return decide(facts, await gatherEvidence(sequelize, [facts], transaction));
}

/** The evidence for many contacts in three queries, whatever their number. */
async function gatherEvidence(sequelize: Sequelize, all: readonly ContactFacts[], transaction?: Transaction): Promise<Evidence> {
  const group = (rows: { id: number; k: string; n?: string }[], key: (row: { id: number; k: string; n?: string }) => string = (r) => r.k) => {
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const ids = out.get(key(r)) ?? [];
      if (!ids.includes(Number(r.id))) ids.push(Number(r.id));
      out.set(key(r), ids);
    }
    return out;
  };
  const select = (sql: string, replacements: unknown[]) =>
    sequelize.query<{ id: number; k: string; n?: string }>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  const unionids = [...new Set(all.map((f) => f.unionid).filter((u): u is string => Boolean(u)))];
  const phones = [...new Set(all.flatMap(mobilesOf))];
  const names = [...new Set(all.filter((f) => f.corpNames.length || remarkCompaniesOf(f).length).map((f) => f.name))];
  const [byUnionid, byPhone, byName] = await Promise.all([
    unionids.length ? select(`SELECT id, unionid AS k FROM customers WHERE unionid IN (${sqlList(unionids)}) AND deleted_at IS NULL`, unionids) : [],
    phones.length
      ? select(
          `SELECT id, phone AS k FROM customers WHERE phone IN (${sqlList(phones)}) AND deleted_at IS NULL
           UNION
           SELECT c.id, cc.phone AS k FROM customer_contacts cc JOIN customers c ON c.id = cc.customer_id WHERE cc.phone IN (${sqlList(phones)}) AND c.deleted_at IS NULL`,
          [...phones, ...phones],
        )
      : [],
    names.length
      ? select(
          `SELECT id, institution AS k, name AS n FROM customers WHERE name IN (${sqlList(names)}) AND institution IS NOT NULL AND deleted_at IS NULL`,
          names,
        )
      : [],
  ]);
  return { byUnionid: group(byUnionid), byPhone: group(byPhone), byNameAndCompany: group(byName, (r) => nameKey(r.n!, r.k)) };
}

export interface NewLink {
  customerId: number;
  externalUserid: string;
  matchedBy: MatchedBy;
  userId: number | null;
  event: 'linked' | 'relinked';
}

export async function writeLink(sequelize: Sequelize, link: NewLink, transaction: Transaction, now = new Date()): Promise<void> {
  await writeLinks(sequelize, [link], transaction, now);
}

/**
 * Links (replacing any earlier link of the same contacts), each with its link event; a customer
 * with a 客户等级 gets its grade tag on the new relation (queued, charged to whoever linked).
 */
async function writeLinks(sequelize: Sequelize, links: readonly NewLink[], transaction: Transaction, now = new Date()): Promise<void> {
  if (!links.length) return;
  const contacts = links.map((l) => l.externalUserid);
  await sequelize.query(`DELETE FROM customer_wecom_links WHERE external_userid IN (${sqlList(contacts)})`, { replacements: contacts, transaction });
  await sequelize.query(
    `INSERT INTO customer_wecom_links (customer_id, external_userid, matched_by, linked_by, linked_at, created_at, updated_at) VALUES ${links.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    { replacements: links.flatMap((l) => [l.customerId, l.externalUserid, l.matchedBy, l.userId, now, now, now]), transaction },
  );
  await recordLinkEvents(
    sequelize,
    links.map((l) => ({ ...l, detail: null })),
    transaction,
    now,
  );
  const byLinker = new Map<number | null, number[]>();
  for (const l of links) byLinker.set(l.userId, [...(byLinker.get(l.userId) ?? []), l.customerId]);
  for (const [userId, customerIds] of byLinker) await queueLevelTags(sequelize, customerIds, userId, transaction);
}

interface LinkEvent {
  customerId: number;
  externalUserid: string;
  event: 'linked' | 'relinked' | 'unlinked' | 'lost';
  matchedBy?: MatchedBy | null;
  userId: number | null;
  detail: string | null;
}

export async function recordLinkEvent(sequelize: Sequelize, e: LinkEvent, transaction: Transaction, now = new Date()): Promise<void> {
  await recordLinkEvents(sequelize, [e], transaction, now);
}

async function recordLinkEvents(sequelize: Sequelize, events: readonly LinkEvent[], transaction: Transaction, now = new Date()): Promise<void> {
  if (!events.length) return;
  await sequelize.query(
    `INSERT INTO customer_wecom_link_events (customer_id, external_userid, event, matched_by, user_id, detail, at, created_at, updated_at) VALUES ${events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    { replacements: events.flatMap((e) => [e.customerId, e.externalUserid, e.event, e.matchedBy ?? null, e.userId, e.detail, now, now, now]), transaction },
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
  options: { transaction: Transaction; autoCreate: boolean; addedBy?: string; leadRules?: LeadRules },
): Promise<MatchOutcome> {
  const outcomes = await matchContacts(sequelize, [{ externalUserid, addedBy: options.addedBy }], options);
  return outcomes.get(externalUserid)!;
}

/**
 * `matchContact` for many contacts (a page of a full sync) in a constant number of statements:
 * the same rules, decided per contact over evidence gathered for all of them at once.
 */
/** What a lead from a channel (a 渠道活码's `state`) gets instead of the defaults: its source and a fixed owner. */
export type LeadRules = (states: readonly string[], transaction: Transaction) => Promise<Map<string, { source: string | null; ownerUserId: number | null }>>;

export async function matchContacts(
  sequelize: Sequelize,
  contacts: readonly { externalUserid: string; addedBy?: string }[],
  options: { transaction: Transaction; autoCreate: boolean; leadRules?: LeadRules },
): Promise<Map<string, MatchOutcome>> {
  const { transaction } = options;
  const outcomes = new Map<string, MatchOutcome>();
  if (!contacts.length) return outcomes;
  const ids = [...new Set(contacts.map((c) => c.externalUserid))];
  for (const [id, link] of await linksOf(sequelize, ids, transaction))
    outcomes.set(id, { status: 'linked', customerId: link.customerId, matchedBy: link.matchedBy, isNew: false });
  const facts = await loadContactFactsOf(
    sequelize,
    ids.filter((id) => !outcomes.has(id)),
    transaction,
  );
  const evidence = await gatherEvidence(sequelize, [...facts.values()], transaction);

  const matched: NewLink[] = [];
  const leads: LeadCandidate[] = [];
  // The first employee named for a contact owns its lead (the first relation a sync page lists).
  const addedBy = new Map<string, string>();
  for (const c of contacts) if (c.addedBy && !addedBy.has(c.externalUserid)) addedBy.set(c.externalUserid, c.addedBy);
  for (const id of ids) {
    if (outcomes.has(id)) continue;
    const f = facts.get(id);
    if (!f) {
      outcomes.set(id, { status: 'unmatched', suggestions: [] });
      continue;
    }
    const { match, suggestions } = decide(f, evidence);
    if (match) {
      matched.push({ ...match, externalUserid: id, userId: null, event: 'linked' });
      outcomes.set(id, { status: 'linked', ...match, isNew: true });
    } else if (options.autoCreate && !suggestions.length && addedBy.has(id)) {
      leads.push({ facts: f, addedBy: addedBy.get(id)! });
    } else {
      outcomes.set(id, { status: 'unmatched', suggestions });
    }
  }
  await writeLinks(sequelize, matched, transaction);
  // Remember the unionid: the next contact of the same person (another rep, another corp app) matches at step 2.
  for (const link of matched) {
    const unionid = facts.get(link.externalUserid)!.unionid;
    if (unionid) await rememberUnionid(sequelize, link.customerId, unionid, transaction);
  }
  const { firsts, sameAs } = samePersonInPage(leads);
  const created = await createLeads(sequelize, firsts, transaction, options.leadRules);
  await writeLinks(
    sequelize,
    [...created].map(([externalUserid, customerId]) => ({ customerId, externalUserid, matchedBy: 'created', userId: null, event: 'linked' })),
    transaction,
  );
  for (const lead of firsts) {
    const customerId = created.get(lead.facts.externalUserid);
    outcomes.set(
      lead.facts.externalUserid,
      customerId === undefined ? { status: 'unmatched', suggestions: [] } : { status: 'linked', customerId, matchedBy: 'created', isNew: true },
    );
  }
  // The rest match the leads just created, as they would have one contact at a time.
  const followers: NewLink[] = [];
  for (const { lead, of, by } of sameAs) {
    const ids = [...new Set(of.map((i) => created.get(firsts[i]!.facts.externalUserid)).filter((id): id is number => id !== undefined))];
    const id = lead.facts.externalUserid;
    if (ids.length === 1) {
      followers.push({ customerId: ids[0]!, externalUserid: id, matchedBy: by, userId: null, event: 'linked' });
      outcomes.set(id, { status: 'linked', customerId: ids[0]!, matchedBy: by, isNew: true });
    } else {
      outcomes.set(id, { status: 'unmatched', suggestions: ids.map((customerId) => ({ customerId, reason: by })) });
    }
  }
  await writeLinks(sequelize, followers, transaction);
  return outcomes;
}

/**
 * Leads owned by the employee who added each contact — or, for a contact from a 渠道活码 with a
 * fixed owner, by that owner; contact → new customer id. A lead whose owner is not active here
 * gets none.
 */
async function createLeads(
  sequelize: Sequelize,
  leads: readonly LeadCandidate[],
  transaction: Transaction,
  leadRules?: LeadRules,
): Promise<Map<string, number>> {
  if (!leads.length) return new Map();
  const states = [...new Set(leads.map((l) => leadRelation(l)?.state).filter((s): s is string => Boolean(s)))];
  const rules = leadRules && states.length ? await leadRules(states, transaction) : new Map<string, { source: string | null; ownerUserId: number | null }>();
  const ruleOf = (lead: LeadCandidate) => rules.get(leadRelation(lead)?.state ?? '');
  const userids = [...new Set(leads.map((l) => l.addedBy))];
  const fixedOwners = [...new Set(leads.map((l) => ruleOf(l)?.ownerUserId).filter((id): id is number => Boolean(id)))];
  const users = await sequelize.query<{ id: number; wecom_userid: string; main_department_id: number | null }>(
    `SELECT id, wecom_userid, main_department_id FROM users
      WHERE (wecom_userid IN (${sqlList(userids)})${fixedOwners.length ? ` OR id IN (${sqlList(fixedOwners)})` : ''}) AND status = 'active'`,
    { replacements: [...userids, ...fixedOwners], type: QueryTypes.SELECT, transaction },
  );
  const byUserid = new Map(users.map((u) => [u.wecom_userid, u]));
  const byId = new Map(users.map((u) => [Number(u.id), u]));
  const ownerOf = (lead: LeadCandidate) => {
    const fixed = ruleOf(lead)?.ownerUserId;
    return fixed ? byId.get(fixed) : byUserid.get(lead.addedBy);
  };
  const owned = leads.filter((l) => ownerOf(l)?.main_department_id);
  const ids = await insertCustomers(
    sequelize,
    owned.map((lead) => {
      const { facts } = lead;
      const owner = ownerOf(lead)!;
      const relation = leadRelation(lead);
      return {
        values: {
          type: 'individual',
          name: facts.name,
          status: 'active',
          lifecycleStage: 'lead',
          source: ruleOf(lead)?.source ?? 'wecom',
          level: null,
          institution: facts.corpNames.at(-1) ?? relation?.remarkCorpName ?? null,
          title: null,
          phone: relation?.mobiles[0] ?? null,
          email: null,
          notes: relation?.remark && relation.remark !== facts.name ? `企业微信备注：${relation.remark}` : null,
          nextFollowUpAt: null,
        },
        ownership: { ownerUserId: Number(owner.id), departmentId: Number(owner.main_department_id) },
        wecom: { unionid: facts.unionid, acquisitionChannel: relation?.state ?? null },
      };
    }),
    null,
    transaction,
  );
  return new Map(owned.map((l, i) => [l.facts.externalUserid, ids[i]!]));
}

/**
 * A deleted customer's WeCom contacts are released, so matching may link them to another
 * customer; the link history keeps that they were this one's.
 */
export async function releaseLinksOf(
  sequelize: Sequelize,
  customerId: number,
  by: number | null,
  detail: string,
  transaction: Transaction,
  now = new Date(),
): Promise<void> {
  await sequelize.query(
    `INSERT INTO customer_wecom_link_events (customer_id, external_userid, event, matched_by, user_id, detail, at, created_at, updated_at)
     SELECT customer_id, external_userid, 'unlinked', matched_by, ?, ?, ?, ?, ? FROM customer_wecom_links WHERE customer_id = ?`,
    { replacements: [by, detail, now, now, now, customerId], transaction },
  );
  await sequelize.query('DELETE FROM customer_wecom_links WHERE customer_id = ?', { replacements: [customerId], transaction });
}

/** A merge: the source's links and their history become the target's. Returns how many links moved. */
export async function moveLinks(sequelize: Sequelize, fromCustomerId: number, toCustomerId: number, transaction: Transaction): Promise<number> {
  const moved = await updateRows(
    sequelize,
    'UPDATE customer_wecom_links SET customer_id = ? WHERE customer_id = ?',
    [toCustomerId, fromCustomerId],
    transaction,
  );
  await updateRows(sequelize, 'UPDATE customer_wecom_link_events SET customer_id = ? WHERE customer_id = ?', [toCustomerId, fromCustomerId], transaction);
  return moved;
}
