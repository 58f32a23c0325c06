/**
 * 客户群发 (issue 34) through the simulator's 企业群发 (92135, 93338): 300 customers across three reps
 * make one WeCom task per rep with that rep's customers; a product message leaves out the customers
 * its risk level does not suit and says how many; nothing reaches WeCom before 合规 approves; a
 * rep's confirmation shows as sent per customer (and on their timeline); the receiving limit shows
 * as such; a cancelled message sends nothing; {称呼} is the CRM name with 先生 / 女士, never the remark.
 */
import { QueryTypes } from 'sequelize';
import type { TimelineEntry } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { MassAudiencePreview, MassMessageView } from '@shared/mass-messages';
import type { ProductView } from '@shared/products';
import { generateCorp, type CorpSnapshot } from '../../scripts/wecom-simulator/index';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const REPS = ['rep-east-1', 'rep-east-2', 'rep-east-3'] as const;
const PER_REP = 100;
const extOf = (i: number) => `wm-mass-${String(i).padStart(4, '0')}`;

/** The demo org with 300 contacts: 100 per rep, every tenth of 李娜's also followed by 王强; each remark the rep's own note. */
function corpWithAudience(): CorpSnapshot {
  const corp = generateCorp({ externalContacts: 0 });
  for (let i = 0; i < REPS.length * PER_REP; i++) {
    const rep = REPS[Math.floor(i / PER_REP)]!;
    const follow = (userid: string, at: number) => ({
      userid,
      remark: `群发客户${i}-上海浦江`,
      description: '',
      createtime: 1_760_000_000 + i * 60 + at,
      tag_ids: [],
      remark_mobiles: [],
      add_way: 1,
      oper_userid: userid,
    });
    const follows = [follow(rep, 0)];
    if (rep === 'rep-east-1' && i % 10 === 0) follows.push(follow('rep-east-2', 30));
    corp.externalContacts.push({ contact: { external_userid: extOf(i), name: `🌸群发客户${i}🌸`, type: 1, avatar: '', gender: 1 }, follows });
  }
  return corp;
}

