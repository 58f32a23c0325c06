/**
 * 客户群发's 发送后 7 日内 (issue 34, deliverable 6): per message, the follow-ups and trades of the
 * customers it reached in the 7 days after each one got it — labelled correlation, not causation.
 */
import { QueryTypes } from 'sequelize';
import type { MassMessageView } from '@shared/mass-messages';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { corpWithContactsOf } from '../helpers/simulator';

const extOf = (i: number) => `wm-after-${i}`;

describe.each(databaseTargets())('客户群发 发送后 7 日内 on $label', (target) => {
  const { server, api } = useCrmServer(target, {
    simulator: { corp: corpWithContactsOf('rep-east-1', 2, { ext: extOf, name: (i) => `发送后客户${i}` }) },
    settings: { autoCreateLeads: true },
    syncExternalContacts: true,
  });
  const sql = <T extends object>(query: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(query, { replacements, type: QueryTypes.SELECT });

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
  });

  it('counts the follow-ups of the customers it reached within 7 days after their send, and says it is correlation', async () => {
    const lina = await api.userId('rep-east-1');
    const ids: number[] = [];
    for (let i = 0; i < 2; i++)
      ids.push(Number((await sql<{ id: number }>('SELECT customer_id AS id FROM customer_wecom_links WHERE external_userid = ?', [extOf(i)]))[0]!.id));
    await server.db.sequelize.query(`UPDATE customers SET owner_user_id = ? WHERE id IN (${ids.join(',')})`, { replacements: [lina] });
    const message = await api.send<MassMessageView>('mgr-east', 'POST', '/api/mass-messages', {
      audience: { ownerUserId: lina },
      content: { text: '年末服务提醒' },
    });
    await api.send('risk-1', 'POST', `/api/approvals/${message.approvalId}/approve`, { comment: '同意' }, 200);
    await server.services.massMessages.settled();
    const approved = await api.get<MassMessageView>('mgr-east', `/api/mass-messages/${message.id}`);
    expect(approved.afterSend).toBeNull();
    server.simulator.api.massMessages.confirm(approved.tasks[0]!.msgid!, 'rep-east-1');
    const day = 86_400_000;
    const followUp = (customerId: number, at: Date) =>
      server.db.sequelize.query(
        "INSERT INTO follow_ups (customer_id, user_id, followed_at, channel, content, created_at, updated_at) VALUES (?, ?, ?, 'wecom', '回访', ?, ?)",
        { replacements: [customerId, lina, at, at, at] },
      );
    const now = Date.now();
    await followUp(ids[0]!, new Date(now + day)); // within the 7 days
    await followUp(ids[0]!, new Date(now + 2 * day)); // within
    await followUp(ids[1]!, new Date(now - day)); // before the send
    await followUp(ids[1]!, new Date(now + 10 * day)); // after the 7 days

    const sent = await api.get<MassMessageView>('mgr-east', `/api/mass-messages/${message.id}?refresh=1`);

    expect(sent.afterSend).toEqual({
      days: 7,
      label: '发送后 7 日内（相关而非因果）',
      sentCustomers: 2,
      followUps: 2,
      customersFollowedUp: 1,
      trades: 0,
      customersTraded: 0,
    });
  });
});
