/**
 * The chat sidebar (server/README.md#sidebar-card-flow). The card follows the relationship: it answers a follower of the
 * contact, the CRM owner of the linked customer, or someone whose data scope covers that
 * customer — the id from the client is checked against the mirror and the link, never trusted
 * alone. The linked customer comes in full when it is in the caller's scope, as a limited card
 * (name, owner, stage) when not; an unlinked contact brings ranked suggestions from the
 * caller's scope. A follower outside the customer's scope may still log follow-ups on it (协同跟进)
 * when the corp allows, and the owner is told.
 */
// Raw SQL on other modules' tables, on purpose: the sidebar resolves a contact or a group chat to customers
// with joins over the mirror and matching's links, in one statement each, on the sidebar's budget.
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { FollowUpView } from '@shared/customers';
import type { SuggestionView } from '@shared/matching';
import { normalizePhone } from '@shared/phone';
import { maskIdentifier } from '@shared/record-fields';
import type { FollowUpInput } from '@shared/follow-ups';
import type { CorpSettings } from '@shared/settings';
import { ADD_WAYS, type GroupChatView, type SidebarCard, type SidebarContact, type SidebarCustomer, type SidebarViewer } from '@shared/sidebar';
import { sqlList } from '../../db/dialect';
import { iso, isoOrNull, namesById, named } from '../../db/lookup';
import { forbidden, notFound } from '../../errors';
import { customerFollowUpSubject } from '../customers/follow-up-subject';
import { customerModels, type CustomerRow } from '../customers/models';
import { maskedFor } from '../customers/service';
import { addFollowUp, writeFollowUp } from '../follow-ups/service';
import { enqueueNotification } from '../reminders/outbox';
import { readSettings } from '../settings/service';
import { cardTransferOf } from '../transfers/service';
import { poolStatusOf } from '../customer-pool/service';
import type { FollowChecker } from '../matching/follows';
import { linkedCustomerOf, linkFrom, matchContact, type Suggestion } from '../matching/service';
import { canSee, type Access } from '../roles/access';
import { fullCustomerCard, readCardHead, type CardHolding } from './card-reads';
import { unmatchedReasons } from './unmatched';
import { employeeByWecomId } from '../org/reads';

export interface SidebarCaller {
  access: Access;
  wecomUserid: string;
}

export interface SidebarDeps {
  sequelize: Sequelize;
  follows: FollowChecker;
  settingDefaults: CorpSettings;
}

const LATEST_FOLLOW_UPS = 5;

/**
 * The card of a contact for `caller`; also what a combined sidebar boot response calls. The
 * caller's relation is read with the card on every request, never remembered. A follower's card
 * costs two statements (card-reads.ts): the head (with the tags and holdings), then a full customer's follow-ups.
 */
