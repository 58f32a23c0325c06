/**
 * Matching plugged into the callback pipeline and the full sync: a contact added, edited (a rep
 * typing a phone into the WeCom remark) or synced is matched in the same transaction as its
 * mirror; a relation ending leaves the link in place and records that the contact was lost.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CorpSettings } from '@shared/settings';
import type { ContactChange, ExternalContactHooks } from '../wecom-events/handlers';
import { readSettings } from '../settings/service';
import { linkedCustomerOf, matchContact, recordLinkEvent } from './service';

export function matchingHooks(sequelize: Sequelize, settingDefaults: CorpSettings): ExternalContactHooks {
  return {
    async onExternalContactChanged(externalUserid: string, userid: string, change: ContactChange, transaction: Transaction) {
      // Edits never create leads: a lead is born when someone adds the contact (or a sync first sees it).
      const autoCreate = change !== 'edited' && (await readSettings(sequelize, settingDefaults, transaction)).autoCreateLeads;
      await matchContact(sequelize, externalUserid, { transaction, autoCreate, addedBy: userid });
    },
    async onRelationEnded(externalUserid: string, userid: string, transaction: Transaction) {
      const link = await linkedCustomerOf(sequelize, externalUserid, transaction);
      if (!link) return;
      const [who] = await sequelize.query<{ id: number; name: string }>('SELECT id, name FROM users WHERE wecom_userid = ?', {
        replacements: [userid],
        type: QueryTypes.SELECT,
        transaction,
      });
      const [relation] = await sequelize.query<{ delete_reason: string | null }>(
        'SELECT delete_reason FROM wecom_follow_relations WHERE external_userid = ? AND userid = ?',
        { replacements: [externalUserid, userid], type: QueryTypes.SELECT, transaction },
      );
      const detail = relation?.delete_reason === 'deleted_by_customer' ? `客户删除了${who?.name ?? userid}` : `${who?.name ?? userid}已不再跟进该联系人`;
      await recordLinkEvent(sequelize, { customerId: link.customerId, externalUserid, event: 'lost', matchedBy: link.matchedBy, userId: who ? Number(who.id) : null, detail }, transaction);
    },
  };
}
