/**
 * Engagement against the simulator: the welcome message on the fast path (inside WeCom's 20 s,
 * once per WelcomeCode), 渠道活码 attribution, tags and remarks written back to WeCom without a
 * callback loop, and the 话术库 filled for the chat.
 */
import { QueryTypes } from 'sequelize';
import type { ChatMessage, ContactWayView, CorpTagGroupView, QuickReplyView } from '@shared/engagement';
import type { CustomerView } from '@shared/customers';
import type { CustomerDashboard } from '@shared/dashboard';
import type { SidebarCard } from '@shared/sidebar';
import { createLogger } from '../../server/logger';
import { WelcomeSender } from '../../server/modules/engagement/welcome';
import type { XmlObject } from '../../server/wecom/xml';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { deliverCallbacks, syncExternalContacts } from '../helpers/server';

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe.each(databaseTargets())('engagement on $label', (target) => {
  const { server, api } = useCrmServer(target, { syncExternalContacts: true });
  let seq = 0;
  const sim = () => server.simulator;
  const settle = () => deliverCallbacks(server);
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const runJobs = () => server.services.jobs.drain();
  const nextExt = () => `wmENG${String(++seq).padStart(4, '0')}`;
  const welcomesTo = (externalUserid: string) => sim().api.welcomeMessages.filter((m) => m.external_userid === externalUserid);
  const simFollow = (externalUserid: string, userid: string) =>
    sim()
      .state.externalContacts.get(externalUserid)!
      .follows.find((f) => f.userid === userid)!;

  /** A WeCom contact `userid` just added (the add event is not delivered yet). */
  const addContact = (userid: string, name: string, extra: { remark_mobiles?: string[] } = {}) => {
    const externalUserid = nextExt();
    sim().state.addExternalContact(
      { external_userid: externalUserid, name, type: 1 },
      { userid, remark: '', description: '', add_way: 1, tag_ids: [], ...extra },
    );
    return externalUserid;
  };
  const setWelcome = (text: string) => api.send('admin', 'PUT', '/api/admin/welcome-templates', { scope: 'corp', text, enabled: true }, 200);
  const createWay = (body: Record<string, unknown>) => api.send<ContactWayView>('admin', 'POST', '/api/admin/contact-ways', body);

  beforeAll(async () => {
    await api.send('admin', 'PATCH', '/api/admin/settings', { autoCreateLeads: false, remarkWriteBack: true }, 200);
    await setWelcome('{客户称呼}您好，我是{销售姓名}');
  });
  afterEach(() => sim().faults.clear());

  describe('welcome messages', () => {
    it('goes out within 2 s of the add even when externalcontact/get takes 8 s', async () => {
      sim().faults.set('externalcontact/get', { latencyMs: 8_000 });
      const addedAt = Date.now();
      const ext = addContact('rep-east-1', '慢查询客户');

      await sim().events.flush();
      await server.services.welcome.settled();

      const [welcome] = welcomesTo(ext);
      expect(welcome!.sent_at - addedAt).toBeLessThan(2_000);
      // The name could not be read in time: the placeholder is left empty rather than waiting.
      expect((welcome!.text as { content: string }).content).toBe('您好，我是李娜');
      sim().faults.clear();
      await settle();
    });

    it('greets a contact no customer is linked to neutrally, never by their WeChat name (issue 34)', async () => {
      const ext = addContact('rep-east-1', '王芳');

      await settle();

      expect((welcomesTo(ext)[0]!.text as { content: string }).content).toBe('您好，我是李娜');
    });

    it('is sent once across WeCom delivering the add three times', async () => {
      const ext = addContact('rep-east-1', '重复投递');
      await settle();
      const delivery = sim().events.deliveries.find((d) => d.event.ExternalUserID === ext && d.event.ChangeType === 'add_external_contact')!;

      sim().events.resend(delivery);
      sim().events.resend(delivery);
      await settle();

      expect(welcomesTo(ext)).toHaveLength(1);
      expect(await query<{ status: string }>('SELECT status FROM welcome_sends WHERE external_userid = ?', [ext])).toEqual([{ status: 'sent' }]);
    });

    it('is never sent once the 20 s of the WelcomeCode have passed', async () => {
      const url = sim().events.callbackUrl;
      sim().events.callbackUrl = undefined; // the event is held back, as if it reached us late
      const ext = addContact('rep-east-1', '迟到的事件');
      await sim().events.flush();
      sim().events.callbackUrl = url;
      const event = sim().events.deliveries.find((d) => d.event.ExternalUserID === ext)!.event as unknown as XmlObject;
      const late = new WelcomeSender({ sequelize: server.db.sequelize, wecom: server.wecom, logger: createLogger('silent'), now: () => Date.now() + 21_000 });

      await late.handle(event, Date.now());

      expect(welcomesTo(ext)).toHaveLength(0);
      expect(await query<{ status: string; detail: string }>('SELECT status, detail FROM welcome_sends WHERE external_userid = ?', [ext])).toEqual([
        { status: 'skipped', detail: '已超过 20 秒，欢迎语码失效' },
      ]);
    });

    it('sends nothing when the event carries no WelcomeCode (a welcome set in the WeCom console)', async () => {
      sim().state.rules.consoleWelcome = true;
      try {
        const ext = addContact('rep-east-1', '后台欢迎语');
        await settle();
        expect(welcomesTo(ext)).toHaveLength(0);
        expect(await query('SELECT id FROM welcome_sends WHERE external_userid = ?', [ext])).toEqual([]);
      } finally {
        sim().state.rules.consoleWelcome = false;
      }
    });

    it('uses the rep’s own template over the corp’s and attaches an uploaded image', async () => {
      const browser = await api.as('admin');
      const form = new FormData();
      form.append('file', new Blob([PNG], { type: 'image/png' }), 'welcome.png');
      const uploaded = await bodyOf<{ id: number }>(await browser.fetch('/api/media', { method: 'POST', body: form }));
      await api.send(
        'admin',
        'PUT',
        '/api/admin/welcome-templates',
        {
          scope: 'user',
          scopeId: await api.userId('rep-east-2'),
          text: '我是{销售姓名}，这是我们的服务介绍',
          attachment: { type: 'image', mediaFileId: uploaded.id },
          enabled: true,
        },
        200,
      );
      const ext = addContact('rep-east-2', '附件客户');

      await settle();

      const [welcome] = welcomesTo(ext);
      expect((welcome!.text as { content: string }).content).toBe('我是王强，这是我们的服务介绍');
      expect(welcome!.attachments).toEqual([{ msgtype: 'image', image: { media_id: expect.any(String) } }]);
    });
  });

  describe('渠道活码', () => {
    it('creates a 「联系我」 code in WeCom with a state of at most 30 characters', async () => {
      const way = await createWay({ name: '官网咨询', userIds: [await api.userId('rep-east-1')], tagIds: [], source: 'website' });

      const inWecom = sim().api.contactWays.get(way.configId);
      expect(inWecom).toMatchObject({ type: 1, scene: 2, state: way.state, user: ['rep-east-1'], skip_verify: true });
      expect(way.state.length).toBeLessThanOrEqual(30);
      expect(way.qrCode).toEqual(expect.stringContaining(way.configId!));
    });

    it('gives a contact from the code its tags, source, owner and welcome', async () => {
      await api.send('admin', 'PATCH', '/api/admin/settings', { autoCreateLeads: true }, 200);
      const way = await createWay({
        name: '财富沙龙',
        userIds: [await api.userId('rep-east-1'), await api.userId('rep-east-2')],
        tagIds: ['et-src-event'],
        source: 'event',
        ownerRule: 'fixed',
        ownerUserId: await api.userId('mgr-east'),
        welcomeText: '{客户称呼}您好，感谢参加财富沙龙',
      });
      const ext = nextExt();

      const { userid } = sim().api.contactWays.scan(way.configId!, { external_userid: ext, name: '沙龙来宾', type: 1 });
      await settle();
      await runJobs();

      // The welcome leaves at ingest, before the lead exists: no CRM name yet, so no WeChat name either (issue 34).
      expect(welcomesTo(ext).map((w) => (w.text as { content: string }).content)).toEqual(['您好，感谢参加财富沙龙']);
      expect(simFollow(ext, userid).tag_ids).toEqual(['et-src-event']);
      const [link] = await query<{ customer_id: number }>('SELECT customer_id FROM customer_wecom_links WHERE external_userid = ?', [ext]);
      const lead = await api.get<CustomerView>('mgr-east', `/api/customers/${link!.customer_id}`);
      expect(lead).toMatchObject({ source: 'event', lifecycleStage: 'lead', owner: expect.objectContaining({ id: await api.userId('mgr-east') }) });
      const card = await api.get<SidebarCard>(userid, `/api/sidebar/external-contacts/${ext}`);
      expect(card.contact).toMatchObject({ channel: '财富沙龙', tags: ['线下活动'] });
      const dashboard = await api.get<CustomerDashboard>('admin', '/api/dashboard/customers');
      expect(dashboard.byChannel.find((r) => r.contactWayId === way.id)).toMatchObject({ added: 1, leads: 1, customers: 0, lost: 0 });
      await api.send('admin', 'PATCH', '/api/admin/settings', { autoCreateLeads: false }, 200);
    });

    it('refuses a member who is not active, in Chinese', async () => {
      const res = await (await api.as('admin')).json('/api/admin/contact-ways', 'POST', { name: '无效成员', userIds: [999_999] });

      expect(res.status).toBe(400);
      expect((await errorOf(res)).details).toEqual([expect.objectContaining({ field: 'userIds', message: '成员不存在或已离职' })]);
    });

    it('deletes the code in WeCom and keeps the channel of the customers it brought', async () => {
      const way = await createWay({ name: '临时活动', userIds: [await api.userId('rep-east-1')], tagIds: [] });

      const res = await (await api.as('admin')).fetch(`/api/admin/contact-ways/${way.id}`, { method: 'DELETE' });

      expect(res.status).toBe(204);
      expect(sim().api.contactWays.ways.has(way.configId!)).toBe(false);
      expect(await query('SELECT state FROM contact_ways WHERE id = ?', [way.id])).toEqual([{ state: way.state }]);
    });
  });

  describe('tags', () => {
    it('tags a contact from the sidebar in WeCom and in the mirror, with no callback', async () => {
      const ext = addContact('rep-east-1', '打标签');
      await settle();
      const deliveries = sim().events.deliveries.length;

      const marked = await api.send<{ tagIds: string[] }>(
        'rep-east-1',
        'POST',
        `/api/sidebar/external-contacts/${ext}/tags`,
        { add: ['et-prod-insurance'] },
        200,
      );

      expect(marked.tagIds).toEqual(['et-prod-insurance']);
      expect(simFollow(ext, 'rep-east-1').tag_ids).toEqual(['et-prod-insurance']);
      expect(sim().events.deliveries).toHaveLength(deliveries);
      const card = await api.get<SidebarCard>('rep-east-1', `/api/sidebar/external-contacts/${ext}`);
      expect(card.contact.tags).toEqual(['保险']);
    });

    it('mirrors a tag the rep changes in the WeCom client as one edit event, writing nothing back', async () => {
      const ext = addContact('rep-east-1', '客户端改标签');
      await settle();
      const markTag = jest.spyOn(server.wecom, 'markTag');
      const before = sim().events.deliveries.length;

      sim().state.editFollow(ext, 'rep-east-1', { tag_ids: ['et-src-referral'] });
      await settle();
      await runJobs();

      expect(
        sim()
          .events.deliveries.slice(before)
          .map((d) => d.event.ChangeType),
      ).toEqual(['edit_external_contact']);
      expect(markTag).not.toHaveBeenCalled();
      expect(await query('SELECT tag_ids FROM wecom_follow_relations WHERE external_userid = ?', [ext])).toEqual([{ tag_ids: '["et-src-referral"]' }]);
      markTag.mockRestore();
    });

    it('refuses to tag a contact the caller does not follow', async () => {
      const ext = addContact('rep-east-1', '别人的客户');
      await settle();

      const res = await (await api.as('rep-east-2')).json(`/api/sidebar/external-contacts/${ext}/tags`, 'POST', { add: ['et-prod-insurance'] });

      expect(res.status).toBe(403);
      expect(simFollow(ext, 'rep-east-1').tag_ids).toEqual([]);
    });

    it('manages the app’s own tags and leaves the console’s alone', async () => {
      const created = await api.send<{ groups: CorpTagGroupView[] }>('admin', 'POST', '/api/admin/corp-tags', {
        groupName: '风险偏好',
        names: ['稳健', '进取'],
      });
      const group = created.groups.find((g) => g.groupName === '风险偏好')!;
      const steady = group.tags.find((t) => t.name === '稳健')!;

      await api.send('admin', 'PATCH', `/api/admin/corp-tags/${steady.id}`, { name: '稳健型' }, 200);
      const refused = await (await api.as('admin')).fetch('/api/admin/corp-tags/et-src-event', { method: 'DELETE' });

      expect(group.editable).toBe(true);
      expect(sim().state.describeTag(steady.id)).toMatchObject({ group_name: '风险偏好', tag_name: '稳健型' });
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).code).toBe('tag_not_editable');
    });

    it('filters the customer list by a tag on the customer’s contact', async () => {
      const { groups } = await api.send<{ groups: CorpTagGroupView[] }>('admin', 'POST', '/api/admin/corp-tags', { groupName: '筛选测试', names: ['待回访'] });
      const tagId = groups.find((g) => g.groupName === '筛选测试')!.tags[0]!.id;
      const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '标签筛选客户' });
      const ext = addContact('rep-east-1', '标签筛选客户');
      await settle();
      await api.send('rep-east-1', 'POST', '/api/wecom-links', { externalUserId: ext, customerId: c.id }, 200);
      const tagged = await api.send<{ items: { id: string }[] }>('rep-east-1', 'POST', `/api/customers/${c.id}/tags`, { add: [tagId] }, 200);

      const list = await api.get<{ items: CustomerView[] }>('rep-east-1', `/api/customers?tagId=${tagId}`);

      expect(tagged.items).toEqual([{ id: tagId, name: '待回访' }]);

      expect(list.items.map((i) => i.id)).toEqual([c.id]);
    });
  });

  describe('remark write-back', () => {
    /** A customer of rep-east-1 linked to a contact whose remark mobiles are `mobiles`. */
    const linked = async (name: string, phone: string, mobiles: string[]) => {
      const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name, phone });
      const ext = addContact('rep-east-1', name, { remark_mobiles: mobiles });
      await settle();
      await runJobs();
      return { c: await api.get<CustomerView>('rep-east-1', `/api/customers/${c.id}`), ext };
    };
    const changePhone = async (c: CustomerView, phone: string) => {
      await api.send('rep-east-1', 'PATCH', `/api/customers/${c.id}`, { phone, version: c.version }, 200);
      await runJobs();
    };

    it('writes a changed phone into the owner’s remark mobiles, replacing the old one', async () => {
      const { c, ext } = await linked('回写手机号', '13900001001', ['13900001001']);

      await changePhone(c, '13900001002');

      expect(simFollow(ext, 'rep-east-1').remark_mobiles).toEqual(['13900001002']);
      expect(await query('SELECT remark_mobiles FROM wecom_follow_relations WHERE external_userid = ?', [ext])).toEqual([
        { remark_mobiles: '["13900001002"]' },
      ]);
    });

    it('keeps a number the rep typed in WeCom meanwhile (which WeCom never reports)', async () => {
      const { c, ext } = await linked('保留备注号码', '13900001003', ['13900001003']);
      sim().state.editFollow(ext, 'rep-east-1', { remark_mobiles: ['13900001003', '13900009999'] });

      await changePhone(c, '13900001004');

      expect(simFollow(ext, 'rep-east-1').remark_mobiles).toEqual(['13900001004', '13900009999']);
    });

    it('makes a later match by mobile: the contact links again from what WeCom now holds', async () => {
      const { c, ext } = await linked('回写后匹配', '13900001005', ['13900001005']);
      await changePhone(c, '13900001006');
      await server.db.sequelize.query('DELETE FROM customer_wecom_links WHERE external_userid = ?', { replacements: [ext] });
      await server.db.sequelize.query('DELETE FROM wecom_follow_relations WHERE external_userid = ?', { replacements: [ext] });

      await syncExternalContacts(server);

      expect(await query('SELECT customer_id, matched_by FROM customer_wecom_links WHERE external_userid = ?', [ext])).toEqual([
        { customer_id: c.id, matched_by: 'mobile' },
      ]);
    });

    it('writes nothing when the corp switch is off', async () => {
      await api.send('admin', 'PATCH', '/api/admin/settings', { remarkWriteBack: false }, 200);
      const { c, ext } = await linked('不回写', '13900001007', ['13900001007']);

      await changePhone(c, '13900001008');

      expect(simFollow(ext, 'rep-east-1').remark_mobiles).toEqual(['13900001007']);
      await api.send('admin', 'PATCH', '/api/admin/settings', { remarkWriteBack: true }, 200);
    });
  });

  describe('话术库', () => {
    const createReply = (body: Record<string, unknown>) => api.send<QuickReplyView>('admin', 'POST', '/api/admin/quick-replies', body);

    it('fills the text the sidebar sends by the greeting rule, and counts the use', async () => {
      const reply = await createReply({ category: '问候', title: '早安', kind: 'text', content: '{客户称呼}，早上好！' });
      const ext = addContact('rep-east-1', '话术客户');
      await settle();

      const message = await api.send<ChatMessage>('rep-east-1', 'POST', `/api/quick-replies/${reply.id}/use`, { externalUserId: ext }, 200);

      // No customer is linked (autoCreateLeads off): no CRM name, and never the WeChat name (shared/greeting.ts, issue 34).
      expect(message).toEqual({ msgtype: 'text', text: { content: '早上好！' } });
      const [listed] = (await api.get<{ items: QuickReplyView[] }>('rep-east-1', '/api/quick-replies?keyword=早上好')).items;
      expect(listed).toMatchObject({ id: reply.id, useCount: 1 });
    });

    it('sends an image as a media_id WeCom accepts', async () => {
      const form = new FormData();
      form.append('file', new Blob([PNG], { type: 'image/png' }), 'card.png');
      const uploaded = await bodyOf<{ id: number }>(await (await api.as('admin')).fetch('/api/media', { method: 'POST', body: form }));
      const reply = await createReply({ category: '资料', title: '名片', kind: 'image', mediaFileId: uploaded.id });
      const ext = addContact('rep-east-1', '图片话术');
      await settle();

      const message = await api.send<ChatMessage>('rep-east-1', 'POST', `/api/quick-replies/${reply.id}/use`, { externalUserId: ext }, 200);

      expect(message.msgtype).toBe('image');
      expect(() => sim().api.media.requireLive((message as Extract<ChatMessage, { msgtype: 'image' }>).image.mediaid)).not.toThrow();
    });

    it('will not fill a reply for a contact the rep does not follow', async () => {
      const reply = await createReply({ category: '问候', title: '晚安', kind: 'text', content: '{客户称呼}晚安' });
      const ext = addContact('rep-east-1', '不是你的客户');
      await settle();

      const res = await (await api.as('rep-east-2')).json(`/api/quick-replies/${reply.id}/use`, 'POST', { externalUserId: ext });

      expect(res.status).toBe(403);
    });

    it('explains a reply without content in Chinese', async () => {
      const res = await (await api.as('admin')).json('/api/admin/quick-replies', 'POST', { category: '问候', title: '空', kind: 'text' });

      expect(res.status).toBe(400);
      expect((await errorOf(res)).details).toEqual([expect.objectContaining({ field: 'content', message: '请填写话术内容' })]);
    });
  });
});
