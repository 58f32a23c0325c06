/** The customer page: the profile plus a summary of its process (counts, primary contact, latest follow-ups). */
// Raw SQL on other modules' tables, on purpose: the page's counts are one statement of COUNT subqueries
// over the tables of contacts, follow-ups, holdings, trades and matching — one round trip for the page
// instead of one per module.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CustomerDetail, FollowUpView } from '@shared/customers';
import { fromHundredths } from '@shared/money';
import { contactModels } from '../contacts/models';
import { contactView, maskedContact } from '../contacts/service';
import { latestFollowUps, plannedActions } from '../follow-ups/service';
import { aumOf } from '../trades/reads';
import type { Access } from '../roles/access';
import { customerFollowUpSubject } from '../customers/follow-up-subject';
import { getCustomer } from '../customers/service';

const LATEST_FOLLOW_UPS = 3;

export async function getCustomerDetail(sequelize: Sequelize, access: Access, id: number): Promise<CustomerDetail> {
  const profile = await getCustomer(sequelize, access, id);
  const [[counts], primary, latest, aum] = await Promise.all([
    sequelize.query<Record<keyof CustomerDetail['counts'], number | string>>(
      `SELECT (SELECT COUNT(*) FROM customer_contacts WHERE customer_id = :id) AS contacts,
              (SELECT COUNT(*) FROM follow_ups WHERE customer_id = :id AND deleted_at IS NULL) AS followUps,
              (SELECT COUNT(*) FROM holdings WHERE customer_id = :id AND status = 'holding') AS holdings,
              (SELECT COUNT(*) FROM trades WHERE customer_id = :id AND kind = 'buy' AND voided_at IS NULL) AS sales,
              (SELECT COUNT(*) FROM customer_wecom_links WHERE customer_id = :id) AS wecomLinks`,
      { replacements: { id }, type: QueryTypes.SELECT },
    ),
    contactModels(sequelize).Contact.findOne({ where: { primary_of_customer_id: id } }),
    latestFollowUps(sequelize, customerFollowUpSubject, id, LATEST_FOLLOW_UPS),
    aumOf(sequelize, [id]),
  ]);
  return {
    ...profile,
    counts: {
      contacts: Number(counts?.contacts ?? 0),
      followUps: Number(counts?.followUps ?? 0),
      holdings: Number(counts?.holdings ?? 0),
      sales: Number(counts?.sales ?? 0),
      wecomLinks: Number(counts?.wecomLinks ?? 0),
    },
    primaryContact: primary ? maskedContact(access, contactView(primary.get())) : null,
    latestFollowUps: latest as FollowUpView[],
    aum: fromHundredths(aum.get(id) ?? 0),
  };
}

/**
 * The list's rows with each customer's AUM in yuan (its live holdings at the latest NAV) and its
 * planned 下一步 (`nextAction`, the workbench's due list shows it), one read each for the page.
 */
export async function withAum<T extends { id: number }>(sequelize: Sequelize, items: T[]): Promise<(T & { aum: number; nextAction: string | null })[]> {
  const ids = items.map((c) => c.id);
  const [aum, actions] = await Promise.all([aumOf(sequelize, ids), plannedActions(sequelize, ids)]);
  return items.map((c) => ({ ...c, aum: fromHundredths(aum.get(c.id) ?? 0), nextAction: actions.get(c.id) ?? null }));
}
