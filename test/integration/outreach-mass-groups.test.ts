/**
 * 客户群发 to 客户群 (issue 34) through the simulator's 企业群发 with chat_type group (92135, 93338):
 * the groups come from the group-chat mirror in the creator's scope, each owner gets one group task
 * with their groups as chat_id_list (the owner is the sender WeCom requires), nothing reaches WeCom
 * before 合规 approves, the owner's confirmation shows per group — sent, failed for a group dismissed
 * meanwhile, over the receiving limit — and a group whose owner is no active member is left out.
 */
import type { WecomGroupChat } from '../../server/wecom/types';
import type { MassAudiencePreview, MassMessageView } from '@shared/mass-messages';
import { generateCorp, type CorpSnapshot } from '../../scripts/wecom-simulator/index';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const chat = (chatId: string, name: string, owner: string, members = 3): WecomGroupChat => ({
  chat_id: chatId,
  name,
  owner,
  create_time: 1_760_000_000,
  member_list: Array.from({ length: members }, (_, i) => ({ userid: `wm-member-${chatId}-${i}`, type: 2 as const, join_time: 1_760_000_000, join_scene: 3 })),
  admin_list: [],
});

/** The demo org's three groups (李娜, 王强, 刘洋), two more of 李娜's, one of 赵敏's and one whose owner left. */
function corpWithGroups(): CorpSnapshot {
  const corp = generateCorp({ externalContacts: 20 });
  corp.groupChats.push(
    chat('wr-mass-g1', '定投答疑群', 'rep-east-1', 40),
    chat('wr-mass-g2', '养老规划群', 'rep-east-1', 12),
    chat('wr-mass-g3', '徐汇客户群', 'rep-east-3', 8),
    chat('wr-mass-g4', '老客户群', 'left-rep', 5),
  );
  return corp;
}