export async function sidebarCard(deps: SidebarDeps, caller: SidebarCaller, externalUserid: string): Promise<SidebarCard> {
  const { sequelize, follows } = deps;
  let head = await readCardHead(sequelize, caller.wecomUserid, externalUserid);
  let relation = head?.relation ?? null;
  // Whether this request has just asked WeCom about the contact (no need to ask again for matching).
  const askedWecom = !relation;
  if (!relation) {
    // Not a follower by the mirror: the checker may learn otherwise from WeCom (the callback may
    // not have arrived yet), or answer 404 for a contact WeCom does not know.
    relation = await follows.find(caller.wecomUserid, externalUserid);
    head = await readCardHead(sequelize, caller.wecomUserid, externalUserid);
  }
  if (!head) throw notFound('没有这个企业微信联系人');
  // Not a follower: the owner of the linked customer, or someone whose scope covers it, may look.
  const linkedCustomer = head.customer?.deleted_at === null ? head.customer : null;
  if (!relation && !(linkedCustomer && canSee(caller.access, { ownerUserId: linkedCustomer.owner_user_id, departmentId: linkedCustomer.department_id }))) {
    throw forbidden('你不是该客户的跟进人，也不负责这位客户，不能查看');
  }
  const viewer: SidebarViewer = relation ? 'follower' : linkedCustomer!.owner_user_id === caller.access.userId ? 'owner' : 'scope';
  const transfer = head.hasTransfer ? await cardTransferOf(sequelize, externalUserid) : null;
  const tags = relation ? head.tags : [];
  const contact: SidebarContact = {
    externalUserId: externalUserid,
    name: head.name,
    avatar: head.avatar || null,
    type: head.type === 2 ? 'wecom' : 'wechat',
    corpName: head.corp_full_name || head.corp_name || relation?.remarkCorpName || null,
    remark: relation?.remark ?? null,
    description: relation?.description ?? null,
    remarkMobiles: relation?.remarkMobiles ?? [],
    tags: tags.map((t) => t.name),
    tagIds: tags.map((t) => t.id),
    addedAt: isoOrNull(relation?.addedAt),
    addWay: !relation || relation.addWay === null ? null : (ADD_WAYS[relation.addWay] ?? `其他（${relation.addWay}）`),
    state: relation?.state ?? null,
    channel: relation?.state ? head.channel : null,
    lost: relation ? relation.deletedAt !== null : false,
  };

  if (!linkFrom(head)) {
    // Matching on demand: a customer entered since the contact was added, or a mobile a rep typed
    // into the remark (WeCom reports no mobile-only edit, 96361), may match now. Never creates one here.
    if (relation && !askedWecom && (await follows.refresh(externalUserid))) {
      const fresh = await follows.find(caller.wecomUserid, externalUserid);
      if (fresh) contact.remarkMobiles = fresh.remarkMobiles;
    }
    const outcome = await sequelize.transaction((transaction) => matchContact(sequelize, externalUserid, { transaction, autoCreate: false }));
    if (outcome.status === 'unmatched') {
      const suggestions = await visibleSuggestions(sequelize, caller.access, outcome.suggestions);
      const mobiles = contact.remarkMobiles.map((m) => normalizePhone(m)).filter((m): m is string => m !== null);
      const reasons = unmatchedReasons({
        type: contact.type,
        hasUnionid: Boolean(head.unionid),
        remarkMobiles: contact.remarkMobiles,
        mobileKnown: mobiles.length > 0 && (await phoneOnFile(sequelize, mobiles)),
        suggestions: suggestions.length,
      });
      return { contact, viewer, link: null, customer: null, suggestions, unmatchedReasons: reasons, transfer, coFollowUp: false };
    }
    head = await readCardHead(sequelize, caller.wecomUserid, externalUserid);
  }
  const link = head && linkFrom(head);
  if (!head || !link) throw notFound('没有这个企业微信联系人');
  const customer = head.customer?.deleted_at === null ? head.customer : null;
  const card = customer ? await cardCustomer(sequelize, caller.access, customer, head.ownerName, head.holdings) : null;
  const pool = customer && head.inPool ? await poolStatusOf(sequelize, caller.access, customer.id) : null;
  return {
    contact,
    viewer,
    link: { matchedBy: link.matchedBy, linkedAt: iso(link.linkedAt) },
    customer: card,
    suggestions: [],
    unmatchedReasons: [],
    transfer,
    coFollowUp: card?.access === 'limited' && relation?.deletedAt === null && (head.coFollowerFollowUps ?? deps.settingDefaults.coFollowerFollowUps),
    pool,
  };
}

/**
 * 协同跟进: a follow-up on the contact's customer. In the caller's scope it is an ordinary one;
 * outside it, a colleague who still follows the contact in WeCom may log it when the corp allows
 * — the owner's next planned date stays, and the owner is told.
 */
export async function contactFollowUp(deps: SidebarDeps, caller: SidebarCaller, externalUserid: string, input: FollowUpInput): Promise<FollowUpView> {
  const { sequelize, follows } = deps;
  const relation = await follows.find(caller.wecomUserid, externalUserid);
  const link = await linkedCustomerOf(sequelize, externalUserid);
  const customer = link ? (await customerModels(sequelize).Customer.findByPk(link.customerId))?.get() : undefined;
  if (!customer || customer.deleted_at !== null) throw notFound('该联系人还没有关联客户');
  if (canSee(caller.access, { ownerUserId: customer.owner_user_id, departmentId: customer.department_id })) {
    return (await addFollowUp(sequelize, customerFollowUpSubject, caller.access, customer.id, input)) as FollowUpView;
  }
  if (!relation || relation.deletedAt !== null) throw forbidden('你不是该客户的企业微信好友，不能写跟进记录');
  if (!(await readSettings(sequelize, deps.settingDefaults)).coFollowerFollowUps)
    throw forbidden('企业未开启协同跟进：只有负责人可以写跟进记录', 'co_follow_up_off');
  const author = (await namesById(sequelize, 'users', [caller.access.userId])).get(caller.access.userId) ?? '同事';
  const view = await writeFollowUp(sequelize, customerFollowUpSubject, caller.access.userId, customer.id, { ...input, nextFollowUpAt: undefined }, new Date(), {
    asCoFollower: true,
    alsoInTransaction: (transaction) =>
      enqueueNotification(
        sequelize,
        {
          kind: 'co_follow_up',
          dedupeKey: `co-follow-up:${customer.id}:${caller.access.userId}:${Date.now()}`,
          userId: customer.owner_user_id,
          title: `${author} 跟进了你的客户 ${customer.name}`,
          lines: [{ text: [...input.content].slice(0, 60).join('') }],
          path: `/customers/${customer.id}`,
        },
        new Date(),
        transaction,
      ).then(() => undefined),
  });
  return view as FollowUpView;
}

