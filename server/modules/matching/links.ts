/**
 * Links a rep makes by hand (from the sidebar): link, relink, unlink, create a customer from the
 * contact. The rep must follow the contact (admins: anyone) and see the customer; taking a link
 * away from a customer the rep cannot see is refused. Every change is audited and lands in the
 * customer's timeline.
 */
// Raw SQL on other modules' tables, on purpose: the contacts no link covers are an anti-join of the mirror
// with matching's own links.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CustomerCreateInput, CustomerView } from '@shared/customers';
import type { MatchedBy } from '@shared/matching';
import { conflict, forbidden, notFound } from '../../errors';
import { audit } from '../audit/service';
import { createCustomer, getCustomer, loadVisibleCustomer } from '../customers/service';
import { canSee } from '../roles/access';
import type { Caller } from '../roles/ownership';
import { customerModels } from '../customers/models';
import type { FollowChecker } from './follows';
import { linkedCustomerOf, loadContactFacts, matchContact, recordLinkEvent, writeLink } from './service';

export interface LinkCaller extends Caller {
  wecomUserid: string;
}

async function assertMayManage(follows: FollowChecker, caller: LinkCaller, externalUserid: string): Promise<void> {
  if (caller.access.dataScope === 'all') return;
  const relation = await follows.require(caller.wecomUserid, externalUserid);
  if (relation.deletedAt) throw forbidden('你已不再跟进该联系人');
}

/** A customer the caller cannot see keeps its link: 403 rather than a silent takeover. */
async function assertMayReplace(sequelize: Sequelize, caller: LinkCaller, customerId: number): Promise<void> {
  const row = (await customerModels(sequelize).Customer.findByPk(customerId))?.get();
  if (row && row.deleted_at === null && !canSee(caller.access, { ownerUserId: row.owner_user_id, departmentId: row.department_id })) {
    throw forbidden('该联系人已关联到其他同事负责的客户，请联系管理员调整');
  }
}

export async function linkContact(
  sequelize: Sequelize,
  follows: FollowChecker,
  caller: LinkCaller,
  externalUserid: string,
  customerId: number,
): Promise<CustomerView> {
  await assertMayManage(follows, caller, externalUserid);
  const customer = await loadVisibleCustomer(sequelize, caller.access, customerId);
  const previous = await linkedCustomerOf(sequelize, externalUserid);
  if (previous?.customerId === customerId) return getCustomer(sequelize, caller.access, customerId);
  if (previous) await assertMayReplace(sequelize, caller, previous.customerId);
  await sequelize.transaction(async (transaction) => {
    if (previous) {
      await recordLinkEvent(
        sequelize,
        {
          customerId: previous.customerId,
          externalUserid,
          event: 'unlinked',
          matchedBy: previous.matchedBy,
          userId: caller.access.userId,
          detail: `改为关联 ${customer.name}`,
        },
        transaction,
      );
    }
    await writeLink(
      sequelize,
      { customerId, externalUserid, matchedBy: 'manual', userId: caller.access.userId, event: previous ? 'relinked' : 'linked' },
      transaction,
    );
    await audit(
      sequelize,
      caller.actor,
      {
        action: previous ? 'wecom_link.relink' : 'wecom_link.link',
        entity: 'customer',
        entityId: customerId,
        summary: `${previous ? '改为关联' : '关联'}企业微信联系人 ${externalUserid} → ${customer.name}`,
        diff: { externalUserid, from: previous?.customerId ?? null, to: customerId },
      },
      { transaction },
    );
  });
  return getCustomer(sequelize, caller.access, customerId);
}

export async function unlinkContact(sequelize: Sequelize, follows: FollowChecker, caller: LinkCaller, externalUserid: string): Promise<void> {
  await assertMayManage(follows, caller, externalUserid);
  const link = await linkedCustomerOf(sequelize, externalUserid);
  if (!link) throw notFound('该联系人没有关联客户');
  await loadVisibleCustomer(sequelize, caller.access, link.customerId);
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('DELETE FROM customer_wecom_links WHERE external_userid = ?', { replacements: [externalUserid], transaction });
    await recordLinkEvent(
      sequelize,
      { customerId: link.customerId, externalUserid, event: 'unlinked', matchedBy: link.matchedBy, userId: caller.access.userId, detail: null },
      transaction,
    );
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'wecom_link.unlink',
        entity: 'customer',
        entityId: link.customerId,
        summary: `取消关联企业微信联系人 ${externalUserid}`,
        diff: { externalUserid, matchedBy: link.matchedBy },
      },
      { transaction },
    );
  });
}

/** A new customer prefilled from the contact (name, company, remark phone), owned by the caller, and linked. */
export async function createCustomerFromContact(
  sequelize: Sequelize,
  follows: FollowChecker,
  caller: LinkCaller,
  externalUserid: string,
  overrides: Partial<CustomerCreateInput>,
): Promise<CustomerView> {
  await assertMayManage(follows, caller, externalUserid);
  const existing = await linkedCustomerOf(sequelize, externalUserid);
  if (existing) throw conflict('该联系人已关联客户', { customerId: existing.customerId });
  const facts = await loadContactFacts(sequelize, externalUserid);
  if (!facts) throw notFound('没有这个企业微信联系人');
  const relation = facts.relations.find((r) => r.userid === caller.wecomUserid) ?? facts.relations[0];
  const created = await createCustomer(sequelize, caller, {
    type: 'individual',
    name: facts.name,
    source: 'wecom',
    institution: facts.corpNames.at(-1) ?? relation?.remarkCorpName ?? null,
    phone: relation?.mobiles[0] ?? null,
    ...overrides,
  });
  await sequelize.transaction(async (transaction) => {
    await customerModels(sequelize).Customer.update(
      { unionid: facts.unionid, acquisition_channel: relation?.state ?? null },
      { where: { id: created.id }, transaction },
    );
    await writeLink(sequelize, { customerId: created.id, externalUserid, matchedBy: 'created', userId: caller.access.userId, event: 'linked' }, transaction);
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'wecom_link.create_customer',
        entity: 'customer',
        entityId: created.id,
        summary: `由企业微信联系人创建客户 ${created.name}`,
        diff: { externalUserid },
      },
      { transaction },
    );
  });
  return getCustomer(sequelize, caller.access, created.id);
}

/** On demand (admins): match every contact that has no link yet; never creates leads. */
export async function matchAllUnlinked(sequelize: Sequelize): Promise<{ checked: number; linked: Record<MatchedBy, number> }> {
  const rows = await sequelize.query<{ external_userid: string }>(
    'SELECT c.external_userid FROM wecom_external_contacts c LEFT JOIN customer_wecom_links l ON l.external_userid = c.external_userid WHERE l.id IS NULL ORDER BY c.external_userid',
    { type: QueryTypes.SELECT },
  );
  const linked: Record<MatchedBy, number> = { unionid: 0, mobile: 0, manual: 0, created: 0 };
  for (const { external_userid: externalUserid } of rows) {
    const outcome = await sequelize.transaction((transaction) => matchContact(sequelize, externalUserid, { transaction, autoCreate: false }));
    if (outcome.status === 'linked' && outcome.isNew) linked[outcome.matchedBy]++;
  }
  return { checked: rows.length, linked };
}
