import type { CustomerView } from '@shared/customers';
import type { ProductView } from '@shared/products';
import type { GroupChatView, SidebarCard } from '@shared/sidebar';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';

describe.each(databaseTargets())('sidebar API on $label', (target) => {
  const { server, api } = useCrmServer(target, { settings: { autoCreateLeads: false }, syncExternalContacts: true });
  let seq = 0;
  const settle = () => deliverCallbacks(server);
  const customer = (userid: string, body: Record<string, unknown>) => api.send<CustomerView>(userid, 'POST', '/api/customers', { type: 'individual', ...body });
  const addContact = async (userid: string, name: string, mobile: string, extra: { tag_ids?: string[]; state?: string } = {}) => {
    const externalUserid = `wmSIDE${String(++seq).padStart(4, '0')}`;
    server.simulator.state.addExternalContact(
      { external_userid: externalUserid, name, type: 1, avatar: 'https://wework.qpic.cn/avatar/1' },
      { userid, remark: `${name}-备注`, description: '关注稳健型产品', add_way: 1, tag_ids: extra.tag_ids ?? [], remark_mobiles: [mobile], state: extra.state },
    );
    await settle();
    return externalUserid;
  };
  const card = (userid: string, ext: string) => api.get<SidebarCard>(userid, `/api/sidebar/external-contacts/${ext}`);

  it('gives a follower the full card: WeCom identity, how it matched, profile, holdings and the last follow-ups', async () => {
    const product = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'SIDE01', name: '侧边栏理财', category: 'wealth', riskLevel: 'R2' });
    const c = await customer('rep-east-1', { name: '侧边栏客户', phone: '13900139001', lifecycleStage: 'customer', level: 'vip', ...ASSESSED_C5 });
    await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/holding-records`, {
      kind: 'buy',
      productId: product.id,
      amount: 200_000,
      tradedOn: '2026-10-01',
    });
    for (let i = 1; i <= 6; i++) {
      await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/follow-ups`, {
        channel: 'wecom',
        content: `第${i}次沟通`,
        followedAt: new Date(Date.UTC(2026, 9, i)).toISOString(),
      });
    }
    const ext = await addContact('rep-east-1', '微信里的名字', '139 0013 9001', { tag_ids: ['et-level-vip'], state: 'qr-branch-sh' });

    const result = await card('rep-east-1', ext);

    expect(result.contact).toMatchObject({
      name: '微信里的名字',
      type: 'wechat',
      remark: '微信里的名字-备注',
      tags: ['高净值'],
      addWay: '扫描二维码',
      state: 'qr-branch-sh',
      lost: false,
    });
    expect(result.link?.matchedBy).toBe('mobile');
    expect(result.customer?.access).toBe('full');
    if (result.customer?.access !== 'full') return;
    expect(result.customer.profile).toMatchObject({ id: c.id, name: '侧边栏客户', lifecycleStage: 'customer', level: 'vip' });
    expect(result.customer.holdings).toEqual([{ productId: product.id, productName: '侧边栏理财', category: 'wealth', amount: 200_000, cost: 200_000 }]);
    expect(result.customer.latestFollowUps.map((f) => f.content)).toEqual(['第6次沟通', '第5次沟通', '第4次沟通', '第3次沟通', '第2次沟通']);
  });

  it('gives the CRM owner the card of their customer although a colleague is the WeCom follower', async () => {
    await customer('rep-east-1', { name: '我的客户但不是我的好友', phone: '13900139002' });
    const ext = await addContact('rep-east-2', '只加了王强', '13900139002');

    const result = await card('rep-east-1', ext);

    expect(result.viewer).toBe('owner');
    expect(result.customer?.access).toBe('full');
  });

  it('answers 403 to an employee who neither follows the contact nor sees its customer', async () => {
    await customer('rep-east-2', { name: '别人的客户', phone: '13900139012' });
    const ext = await addContact('rep-east-2', '只加了王强', '13900139012');

    const res = await (await api.as('rep-east-1')).fetch(`/api/sidebar/external-contacts/${ext}`);

    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toContain('不是该客户的跟进人');
  });

  it('answers 403 to a non-follower for a contact with no customer, without matching it', async () => {
    const ext = await addContact('rep-east-2', '未建档联系人', '13900139013');

    const res = await (await api.as('mgr-east')).fetch(`/api/sidebar/external-contacts/${ext}`);

    expect(res.status).toBe(403);
  });

  it('gives a limited card without holdings when the linked customer is outside the caller’s scope', async () => {
    await customer('rep-south-1', { name: '华南的客户', phone: '13900139003', lifecycleStage: 'opportunity' });
    const ext = await addContact('rep-east-1', '跨区客户', '13900139003');

    const result = await card('rep-east-1', ext);

    expect(result.customer).toEqual({
      access: 'limited',
      id: expect.any(Number),
      name: '华南的客户',
      owner: { id: await api.userId('rep-south-1'), name: '刘洋' },
      lifecycleStage: 'opportunity',
    });
  });

  it('answers 404 for an external id WeCom does not know, after asking WeCom once', async () => {
    const res = await (await api.as('rep-east-1')).fetch('/api/sidebar/external-contacts/wmNOBODY0001');

    expect(res.status).toBe(404);
  });

  it('refreshes the follow relation from WeCom when the callback has not arrived yet', async () => {
    const c = await customer('rep-east-1', { name: '回调未到', phone: '13900139004' });
    const callbackUrl = server.simulator.events.callbackUrl;
    server.simulator.events.callbackUrl = undefined; // WeCom has the contact, our mirror does not
    server.simulator.state.addExternalContact(
      { external_userid: 'wmSIDELATE01', name: '先看卡片', type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 2, tag_ids: [], remark_mobiles: ['13900139004'] },
    );

    const result = await card('rep-east-1', 'wmSIDELATE01').finally(() => {
      server.simulator.events.callbackUrl = callbackUrl;
    });

    expect(result.contact.name).toBe('先看卡片');
    expect(result.customer?.access === 'full' && result.customer.profile.id).toBe(c.id);
  });

  it('lists an unlinked contact with no candidates as such, ready to link or create', async () => {
    const ext = await addContact('rep-east-2', '全新的人', '13900139005');

    const result = await card('rep-east-2', ext);

    expect([result.link, result.customer, result.suggestions]).toEqual([null, null, []]);
  });

  it('shows a group chat’s customers and unmatched members to a member, and 403 to others', async () => {
    const c = await customer('rep-east-1', { name: '群里的客户', phone: '13900139006' });
    const linked = await addContact('rep-east-1', '群成员甲', '13900139006');
    const stranger = await addContact('rep-east-1', '群成员乙', '13900139007');
    server.simulator.state.createGroupChat({
      chat_id: 'wrSIDECHAT01',
      name: '高净值客户群',
      owner: 'rep-east-1',
      create_time: 1760000000,
      member_list: [
        { userid: 'rep-east-1', type: 1, join_time: 1760000000, join_scene: 1 },
        { userid: linked, type: 2, join_time: 1760000000, join_scene: 1 },
        { userid: stranger, type: 2, join_time: 1760000000, join_scene: 1, group_nickname: '乙（群昵称）' },
      ],
    });
    await settle();

    const view = await api.get<GroupChatView>('rep-east-1', '/api/sidebar/group-chats/wrSIDECHAT01');
    const outsider = await (await api.as('rep-south-1')).fetch('/api/sidebar/group-chats/wrSIDECHAT01');

    expect(view).toMatchObject({ name: '高净值客户群', owner: { userid: 'rep-east-1', name: '李娜' }, memberCount: 3 });
    expect(view.customers).toEqual([{ externalUserId: linked, displayName: '群成员甲', customer: expect.objectContaining({ id: c.id, inScope: true }) }]);
    expect(view.unmatched).toEqual([{ externalUserId: stranger, displayName: '乙（群昵称）' }]);
    expect(outsider.status).toBe(403);
  });
});