describe.each(databaseTargets())('客户群发 to 客户群 on $label', (target) => {
  const { server, api } = useCrmServer(target, { simulator: { corp: corpWithGroups() }, syncExternalContacts: true });
  const sim = () => server.simulator;
  const create = (body: Record<string, unknown>, as = 'mgr-east') => api.send<MassMessageView>(as, 'POST', '/api/mass-messages', { kind: 'group', ...body });
  const preview = (body: Record<string, unknown>, as = 'mgr-east') =>
    api.send<MassAudiencePreview>(as, 'POST', '/api/mass-messages/preview', { kind: 'group', ...body }, 200);
  const detail = (id: number) => api.get<MassMessageView>('mgr-east', `/api/mass-messages/${id}?refresh=1`);
  async function approve(message: MassMessageView): Promise<MassMessageView> {
    await api.send('risk-1', 'POST', `/api/approvals/${message.approvalId}/approve`, { comment: '内容合规' }, 200);
    await server.services.massMessages.settled();
    return detail(message.id);
  }

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('ops-1')}/roles`, { roles: ['operations'] }, 200);
  });

  it('counts the 客户群 in the creator’s scope, per owner, one task each', async () => {
    const seen = await preview({ content: { text: '{称呼}您好，本周市场观点已更新。' } });

    // 华东: 李娜's three, 王强's one, 赵敏's one; 刘洋's (华南) and the departed owner's are not in scope.
    expect(seen.matched).toBe(5);
    expect(seen.reach).toBe(5);
    const senders = Object.fromEntries(seen.senders.map((s) => [s.name, [s.count, s.tasks]]));
    expect(senders).toEqual({ 李娜: [3, 1], 王强: [1, 1], 赵敏: [1, 1] });
    expect(seen.groupSample.map((g) => g.name)).toContain('定投答疑群');
  });

  it('narrows the groups by owner and by name', async () => {
    const byOwner = await preview({ groups: { ownerUserId: await api.userId('rep-east-1') }, content: { text: '你好' } });
    const byName = await preview({ groups: { name: '客户群' }, content: { text: '你好' } });

    expect(byOwner.reach).toBe(3);
    expect(byName.groupSample.map((g) => g.name).sort()).toEqual(['徐汇客户群']);
  });

  it('leaves out a group whose owner is no active member, and says why', async () => {
    const seen = await preview({ content: { text: '你好' } }, 'ops-1');

    expect(seen.matched).toBe(7);
    expect(seen.excluded).toEqual([{ reason: 'no_owner', label: '群主不是在职成员', count: 1 }]);
  });

  it('refuses a product message to 客户群: their risk levels cannot be checked', async () => {
    const product = await api.send<{ id: number }>('admin', 'POST', '/api/products', {
      code: 'MASSGR3',
      name: '群发产品',
      category: 'public_fund',
      riskLevel: 'R3',
    });

    const refused = await api.send<{ error: { code: string } }>(
      'mgr-east',
      'POST',
      '/api/mass-messages',
      { kind: 'group', productId: product.id, content: { text: '产品开放申购' } },
      409,
    );

    expect(refused.error.code).toBe('mass_group_product');
  });

  it('sends nothing to WeCom before 合规 approves, then one group task per owner with that owner’s groups', async () => {
    const before = sim().api.callCount('externalcontact/add_msg_template');
    const message = await create({ title: '十二月客户群资讯', content: { text: '{称呼}大家好，我是{销售}，十二月市场观点已更新。' } });
    expect(message.status).toBe('pending_review');
    expect(message.groups.every((g) => g.statusLabel === '未发送（待审核）')).toBe(true);
    expect(sim().api.callCount('externalcontact/add_msg_template')).toBe(before);
    const subject = JSON.stringify(await api.get('risk-1', `/api/approvals/${message.approvalId}`));
    expect(subject).toContain('5 个客户群');
    expect(subject).toContain('可见范围内全部客户群');

    const approved = await approve(message);

    expect(approved.status).toBe('sending');
    expect(approved.tasks).toHaveLength(3);
    const lina = approved.tasks.find((t) => t.sender.name === '李娜')!;
    const wecom = sim().api.massMessages.require(lina.msgid!);
    expect(wecom.chat_type).toBe('group');
    expect([...wecom.tasks.keys()]).toEqual(['rep-east-1']);
    expect([...wecom.tasks.get('rep-east-1')!.recipients.keys()].sort()).toEqual(['wr-demo-chat-1', 'wr-mass-g1', 'wr-mass-g2']);
    // A group has no one addressee: {称呼} gives way to a neutral greeting; {销售} is the owner.
    expect(wecom.text?.content).toBe('大家好，我是李娜，十二月市场观点已更新。');
    expect(lina.recipients).toBe(3);
  });

  it('shows the owner’s confirmation per group: sent, failed for a group dismissed meanwhile, over the receiving limit', async () => {
    const message = await approve(await create({ groups: { ownerUserId: await api.userId('rep-east-1') }, content: { text: '年末客户活动报名开始。' } }));
    const msgid = message.tasks[0]!.msgid!;
    sim().state.groupChats.delete('wr-mass-g2');
    sim().api.massMessages.received('wr-mass-g1', 31);

    sim().api.massMessages.confirm(msgid, 'rep-east-1');
    const read = await detail(message.id);

    const byName = Object.fromEntries(read.groups.map((g) => [g.name, g.statusLabel]));
    expect(byName).toEqual({ 华东高净值客户交流群: '已发送', 定投答疑群: '超过接收上限', 养老规划群: '发送失败' });
    expect(read.status).toBe('done');
    expect(read.sent).toBe(1);
    expect(read.groups.find((g) => g.name === '华东高净值客户交流群')!.sentAt).not.toBeNull();
  });

  it('counts 客户群 in the report’s reach and sent per owner', async () => {
    const report = await api.get<{ items: { sender: { name: string }; reach: number; sent: number }[] }>('mgr-east', '/api/mass-messages/report');

    const lina = report.items.find((r) => r.sender.name === '李娜')!;
    expect(lina.reach).toBeGreaterThanOrEqual(6);
    expect(lina.sent).toBeGreaterThanOrEqual(1);
  });

  it('names a message without a title by its text, leaving out the clauses with a placeholder', async () => {
    const message = await create({
      groups: { ownerUserId: await api.userId('rep-east-2') },
      content: { text: '大家好，我是{销售}。十二月市场观点已更新，欢迎查阅。' },
    });

    expect(message.title).toBe('大家好，十二月市场观点已更新，欢迎查阅');
  });

  it('lists a group task in its owner’s 待发送 with the number of groups', async () => {
    const message = await approve(await create({ groups: { ownerUserId: await api.userId('rep-east-3') }, content: { text: '周末沙龙邀请' } }));

    const pending = await api.get<{ items: { massMessageId: number; kind: string; recipients: number }[] }>('rep-east-3', '/api/mass-messages/pending');

    expect(pending.items.find((p) => p.massMessageId === message.id)).toMatchObject({ kind: 'group', recipients: 1 });
  });

  it('cancels a group message before the owner confirms: nothing is sent', async () => {
    const message = await approve(await create({ groups: { ownerUserId: await api.userId('rep-east-2') }, content: { text: '会被取消的群发' } }));

    const cancelled = await api.send<MassMessageView>('mgr-east', 'POST', `/api/mass-messages/${message.id}/cancel`, {}, 200);

    expect(cancelled.groups.map((g) => g.statusLabel)).toEqual(['已取消']);
    expect(() => sim().api.massMessages.confirm(message.tasks[0]!.msgid!, 'rep-east-2')).toThrow();
  });
});