describe.each(databaseTargets())('客户群发 through WeCom on $label', (target) => {
  const { server, api } = useCrmServer(target, {
    simulator: { corp: corpWithAudience() },
    settings: { autoCreateLeads: true },
    syncExternalContacts: true,
  });
  const sim = () => server.simulator;
  const sql = <T extends object>(query: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(query, { replacements, type: QueryTypes.SELECT });
  const customerOf = async (i: number) =>
    Number((await sql<{ id: number }>('SELECT customer_id AS id FROM customer_wecom_links WHERE external_userid = ?', [extOf(i)]))[0]!.id);
  const create = (body: Record<string, unknown>) => api.send<MassMessageView>('mgr-east', 'POST', '/api/mass-messages', body);
  const detail = (id: number) => api.get<MassMessageView>('mgr-east', `/api/mass-messages/${id}?refresh=1`);
  /** 合规 approves; the WeCom tasks are created once the approval commits. */
  async function approve(message: MassMessageView): Promise<MassMessageView> {
    await api.send('risk-1', 'POST', `/api/approvals/${message.approvalId}/approve`, { comment: '内容合规' }, 200);
    await server.services.massMessages.settled();
    return detail(message.id);
  }
  const wecomMessage = (msgid: string) => sim().api.massMessages.require(msgid);
  const ownedBy = (userid: string) => api.userId(userid).then((id) => ({ ownerUserId: id }));

  let product: ProductView;
  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    // Each customer owned by the rep of their hundred (a contact two reps follow makes one lead, owned by either).
    for (const [n, rep] of REPS.entries()) {
      const ids = Array.from({ length: PER_REP }, (_, k) => extOf(n * PER_REP + k));
      const owner = await api.userId(rep);
      const [dept] = await sql<{ id: number }>('SELECT main_department_id AS id FROM users WHERE id = ?', [owner]);
      await server.db.sequelize.query(
        `UPDATE customers SET owner_user_id = ?, department_id = ? WHERE id IN (SELECT customer_id FROM customer_wecom_links WHERE external_userid IN (${ids.map(() => '?').join(',')}))`,
        { replacements: [owner, Number(dept!.id), ...ids] },
      );
    }
    // 李娜's customers: the first third C2, the next third C4 (both assessed, valid), the rest never assessed.
    const lina = await api.userId('rep-east-1');
    const ids = (await sql<{ id: number }>('SELECT id FROM customers WHERE owner_user_id = ? ORDER BY id', [lina])).map((r) => Number(r.id));
    const third = Math.floor(ids.length / 3);
    const setRisk = (level: string, slice: number[]) =>
      server.db.sequelize.query(
        `UPDATE customers SET risk_level = ?, risk_assessed_on = '2026-06-01', risk_assessment_expires_on = '2027-05-31' WHERE id IN (${slice.join(',')})`,
        {
          replacements: [level],
        },
      );
    await setRisk('C2', ids.slice(0, third));
    await setRisk('C4', ids.slice(third, 2 * third));
    product = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'MASSR3', name: '稳健增长三号', category: 'public_fund', riskLevel: 'R3' });
  });

  it('makes one WeCom task per rep, each with the customers that rep follows, every customer once', async () => {
    const message = await create({ title: '十二月市场观点', audience: {}, content: { text: '本周市场观点已更新，欢迎查阅。' } });
    const approved = await approve(message);

    expect(approved.status).toBe('sending');
    expect(approved.tasks).toHaveLength(3);
    const lists = approved.tasks.map((t) => ({
      sender: t.sender.name,
      ids: [...wecomMessage(t.msgid!).tasks.values()].flatMap((x) => [...x.recipients.keys()]),
    }));
    expect(lists.map((l) => l.sender).sort()).toEqual(['李娜', '王强', '赵敏'].sort());
    const all = lists.flatMap((l) => l.ids);
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    for (const { sender, ids } of lists) {
      const userid = { 李娜: 'rep-east-1', 王强: 'rep-east-2', 赵敏: 'rep-east-3' }[sender]!;
      for (const id of ids)
        expect(
          sim()
            .state.externalContacts.get(id)!
            .follows.some((f) => f.userid === userid),
        ).toBe(true);
    }
  });

  it('sends nothing to WeCom before 合规 approves', async () => {
    const before = sim().api.callCount('externalcontact/add_msg_template');

    const message = await create({ audience: await ownedBy('rep-east-3'), content: { text: '待审核的群发' } });

    expect(message.status).toBe('pending_review');
    expect(message.recipients.every((r) => r.statusLabel === '未发送（待审核）')).toBe(true);
    expect(sim().api.callCount('externalcontact/add_msg_template')).toBe(before);
    const pending = await api.get<{ items: unknown[] }>('rep-east-3', '/api/mass-messages/pending');
    expect(pending.items.some((p) => (p as { massMessageId: number }).massMessageId === message.id)).toBe(false);
  });

  it('leaves out, for a product message, the customers its risk level does not suit, and says how many', async () => {
    const preview = await api.send<MassAudiencePreview>(
      'mgr-east',
      'POST',
      '/api/mass-messages/preview',
      { audience: await ownedBy('rep-east-1'), productId: product.id },
      200,
    );

    expect(preview.matched).toBe(100);
    const excluded = Object.fromEntries(preview.excluded.map((e) => [e.label, e.count]));
    expect(excluded['风险等级低于产品']).toBe(33);
    expect(excluded['未做风险测评']).toBe(34);
    expect(preview.reach).toBe(33);

    const message = await create({ audience: await ownedBy('rep-east-1'), productId: product.id, content: { text: '稳健增长三号开放申购' } });
    expect(message.reach).toBe(33);
    expect(message.excluded.find((e) => e.reason === 'risk_level')!.detail).toBe('客户 C2，产品 R3');
  });

  it('leaves out a customer who asked not to receive marketing', async () => {
    const optedOut = await customerOf(201);
    await server.db.sequelize.query('UPDATE customers SET marketing_opt_out = ? WHERE id = ?', { replacements: [true, optedOut] });

    const preview = await api.send<MassAudiencePreview>('mgr-east', 'POST', '/api/mass-messages/preview', { audience: await ownedBy('rep-east-3') }, 200);

    expect(preview.excluded).toEqual([{ reason: 'opted_out', label: '不接收营销信息', count: 1 }]);
    expect(preview.reach).toBe(99);
  });

  it('shows a rep’s confirmation in WeCom as sent to each of their customers, and on the customer’s timeline', async () => {
    const message = await approve(await create({ title: '王强的确认', audience: await ownedBy('rep-east-2'), content: { text: '年末服务提醒' } }));
    const [task] = message.tasks;
    expect((await api.get<{ items: { taskId: number }[] }>('rep-east-2', '/api/mass-messages/pending')).items.map((p) => p.taskId)).toContain(task!.id);

    sim().api.massMessages.confirm(task!.msgid!, 'rep-east-2');
    const after = await detail(message.id);

    expect(after.status).toBe('done');
    expect(after.recipients.every((r) => r.status === 'sent')).toBe(true);
    expect(after.tasks[0]).toMatchObject({ status: 'sent', sent: 100, pending: 0 });
    const timeline = await api.get<PageOf<TimelineEntry>>('mgr-east', `/api/customers/${await customerOf(150)}/timeline`);
    expect(timeline.items.find((e) => e.kind === 'mass_message')?.summary).toContain('年末服务提醒');
  });

  it('shows a customer over WeCom’s receiving limit as such', async () => {
    // 92135: at most as many corp mass messages a month as the month has days.
    sim().api.massMessages.received(extOf(250), 31);
    const message = await approve(await create({ title: '上限', audience: await ownedBy('rep-east-3'), content: { text: '月末提醒' } }));

    sim().api.massMessages.confirm(message.tasks[0]!.msgid!, 'rep-east-3');
    const after = await detail(message.id);

    const limited = await customerOf(250);
    const over = after.recipients.find((r) => r.customerId === limited);
    expect(over).toMatchObject({ status: 'over_limit', statusLabel: '超过接收上限' });
    expect(after.tasks[0]).toMatchObject({ overLimit: 1 });
  });

  it('sends nothing for a message cancelled before the rep confirmed', async () => {
    const message = await approve(await create({ title: '取消', audience: await ownedBy('rep-east-3'), content: { text: '将被取消' } }));

    const cancelled = await api.send<MassMessageView>('mgr-east', 'POST', `/api/mass-messages/${message.id}/cancel`, {}, 200);

    expect(cancelled.status).toBe('cancelled');
    expect(wecomMessage(message.tasks[0]!.msgid!).cancelled).toBe(true);
    expect(() => sim().api.massMessages.confirm(message.tasks[0]!.msgid!, 'rep-east-3')).toThrow();
    expect(cancelled.recipients.some((r) => r.status === 'sent')).toBe(false);
    expect(cancelled.recipients.every((r) => r.status === 'cancelled')).toBe(true);
  });

  it('greets by the CRM name with 先生 / 女士 or the chosen 称呼, never the WeCom remark or nickname', async () => {
    const [man, woman, boss] = [await customerOf(210), await customerOf(211), await customerOf(212)];
    await server.db.sequelize.query("UPDATE customers SET name = '张伟', gender = 'male' WHERE id = ?", { replacements: [man] });
    await server.db.sequelize.query("UPDATE customers SET name = '欧阳娜娜', gender = 'female' WHERE id = ?", { replacements: [woman] });
    await server.db.sequelize.query("UPDATE customers SET name = '王建', salutation = '王总' WHERE id = ?", { replacements: [boss] });

    const preview = await api.send<MassAudiencePreview>(
      'mgr-east',
      'POST',
      '/api/mass-messages/preview',
      { audience: { ...(await ownedBy('rep-east-3')), keyword: '' }, content: { text: '{称呼}您好，我是{销售}' } },
      200,
    );
    const message = await create({ audience: await ownedBy('rep-east-3'), content: { text: '{称呼}您好，我是{销售}' } });
    const approved = await approve(message);

    expect(preview.sample.every((s) => !s.text.includes('上海浦江') && !s.text.includes('🌸'))).toBe(true);
    const sent = [...sim().api.massMessages.messages.values()].filter((m) => m.text?.content.endsWith('我是赵敏')).map((m) => m.text!.content);
    expect(sent).toEqual(expect.arrayContaining(['张先生您好，我是赵敏', '欧阳女士您好，我是赵敏', '王总您好，我是赵敏']));
    expect(sent.some((t) => t.includes('上海浦江') || t.includes('🌸'))).toBe(false);
    // WeCom sends one text per task (92135): different greetings make different tasks of the same rep.
    expect(approved.tasks.length).toBeGreaterThan(1);
  });
});
