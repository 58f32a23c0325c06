import { QueryTypes } from 'sequelize';
import type { CustomerView, TimelineEntry } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { SidebarCard } from '@shared/sidebar';
import type { WecomExternalContact } from '../../server/wecom/types';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { deliverCallbacks, syncExternalContacts } from '../helpers/server';

describe.each(databaseTargets())('matching WeCom contacts to customers on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let seq = 0;
  const settle = () => deliverCallbacks(server);
  const customer = (userid: string, body: Record<string, unknown>) => api.send<CustomerView>(userid, 'POST', '/api/customers', { type: 'individual', ...body });
  /** A new WeCom contact added by `userid`, delivered through the real callback pipeline. */
  const addContact = async (
    userid: string,
    contact: Partial<WecomExternalContact> & { name: string },
    follow: { remark_mobiles?: string[]; remark_corp_name?: string; state?: string } = {},
  ) => {
    const externalUserid = `wmMATCH${String(++seq).padStart(4, '0')}`;
    server.simulator.state.addExternalContact(
      { external_userid: externalUserid, type: 1, ...contact },
      { userid, remark: '', description: '', add_way: 1, tag_ids: [], ...follow },
    );
    await settle();
    return externalUserid;
  };
  const linkOf = async (externalUserid: string) =>
    (
      await server.db.sequelize.query<{ customer_id: number; matched_by: string }>(
        'SELECT customer_id, matched_by FROM customer_wecom_links WHERE external_userid = ?',
        {
          replacements: [externalUserid],
          type: QueryTypes.SELECT,
        },
      )
    )[0] ?? null;
  const setAutoCreate = (on: boolean) => api.send('admin', 'PATCH', '/api/admin/settings', { autoCreateLeads: on });

  beforeEach(() => setAutoCreate(false));

  it('links by unionid', async () => {
    const c = await customer('rep-east-1', { name: '联合一号' });
    await server.db.sequelize.query("UPDATE customers SET unionid = 'ou_union_1' WHERE id = ?", { replacements: [c.id] });

    const ext = await addContact('rep-east-1', { name: '微信昵称', unionid: 'ou_union_1' });

    expect(await linkOf(ext)).toEqual({ customer_id: c.id, matched_by: 'unionid' });
  });

  it('links by a remark mobile written differently from the customer’s phone, across reps’ scopes', async () => {
    const c = await customer('rep-south-1', { name: '手机匹配', phone: '13800138101' });

    const ext = await addContact('rep-east-1', { name: '老周' }, { remark_mobiles: ['+86 138-0013-8101'] });

    expect(await linkOf(ext)).toEqual({ customer_id: c.id, matched_by: 'mobile' });
  });

  it('links by the phone of a customer’s contact person', async () => {
    const c = await customer('rep-east-2', { name: '联系人匹配公司', type: 'institution' });
    await api.send('rep-east-2', 'POST', `/api/customers/${c.id}/contacts`, { name: '赵秘书', phone: '13800138102' });

    const ext = await addContact('rep-east-2', { name: '赵秘书' }, { remark_mobiles: ['13800138102'] });

    expect(await linkOf(ext)).toEqual({ customer_id: c.id, matched_by: 'mobile' });
  });

  it('never links an ambiguous mobile and suggests both customers', async () => {
    const a = await customer('rep-east-1', { name: '甲客户', phone: '13800138103' });
    const b = await customer('rep-east-1', { name: '乙客户' });
    await api.send('rep-east-1', 'POST', `/api/customers/${b.id}/contacts`, { name: '共用号码', phone: '138 0013 8103' });
    await setAutoCreate(true);

    const ext = await addContact('rep-east-1', { name: '谁呢' }, { remark_mobiles: ['13800138103'] });
    const card = await api.get<SidebarCard>('rep-east-1', `/api/sidebar/external-contacts/${ext}`);

    expect(await linkOf(ext)).toBeNull();
    expect(card.suggestions.map((s) => [s.customer.id, s.reason])).toEqual([
      [a.id, 'mobile'],
      [b.id, 'mobile'],
    ]);
  });

  it('only suggests a customer with the same name and company, and then creates no lead', async () => {
    const c = await customer('rep-east-1', { name: '孙丽', institution: '杭州远景科技有限公司' });
    await setAutoCreate(true);

    const ext = await addContact('rep-east-1', { name: '孙丽', type: 2, corp_name: '远景科技', corp_full_name: '杭州远景科技有限公司' });
    const card = await api.get<SidebarCard>('rep-east-1', `/api/sidebar/external-contacts/${ext}`);

    expect(await linkOf(ext)).toBeNull();
    expect(card.suggestions).toEqual([expect.objectContaining({ reason: 'name_corp', customer: expect.objectContaining({ id: c.id }) })]);
  });

  it('keeps an existing link when a later remark mobile points elsewhere', async () => {
    const first = await customer('rep-east-1', { name: '先关联', phone: '13800138104' });
    await customer('rep-east-1', { name: '后出现', phone: '13800138105' });
    const ext = await addContact('rep-east-1', { name: '稳定' }, { remark_mobiles: ['13800138104'] });

    server.simulator.state.editFollow(ext, 'rep-east-1', { remark: '稳定（改）', remark_mobiles: ['13800138105'] });
    await settle();

    expect(await linkOf(ext)).toEqual({ customer_id: first.id, matched_by: 'mobile' });
  });

  it('matches when a rep types the phone into the WeCom remark later', async () => {
    const ext = await addContact('rep-east-1', { name: '后补手机号' });
    const c = await customer('rep-east-1', { name: '后补手机号客户', phone: '13800138106' });
    expect(await linkOf(ext)).toBeNull();

    server.simulator.state.editFollow(ext, 'rep-east-1', { remark: '后补', remark_mobiles: ['138-0013-8106'] });
    await settle();

    expect(await linkOf(ext)).toEqual({ customer_id: c.id, matched_by: 'mobile' });
  });

  it('matches a mobile-only remark edit (which WeCom does not report) when the rep opens the sidebar', async () => {
    const ext = await addContact('rep-east-1', { name: '只改手机号' });
    const c = await customer('rep-east-1', { name: '只改手机号客户', phone: '13800138116' });
    server.simulator.state.editFollow(ext, 'rep-east-1', { remark_mobiles: ['13800138116'] });
    await settle();
    expect(await linkOf(ext)).toBeNull();

    const card = await api.get<SidebarCard>('rep-east-1', `/api/sidebar/external-contacts/${ext}`);

    expect(card.customer).toMatchObject({ access: 'full', profile: expect.objectContaining({ id: c.id }) });
    expect(await linkOf(ext)).toEqual({ customer_id: c.id, matched_by: 'mobile' });
  });

  it('creates a lead owned by the adder, from WeCom, with the 渠道活码 as channel when auto-creation is on', async () => {
    await setAutoCreate(true);

    const ext = await addContact('rep-east-3', { name: '新线索', unionid: 'ou_new_lead' }, { remark_mobiles: ['13800138107'], state: 'qr-event-2026' });
    const link = await linkOf(ext);
    const lead = await api.get<CustomerView>('rep-east-3', `/api/customers/${link!.customer_id}`);

    expect(link!.matched_by).toBe('created');
    expect(lead).toMatchObject({
      name: '新线索',
      lifecycleStage: 'lead',
      source: 'wecom',
      phone: '13800138107',
      acquisitionChannel: 'qr-event-2026',
      departmentId: 6,
    });
    expect(lead.owner.name).toBe('赵敏');
  });

  it('makes one lead of two new contacts sharing a mobile in one sync page, and links the other to it', async () => {
    await setAutoCreate(true);
    const [first, second] = [`wmSAME${++seq}`, `wmSAME${++seq}`];
    for (const [externalUserid, name] of [
      [first, '同号甲'],
      [second, '同号乙'],
    ] as const) {
      server.simulator.state.addExternalContact(
        { external_userid: externalUserid, type: 1, name },
        { userid: 'rep-east-2', remark: '', description: '', add_way: 1, tag_ids: [], remark_mobiles: ['13800138120'] },
      );
    }

    const run = await syncExternalContacts(server);
    const [a, b] = [await linkOf(first), await linkOf(second)];

    expect(run.status).toBe('succeeded');
    expect(a?.matched_by).toBe('created');
    expect(b).toEqual({ customer_id: a!.customer_id, matched_by: 'mobile' });
  });

  it('queues a “new lead” message to its owner, opening the lead', async () => {
    await setAutoCreate(true);

    const ext = await addContact('rep-east-3', { name: '通知线索' }, { remark_mobiles: ['13800138188'] });
    const link = await linkOf(ext);
    const [notice] = await server.db.sequelize.query<{ kind: string; title: string; path: string; wecom_userid: string }>(
      'SELECT n.kind, n.title, n.path, u.wecom_userid FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.path = ?',
      { replacements: [`/customers/${link!.customer_id}`], type: QueryTypes.SELECT },
    );

    expect(notice).toEqual({ kind: 'lead_created', title: '新线索：通知线索', path: `/customers/${link!.customer_id}`, wecom_userid: 'rep-east-3' });
  });

  it('tells the owner when a contact links to their customer', async () => {
    const c = await customer('rep-south-1', { name: '关联通知', phone: '13800138189' });

    await addContact('rep-east-1', { name: '关联通知人' }, { remark_mobiles: ['13800138189'] });
    const [notice] = await server.db.sequelize.query<{ kind: string; description: string; wecom_userid: string }>(
      'SELECT n.kind, n.description, u.wecom_userid FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.path = ?',
      { replacements: [`/customers/${c.id}`], type: QueryTypes.SELECT },
    );

    expect(notice).toMatchObject({ kind: 'contact_linked', wecom_userid: 'rep-south-1' });
    expect(notice!.description).toContain('关联通知人 已关联到你的客户 关联通知');
  });

  it('leaves an unmatched contact unlinked when auto-creation is off', async () => {
    const ext = await addContact('rep-east-3', { name: '不自动建档' }, { remark_mobiles: ['13800138108'] });

    expect(await linkOf(ext)).toBeNull();
  });

  it('relinks by hand, audited, and records both moves in the timelines', async () => {
    const a = await customer('rep-east-1', { name: '原客户', phone: '13800138109' });
    const b = await customer('rep-east-1', { name: '新客户' });
    const ext = await addContact('rep-east-1', { name: '改关联' }, { remark_mobiles: ['13800138109'] });

    await api.send('rep-east-1', 'POST', '/api/wecom-links', { externalUserId: ext, customerId: b.id }, 200);
    const [entry] = await server.db.sequelize.query<{ diff: string }>("SELECT diff FROM audit_logs WHERE action = 'wecom_link.relink'", {
      type: QueryTypes.SELECT,
    });
    const oldTimeline = await api.get<PageOf<TimelineEntry>>('rep-east-1', `/api/customers/${a.id}/timeline`);
    const newTimeline = await api.get<PageOf<TimelineEntry>>('rep-east-1', `/api/customers/${b.id}/timeline`);

    expect(await linkOf(ext)).toEqual({ customer_id: b.id, matched_by: 'manual' });
    expect(JSON.parse(entry!.diff)).toMatchObject({ externalUserid: ext, from: a.id, to: b.id });
    expect(oldTimeline.items.filter((e) => e.kind === 'wecom_link').map((e) => e.data.event)).toEqual(['unlinked', 'linked']);
    expect(newTimeline.items.find((e) => e.kind === 'wecom_link')?.summary).toContain('改为关联企业微信联系人 改关联');
  });

  it('refuses to take a contact away from a customer the rep cannot see', async () => {
    const theirs = await customer('rep-south-1', { name: '别人的客户', phone: '13800138110' });
    const mine = await customer('rep-east-1', { name: '我的客户' });
    const ext = await addContact('rep-east-1', { name: '争议联系人' }, { remark_mobiles: ['13800138110'] });

    const res = await (await api.as('rep-east-1')).json('/api/wecom-links', 'POST', { externalUserId: ext, customerId: mine.id });

    expect(res.status).toBe(403);
    expect(await linkOf(ext)).toEqual({ customer_id: theirs.id, matched_by: 'mobile' });
  });

  it('creates a customer from a contact, prefilled, and unlinks it again', async () => {
    const ext = await addContact('rep-east-2', { name: '从联系人建档', type: 2, corp_full_name: '宁波海纳物流有限公司' }, { remark_mobiles: ['13800138111'] });

    const created = await api.send<CustomerView>('rep-east-2', 'POST', `/api/wecom-links/${ext}/customer`, { level: 'important' });
    const unlink = await (await api.as('rep-east-2')).fetch(`/api/wecom-links/${ext}`, { method: 'DELETE' });

    expect(created).toMatchObject({ name: '从联系人建档', institution: '宁波海纳物流有限公司', phone: '13800138111', source: 'wecom', level: 'important' });
    expect(unlink.status).toBe(204);
    expect(await linkOf(ext)).toBeNull();
  });

  it('keeps the link when the customer deletes the rep, shows the contact as lost and notes it in the timeline', async () => {
    const c = await customer('rep-east-1', { name: '流失联系人', phone: '13800138112' });
    const ext = await addContact('rep-east-1', { name: '将删除' }, { remark_mobiles: ['13800138112'] });

    server.simulator.state.removeFollow(ext, 'rep-east-1', 'customer');
    await settle();
    const card = await api.get<SidebarCard>('rep-east-1', `/api/sidebar/external-contacts/${ext}`);
    const timeline = await api.get<PageOf<TimelineEntry>>('rep-east-1', `/api/customers/${c.id}/timeline`);

    expect(await linkOf(ext)).toEqual({ customer_id: c.id, matched_by: 'mobile' });
    expect(card.contact.lost).toBe(true);
    const lost = timeline.items.find((e) => e.kind === 'wecom_link' && e.data.event === 'lost');
    expect(lost?.summary).toContain('失去企业微信联系人 将删除：客户删除了李娜');
  });

  it('releases the contacts of a deleted customer so they can be matched again', async () => {
    const c = await customer('rep-east-1', { name: '将删除的客户', phone: '13800138114' });
    const ext = await addContact('rep-east-1', { name: '被释放' }, { remark_mobiles: ['13800138114'] });

    const res = await (await api.as('rep-east-1')).fetch(`/api/customers/${c.id}`, { method: 'DELETE' });

    expect(res.status).toBe(204);
    expect(await linkOf(ext)).toBeNull();
  });

  it('matches unlinked contacts on demand without creating leads', async () => {
    const ext = await addContact('rep-east-1', { name: '补匹配' }, { remark_mobiles: ['13800138113'] });
    await server.db.sequelize.query(
      "INSERT INTO customers (type, name, status, lifecycle_stage, phone, owner_user_id, department_id, version, created_at, updated_at) VALUES ('individual', '导入的客户', 'active', 'lead', '13800138113', ?, 2, 1, ?, ?)",
      {
        replacements: [await api.userId('rep-east-1'), new Date(), new Date()],
      },
    );

    const result = await api.send<{ checked: number; linked: Record<string, number> }>('admin', 'POST', '/api/admin/matching/run', {}, 200);

    expect(result.linked.mobile).toBeGreaterThanOrEqual(1);
    expect((await linkOf(ext))?.matched_by).toBe('mobile');
  });
});
