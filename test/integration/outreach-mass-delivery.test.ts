/**
 * 客户群发 after approval (issue 34): each sender is told by our app what to confirm (a textcard
 * through the notification outbox, linking to their 待发送 list); the results are read back by a
 * background `mass_message.poll` job — one get_groupmsg_task call per waiting task while nobody
 * confirms, the send results once a rep has — which stops when every task is sent, and after 7 days
 * whatever happens (who still waits reads 成员未确认); the create page's preview says how many tasks
 * each rep will confirm when {称呼} makes the texts differ.
 */
import { QueryTypes } from 'sequelize';
import type { MassAudiencePreview, MassMessageView } from '@shared/mass-messages';
import { generateCorp } from '../../scripts/wecom-simulator/index';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

interface SentCard {
  touser: string;
  textcard: { title: string; description: string; url: string };
}

describe.each(databaseTargets())('客户群发 after approval on $label', (target) => {
  const { server, api } = useCrmServer(target, {
    simulator: { corp: generateCorp({ externalContacts: 40 }) },
    settings: { autoCreateLeads: true },
    syncExternalContacts: true,
  });
  const sim = () => server.simulator;
  const sql = <T extends object>(query: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(query, { replacements, type: QueryTypes.SELECT });
  const ownedBy = async (userid: string) => ({ ownerUserId: await api.userId(userid) });
  async function sentAndApproved(userid: string, text: string): Promise<MassMessageView> {
    const message = await api.send<MassMessageView>('mgr-east', 'POST', '/api/mass-messages', { audience: await ownedBy(userid), content: { text } });
    await api.send('risk-1', 'POST', `/api/approvals/${message.approvalId}/approve`, { comment: '内容合规' }, 200);
    await server.services.massMessages.settled();
    return api.get<MassMessageView>('mgr-east', `/api/mass-messages/${message.id}`);
  }
  const pollJob = async (id: number) =>
    (
      await sql<{ status: string; run_at: Date | string }>("SELECT status, run_at FROM jobs WHERE kind = 'mass_message.poll' AND payload = ?", [
        JSON.stringify({ massMessageId: id }),
      ])
    )[0];
  /** Makes the message's poll due and runs the job worker. */
  async function pollNow(id: number): Promise<void> {
    await server.db.sequelize.query("UPDATE jobs SET run_at = ? WHERE kind = 'mass_message.poll' AND payload = ? AND status = 'queued'", {
      replacements: [new Date(Date.now() - 1000), JSON.stringify({ massMessageId: id })],
    });
    await server.services.jobs.drain();
  }

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
  });

  it('tells each sender by app message what to confirm, linking to their 待发送 list', async () => {
    const from = sim().api.sentMessages.length;

    const message = await sentAndApproved('rep-east-2', '本周市场观点已更新。');
    await server.services.reminders.sendSoon();

    const cards = (sim().api.sentMessages as unknown as SentCard[]).slice(from).filter((c) => c.textcard?.title === '待你发送：客户群发');
    expect(cards).toHaveLength(1);
    expect(cards[0]!.touser).toBe('rep-east-2');
    expect(cards[0]!.textcard.description).toContain(`发给 ${message.reach} 位客户`);
    expect(cards[0]!.textcard.description).toContain('群发助手');
    expect(cards[0]!.textcard.url).toMatch(/\/mass-messages\?tab=pending$/);
  });

  it('reads a rep’s confirmation back in the background, then stops polling', async () => {
    const message = await sentAndApproved('rep-east-1', '年末客户活动报名开始。');
    expect((await pollJob(message.id))!.status).toBe('queued');

    sim().api.massMessages.confirm(message.tasks[0]!.msgid!, 'rep-east-1');
    await pollNow(message.id);

    const read = await api.get<MassMessageView>('mgr-east', `/api/mass-messages/${message.id}`);
    expect(read.status).toBe('done');
    expect(read.sent).toBe(read.reach);
    expect((await pollJob(message.id))!.status).toBe('done');
  });

  it('costs one WeCom call per waiting task while nobody confirms, and polls again later', async () => {
    const message = await sentAndApproved('rep-east-3', '新年理财讲座邀请。');
    const tasks = sim().api.callCount('externalcontact/get_groupmsg_task');
    const results = sim().api.callCount('externalcontact/get_groupmsg_send_result');

    await pollNow(message.id);

    expect(sim().api.callCount('externalcontact/get_groupmsg_task') - tasks).toBe(message.tasks.length);
    expect(sim().api.callCount('externalcontact/get_groupmsg_send_result')).toBe(results);
    const job = (await pollJob(message.id))!;
    expect(job.status).toBe('queued');
    expect(new Date(job.run_at).getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
  });

  it('stops after 7 days whatever happens: who still waits reads 成员未确认', async () => {
    const message = await sentAndApproved('rep-east-3', '不会被确认的群发。');
    await server.db.sequelize.query('UPDATE mass_messages SET dispatched_at = ? WHERE id = ?', {
      replacements: [new Date(Date.now() - 8 * 86_400_000), message.id],
    });

    await pollNow(message.id);

    expect((await pollJob(message.id))!.status).toBe('done');
    const read = await api.get<MassMessageView>('mgr-east', `/api/mass-messages/${message.id}`);
    expect(new Set(read.recipients.map((r) => r.statusLabel))).toEqual(new Set(['成员未确认']));
  });

  it('says in the preview how many tasks each rep confirms: one per distinct greeting with {称呼}, one without', async () => {
    const ask = (text: string) => api.send<MassAudiencePreview>('mgr-east', 'POST', '/api/mass-messages/preview', { audience: {}, content: { text } }, 200);

    const greeted = await ask('{称呼}您好，本周观点已更新。');
    const plain = await ask('您好，本周观点已更新。');

    expect(plain.senders.every((s) => s.tasks === 1)).toBe(true);
    expect(greeted.senders.some((s) => s.tasks > 1)).toBe(true);
    expect(greeted.senders.every((s) => s.tasks <= s.count)).toBe(true);
  });
});
