/**
 * Matching plugged into the callback pipeline and the full sync: a contact added, edited (a rep
 * typing a phone into the WeCom remark) or synced is matched in the same transaction as its
 * mirror; a relation ending leaves the link in place and records that the contact was lost.
 */
// Raw SQL on other modules' tables, on purpose: a new contact's lead is created from the customer and the
// mirrored contact read in one join, in the callback's transaction.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CorpSettings } from '@shared/settings';
import type { ContactChange, ExternalContactHooks } from '../wecom-mirror/hooks';
import { readSettings } from '../settings/service';
import { enqueueNotification } from '../reminders/outbox';
import { linkedCustomerOf, matchContact, matchContacts, recordLinkEvent, type LeadRules, type MatchOutcome } from './service';
import { employeeByWecomId } from '../org/reads';

/** “新线索” or “已关联”, to the customer's owner, opening the customer. */
async function notifyOwner(
  sequelize: Sequelize,
  externalUserid: string,
  outcome: Extract<MatchOutcome, { status: 'linked' }>,
  transaction: Transaction,
): Promise<void> {
  const [row] = await sequelize.query<{ owner: number; customer: string; contact: string | null }>(
    `SELECT c.owner_user_id AS owner, c.name AS customer, x.name AS contact
       FROM customers c LEFT JOIN wecom_external_contacts x ON x.external_userid = ?
      WHERE c.id = ?`,
    { replacements: [externalUserid, outcome.customerId], type: QueryTypes.SELECT, transaction },
  );
  if (!row) return;
  const lead = outcome.matchedBy === 'created';
  await enqueueNotification(
    sequelize,
    {
      kind: lead ? 'lead_created' : 'contact_linked',
      dedupeKey: `link:${outcome.customerId}:${externalUserid}`.slice(0, 128),
      userId: Number(row.owner),
      title: lead ? `新线索：${row.customer}` : `企业微信联系人已关联：${row.customer}`,
      lines: [{ text: lead ? '新添加的企业微信客户已自动建为线索，请尽快跟进' : `${row.contact ?? externalUserid} 已关联到你的客户 ${row.customer}` }],
      path: `/customers/${outcome.customerId}`,
    },
    new Date(),
    transaction,
  );
}

export function matchingHooks(sequelize: Sequelize, settingDefaults: CorpSettings, leadRules?: LeadRules): ExternalContactHooks {
  return {
    async onExternalContactChanged(externalUserid: string, userid: string, change: ContactChange, transaction: Transaction) {
      // Edits never create leads: a lead is born when someone adds the contact (or a sync first sees it).
      const autoCreate = change !== 'edited' && (await readSettings(sequelize, settingDefaults, transaction)).autoCreateLeads;
      const outcome = await matchContact(sequelize, externalUserid, { transaction, autoCreate, addedBy: userid, leadRules });
      // A live event (not a full sync, which would flood everyone at once) tells the owner.
      if (outcome.status === 'linked' && outcome.isNew && change !== 'synced') await notifyOwner(sequelize, externalUserid, outcome, transaction);
    },
    async onExternalContactsSynced(relations, transaction) {
      if (!relations.length) return;
      // A full sync never notifies: it would flood everyone at once.
      const { autoCreateLeads } = await readSettings(sequelize, settingDefaults, transaction);
      await matchContacts(
        sequelize,
        relations.map((r) => ({ externalUserid: r.externalUserid, addedBy: r.userid })),
        { transaction, autoCreate: autoCreateLeads, leadRules },
      );
    },
    async onRelationEnded(externalUserid: string, userid: string, reason, transaction: Transaction) {
      // A transfer hands the relation on; the contact stays the customer's (the takeover's add event follows).
      if (reason === 'transferred') return;
      const link = await linkedCustomerOf(sequelize, externalUserid, transaction);
      if (!link) return;
      const who = await employeeByWecomId(sequelize, userid, transaction);
      const detail = reason === 'deleted_by_customer' ? `客户删除了${who?.name ?? userid}` : `${who?.name ?? userid}已不再跟进该联系人`;
      await recordLinkEvent(
        sequelize,
        { customerId: link.customerId, externalUserid, event: 'lost', matchedBy: link.matchedBy, userId: who ? Number(who.id) : null, detail },
        transaction,
      );
    },
    // A failed takeover changes no link: the relation stays with the handover member.
    async onTransferFailed() {},
  };
}