/** Whether a live customer or one of their contacts has any of these (normalised) phones. */
async function phoneOnFile(sequelize: Sequelize, phones: string[]): Promise<boolean> {
  const [hit] = await sequelize.query(
    `SELECT 1 AS x FROM customers WHERE phone IN (${sqlList(phones)}) AND deleted_at IS NULL
     UNION ALL SELECT 1 FROM customer_contacts cc JOIN customers c ON c.id = cc.customer_id WHERE cc.phone IN (${sqlList(phones)}) AND c.deleted_at IS NULL`,
    { replacements: [...phones, ...phones], type: QueryTypes.SELECT },
  );
  return Boolean(hit);
}

/** Full card inside the caller's scope; outside it, who owns the customer and where it stands. */
async function cardCustomer(sequelize: Sequelize, access: Access, customer: CustomerRow, ownerName: string, holdings: CardHolding[]): Promise<SidebarCustomer> {
  if (!canSee(access, { ownerUserId: customer.owner_user_id, departmentId: customer.department_id })) {
    return {
      access: 'limited',
      id: customer.id,
      name: customer.name,
      owner: { id: customer.owner_user_id, name: ownerName },
      lifecycleStage: customer.lifecycle_stage,
    };
  }
  const card = await fullCustomerCard(sequelize, customer, ownerName, holdings, LATEST_FOLLOW_UPS);
  // Phones and ID numbers masked as on the customer page (server/README.md#masking-phones-and-id-numbers).
  return card.access === 'full' ? { ...card, profile: maskedFor(access, card.profile) } : card;
}

/** The matching's suggestions the caller may act on: customers in their scope only. */
async function visibleSuggestions(sequelize: Sequelize, access: Access, suggestions: Suggestion[]): Promise<SuggestionView[]> {
  if (!suggestions.length) return [];
  const rows = await customerModels(sequelize).Customer.findAll({ where: { id: { [Op.in]: suggestions.map((s) => s.customerId) } } });
  const byId = new Map(rows.map((r) => [r.get().id, r.get()]));
  const visible = suggestions.filter((s) => {
    const c = byId.get(s.customerId);
    return c && canSee(access, { ownerUserId: c.owner_user_id, departmentId: c.department_id });
  });
  const owners = await namesById(
    sequelize,
    'users',
    visible.map((s) => byId.get(s.customerId)!.owner_user_id),
  );
  return visible.map((s) => {
    const c = byId.get(s.customerId)!;
    return {
      customer: {
        id: c.id,
        name: c.name,
        institution: c.institution,
        phone: c.phone && !access.permissions.has('customer.view_sensitive') ? maskIdentifier(c.phone) : c.phone,
        lifecycleStage: c.lifecycle_stage,
        owner: named(owners, c.owner_user_id),
      },
      reason: s.reason,
    };
  });
}

