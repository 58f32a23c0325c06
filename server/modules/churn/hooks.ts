/**
 * 客户流失提醒: a customer who deletes their rep (del_follow_user) is news for the customer's
 * owner and the department's manager — with the customer's name and the last follow-up — once
 * per relation, however often WeCom delivers the event. A rep deleting a customer
 * (del_external_contact) is audited as theirs.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { audit } from '../audit/service';
import { customerModels } from '../customers/models';
import { followUpModels } from '../follow-ups/models';
import { linkedCustomerOf } from '../matching/service';
import { leadersOf } from '../org/service';
import { enqueueNotification, type CardLine } from '../reminders/outbox';
import type { ExternalContactHooks } from '../wecom-mirror/hooks';
import { employeeByWecomId } from '../org/reads';
import { contactNames, followRelation } from '../wecom-mirror/reads';

const CONTENT_SHOWN = 40;

interface Who {
  id: number;
  name: string;
  mainDepartmentId: number | null;
}

async function employee(sequelize: Sequelize, wecomUserid: string, transaction: Transaction): Promise<Who | null> {
  const row = await employeeByWecomId(sequelize, wecomUserid, transaction);
  return row ? { id: Number(row.id), name: row.name, mainDepartmentId: row.main_department_id === null ? null : Number(row.main_department_id) } : null;
}

async function contactName(sequelize: Sequelize, externalUserid: string, transaction: Transaction): Promise<string> {
  return (await contactNames(sequelize, [externalUserid], transaction)).get(externalUserid) ?? externalUserid;
}

async function lastFollowUpLine(sequelize: Sequelize, customerId: number, transaction: Transaction): Promise<CardLine> {
  const { FollowUp } = followUpModels(sequelize);
  const last = (
    await FollowUp.findOne({
      where: { customer_id: customerId, deleted_at: null },
      order: [
        ['followed_at', 'DESC'],
        ['id', 'DESC'],
      ],
      transaction,
    })
  )?.get();
  if (!last) return { tone: 'gray', text: '还没有跟进记录' };
  const day = new Date(new Date(last.followed_at).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const content = [...last.content].length > CONTENT_SHOWN ? `${[...last.content].slice(0, CONTENT_SHOWN).join('')}…` : last.content;
  return { tone: 'gray', text: `上次跟进 ${day}：${content}` };
}

/** Whether the corp wants the notices is the outbox's business (a muted kind is skipped there). */
export function churnHooks(sequelize: Sequelize): Partial<ExternalContactHooks> {
  return {
    async onRelationEnded(externalUserid, userid, reason, transaction) {
      if (reason === 'deleted_by_customer') await churned(externalUserid, userid, transaction);
      if (reason === 'deleted_by_employee') await deletedByRep(externalUserid, userid, transaction);
    },
  };

  async function churned(externalUserid: string, userid: string, transaction: Transaction): Promise<void> {
    const [rep, name, link] = await Promise.all([
      employee(sequelize, userid, transaction),
      contactName(sequelize, externalUserid, transaction),
      linkedCustomerOf(sequelize, externalUserid, transaction),
    ]);
    const customer = link ? (await customerModels(sequelize).Customer.findByPk(link.customerId, { transaction }))?.get() : undefined;
    const live = customer && customer.deleted_at === null ? customer : undefined;
    // The owner and the leaders of the customer's department; for a contact with no customer, the rep and theirs.
    const department = live ? live.department_id : rep?.mainDepartmentId;
    const recipients = new Set<number>();
    if (live) recipients.add(live.owner_user_id);
    else if (rep) recipients.add(rep.id);
    if (department) for (const leader of await leadersOf(sequelize, department, transaction)) recipients.add(leader.id);
    if (!recipients.size) return;
    const lines: CardLine[] = [{ text: `${name} 删除了${rep?.name ?? userid}（企业微信）` }];
    if (live) lines.push({ text: `客户：${live.name}` }, await lastFollowUpLine(sequelize, live.id, transaction));
    const relation = await followRelation(sequelize, externalUserid, userid, transaction);
    const at = relation ? new Date(relation.deleted_at!).getTime() : Date.now();
    for (const user of recipients) {
      await enqueueNotification(
        sequelize,
        {
          kind: 'churn',
          dedupeKey: `churn:${externalUserid}:${userid}:${at}:${user}`.slice(0, 128),
          userId: user,
          title: `客户流失：${live?.name ?? name}`,
          lines,
          path: live ? `/customers/${live.id}` : '/customers',
        },
        new Date(),
        transaction,
      );
    }
  }

  async function deletedByRep(externalUserid: string, userid: string, transaction: Transaction): Promise<void> {
    const [rep, name, link] = await Promise.all([
      employee(sequelize, userid, transaction),
      contactName(sequelize, externalUserid, transaction),
      linkedCustomerOf(sequelize, externalUserid, transaction),
    ]);
    await audit(
      sequelize,
      { userId: rep?.id ?? null, label: rep?.name ?? userid },
      {
        action: 'wecom.contact.delete',
        entity: link ? 'customer' : 'wecom_contact',
        entityId: link?.customerId ?? externalUserid,
        summary: `${rep?.name ?? userid} 在企业微信中删除了客户 ${name}`,
        diff: { externalUserid, userid },
      },
      { transaction },
    );
  }
}