/** A group chat: its external members that are customers (scoped cards) and the rest. Members only. */
export async function groupChatView(sequelize: Sequelize, caller: SidebarCaller, chatId: string): Promise<GroupChatView> {
  const [chat] = await sequelize.query<{ name: string | null; owner: string; members: string; member_count: number }>(
    'SELECT name, owner, members, member_count FROM wecom_group_chats WHERE chat_id = ? AND dismissed_at IS NULL',
    { replacements: [chatId], type: QueryTypes.SELECT },
  );
  if (!chat) throw notFound('没有这个客户群，或群已解散');
  const members = JSON.parse(chat.members) as { userid: string; type: number; name?: string; group_nickname?: string }[];
  const isMember = chat.owner === caller.wecomUserid || members.some((m) => m.type === 1 && m.userid === caller.wecomUserid);
  if (!isMember && caller.access.dataScope !== 'all') throw forbidden('你不在这个客户群中');
  const external = members.filter((m) => m.type === 2).map((m) => m.userid);
  const [links, contacts, owner] = await Promise.all([
    external.length
      ? sequelize.query<{ external_userid: string; customer_id: number }>(
          `SELECT external_userid, customer_id FROM customer_wecom_links WHERE external_userid IN (${sqlList(external)})`,
          {
            replacements: external,
            type: QueryTypes.SELECT,
          },
        )
      : [],
    external.length
      ? sequelize.query<{ external_userid: string; name: string }>(
          `SELECT external_userid, name FROM wecom_external_contacts WHERE external_userid IN (${sqlList(external)})`,
          {
            replacements: external,
            type: QueryTypes.SELECT,
          },
        )
      : [],
    employeeByWecomId(sequelize, chat.owner),
  ]);
  const customerOf = new Map(links.map((l) => [l.external_userid, Number(l.customer_id)]));
  const contactName = new Map(contacts.map((c) => [c.external_userid, c.name]));
  const rows = customerOf.size
    ? await customerModels(sequelize).Customer.findAll({ where: { id: { [Op.in]: [...customerOf.values()] }, deleted_at: null } })
    : [];
  const customers = new Map(rows.map((r) => [r.get().id, r.get()]));
  const owners = await namesById(
    sequelize,
    'users',
    rows.map((r) => r.get().owner_user_id),
  );
  const view: GroupChatView = {
    chatId,
    name: chat.name,
    owner: { userid: chat.owner, name: owner?.name ?? null },
    memberCount: Number(chat.member_count),
    customers: [],
    unmatched: [],
  };
  for (const m of members.filter((x) => x.type === 2)) {
    const displayName = m.group_nickname || contactName.get(m.userid) || m.name || m.userid;
    const customer = customers.get(customerOf.get(m.userid) ?? -1);
    if (!customer) {
      view.unmatched.push({ externalUserId: m.userid, displayName });
      continue;
    }
    // In a group each member is one line: name, owner, stage; the caller opens their own customers.
    view.customers.push({
      externalUserId: m.userid,
      displayName,
      customer: {
        id: customer.id,
        name: customer.name,
        owner: named(owners, customer.owner_user_id),
        lifecycleStage: customer.lifecycle_stage,
        inScope: canSee(caller.access, { ownerUserId: customer.owner_user_id, departmentId: customer.department_id }),
      },
    });
  }
  return view;
}

/** The contacts the caller follows (newest first): the dev shim's picker, and a "my WeCom contacts" list. */
export async function myContacts(
  sequelize: Sequelize,
  caller: SidebarCaller,
  limit = 200,
): Promise<{ externalUserId: string; name: string; remark: string | null; linked: boolean }[]> {
  const rows = await sequelize.query<{ external_userid: string; name: string; remark: string | null; linked: number | null }>(
    `SELECT r.external_userid, c.name, r.remark, l.id AS linked
       FROM wecom_follow_relations r
       JOIN wecom_external_contacts c ON c.external_userid = r.external_userid
       LEFT JOIN customer_wecom_links l ON l.external_userid = r.external_userid
      WHERE r.userid = ? AND r.deleted_at IS NULL
      ORDER BY r.added_at DESC, r.id DESC LIMIT ?`,
    { replacements: [caller.wecomUserid, limit], type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ externalUserId: r.external_userid, name: r.name, remark: r.remark, linked: r.linked !== null }));
}

/** The customer groups the caller owns or is in. */
export async function myGroupChats(sequelize: Sequelize, caller: SidebarCaller): Promise<{ chatId: string; name: string | null; memberCount: number }[]> {
  const rows = await sequelize.query<{ chat_id: string; name: string | null; owner: string; members: string; member_count: number }>(
    'SELECT chat_id, name, owner, members, member_count FROM wecom_group_chats WHERE dismissed_at IS NULL ORDER BY created_time DESC',
    { type: QueryTypes.SELECT },
  );
  return rows
    .filter(
      (r) =>
        r.owner === caller.wecomUserid ||
        (JSON.parse(r.members) as { userid: string; type: number }[]).some((m) => m.type === 1 && m.userid === caller.wecomUserid),
    )
    .map((r) => ({ chatId: r.chat_id, name: r.name, memberCount: Number(r.member_count) }));
}
