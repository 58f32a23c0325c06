import { QueryTypes } from 'sequelize';
import { CallbackCrypto } from '../../server/wecom/callback-crypto';
import { buildCallbackXml } from '../../server/wecom/xml';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { callbackCryptoOf } from '../helpers/server';
import { loggedIn } from '../helpers/session';

describe.each(databaseTargets())('callback pipeline on $label', (target) => {
  // The simulator's clock stands still in each test, at the time its server started.
  let fixedNow = Date.now();
  beforeEach(() => {
    fixedNow = Date.now();
  });
  const { server } = useCrmServer(target, { simulator: { now: () => fixedNow }, worker: { maxAttempts: 3 }, perTest: true });
  let crypto: CallbackCrypto;

  beforeEach(() => {
    crypto = callbackCryptoOf(server);
  });

  const sim = () => server.simulator.state;
  /** Waits for the simulator's deliveries, then lets the worker apply everything due. */
  const settle = async () => {
    await server.simulator.events.flush();
    await server.worker.drain();
  };
  const one = async <T extends object>(sql: string, params: unknown[] = []) =>
    (await server.db.sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT }))[0];
  const events = () =>
    server.db.sequelize.query<{ change_type: string; status: string; attempts: number }>('SELECT change_type, status, attempts FROM wecom_events ORDER BY id', {
      type: QueryTypes.SELECT,
    });
  const post = (fields: Record<string, string | number>) => {
    const { query, body } = crypto.seal(
      buildCallbackXml({ ToUserName: server.config.wecom.corpId, FromUserName: 'sys', MsgType: 'event', CreateTime: 1760000000, ...fields }),
    );
    return fetch(`${server.baseUrl}/api/wecom/callback?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  };
  const relation = (externalUserid: string, userid: string) =>
    one<{
      remark: string | null;
      remark_mobiles: string;
      state: string | null;
      deleted_at: unknown;
      delete_reason: string | null;
      transfer_fail_reason: string | null;
    }>('SELECT * FROM wecom_follow_relations WHERE external_userid = ? AND userid = ?', [externalUserid, userid]);

  it('answers the URL verification with the decrypted echostr', async () => {
    const query = crypto.signEchostr('8461616161');

    const res = await fetch(`${server.baseUrl}/api/wecom/callback?${new URLSearchParams(query)}`);

    expect(res.status).toBe(200);
    expect(await res.text()).toBe('8461616161');
  });

  describe('change_contact', () => {
    it('create_user creates the employee with the sales role', async () => {
      sim().createUser({ userid: 'rep-new', name: '孙悦', department: [3], status: 1 });
      await settle();

      const user = await one<{ name: string; status: string; main_department_id: number }>("SELECT * FROM users WHERE wecom_userid = 'rep-new'");
      const role = await one<{ code: string }>(
        "SELECT r.code FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id WHERE u.wecom_userid = 'rep-new'",
      );

      expect(user).toMatchObject({ name: '孙悦', status: 'active' });
      expect(Number(user!.main_department_id)).toBe(3);
      expect(role?.code).toBe('sales');
    });

    it('update_user updates name and position', async () => {
      sim().updateUser('rep-east-2', { name: '王强强', position: '高级理财经理' });
      await settle();

      expect(await one("SELECT name, position FROM users WHERE wecom_userid = 'rep-east-2'")).toEqual({ name: '王强强', position: '高级理财经理' });
    });

    it('update_user with NewUserID keeps the same local user and its relations', async () => {
      const before = await one<{ id: number }>("SELECT id FROM users WHERE wecom_userid = 'rep-east-1'");
      await server.db.sequelize.query(
        "INSERT INTO wecom_follow_relations (external_userid, userid, created_at, updated_at) VALUES ('wmKEEP', 'rep-east-1', ?, ?)",
        { replacements: [new Date(), new Date()] },
      );

      sim().updateUser('rep-east-1', { newUserid: 'lina.li' });
      await settle();

      const after = await one<{ id: number }>("SELECT id FROM users WHERE wecom_userid = 'lina.li'");
      expect(Number(after!.id)).toBe(Number(before!.id));
      expect(await one("SELECT userid FROM wecom_follow_relations WHERE external_userid = 'wmKEEP'")).toEqual({ userid: 'lina.li' });
    });

    it('delete_user marks the employee left', async () => {
      sim().deleteUser('ops-1');
      await settle();

      expect(await one("SELECT status FROM users WHERE wecom_userid = 'ops-1'")).toEqual({ status: 'left' });
    });

    it('create_party, update_party and delete_party maintain departments', async () => {
      sim().createDepartment({ id: 40, name: '北京分部', parentid: 1, order: 1 });
      await settle();
      const created = await one<{ name: string }>('SELECT name FROM departments WHERE id = 40');
      sim().updateDepartment(40, { name: '华北销售部' });
      await settle();
      const renamed = await one<{ name: string }>('SELECT name FROM departments WHERE id = 40');
      sim().deleteDepartment(40);
      await settle();

      expect(created?.name).toBe('北京分部');
      expect(renamed?.name).toBe('华北销售部');
      expect((await one<{ deleted_at: unknown }>('SELECT deleted_at FROM departments WHERE id = 40'))?.deleted_at).not.toBeNull();
    });

    it('update_tag is acknowledged and done', async () => {
      await post({ Event: 'change_contact', ChangeType: 'update_tag', TagId: '7', AddUserItems: 'rep-east-1' });
      await server.worker.drain();

      expect(await events()).toEqual([expect.objectContaining({ change_type: 'update_tag', status: 'done' })]);
    });
  });

  describe('change_external_contact', () => {
    const addCustomer = (id: string, userid = 'rep-east-1') =>
      sim().addExternalContact(
        { external_userid: id, name: '钱多多', type: 1, unionid: `ou_${id}` },
        { userid, remark: '钱总', description: '', add_way: 1, tag_ids: ['et-level-vip'], remark_mobiles: ['138 0013 8000'], state: 'qr-event-2026' },
      );

    it('add_external_contact mirrors the contact and the relation with mobiles and State', async () => {
      addCustomer('wmADD001');
      await settle();

      const contact = await one<{ name: string; unionid: string }>("SELECT name, unionid FROM wecom_external_contacts WHERE external_userid = 'wmADD001'");
      const rel = await relation('wmADD001', 'rep-east-1');

      expect(contact).toEqual({ name: '钱多多', unionid: 'ou_wmADD001' });
      expect(rel).toMatchObject({ remark: '钱总', state: 'qr-event-2026', deleted_at: null });
      expect(JSON.parse(rel!.remark_mobiles)).toEqual(['138 0013 8000']);
    });

    it('edit_external_contact refreshes the remark', async () => {
      addCustomer('wmEDIT01');
      sim().editFollow('wmEDIT01', 'rep-east-1', { remark: '钱总-浦江投资' });
      await settle();

      expect((await relation('wmEDIT01', 'rep-east-1'))?.remark).toBe('钱总-浦江投资');
    });

    it('add_half_external_contact mirrors what WeCom returns', async () => {
      addCustomer('wmHALF01');
      await settle();
      await server.db.sequelize.query("DELETE FROM wecom_follow_relations WHERE external_userid = 'wmHALF01'");

      await post({
        Event: 'change_external_contact',
        ChangeType: 'add_half_external_contact',
        UserID: 'rep-east-1',
        ExternalUserID: 'wmHALF01',
        State: 'qr',
        WelcomeCode: 'w',
      });
      await server.worker.drain();

      expect((await relation('wmHALF01', 'rep-east-1'))?.remark).toBe('钱总');
    });

    it('del_external_contact keeps the relation, marked deleted by the employee', async () => {
      addCustomer('wmDEL001');
      await settle();
      sim().removeFollow('wmDEL001', 'rep-east-1', 'employee');
      await settle();

      expect(await relation('wmDEL001', 'rep-east-1')).toMatchObject({ delete_reason: 'deleted_by_employee', remark: '钱总' });
      expect((await relation('wmDEL001', 'rep-east-1'))?.deleted_at).not.toBeNull();
    });

    it('del_follow_user keeps the relation, marked deleted by the customer', async () => {
      addCustomer('wmDEL002');
      await settle();
      sim().removeFollow('wmDEL002', 'rep-east-1', 'customer');
      await settle();

      expect((await relation('wmDEL002', 'rep-east-1'))?.delete_reason).toBe('deleted_by_customer');
    });

    it('applies two different adds with the same CreateTime and employee', async () => {
      addCustomer('wmSAME01');
      addCustomer('wmSAME02');
      await settle();

      const rows = await events();
      expect(rows.filter((e) => e.change_type === 'add_external_contact')).toHaveLength(2);
      expect(await relation('wmSAME01', 'rep-east-1')).toBeDefined();
      expect(await relation('wmSAME02', 'rep-east-1')).toBeDefined();
    });

    it('stores a delivery repeated three times once and applies it once', async () => {
      addCustomer('wmDUP001');
      await server.simulator.events.flush();
      const delivery = server.simulator.events.deliveries.at(-1)!;
      const { query, body } = crypto.seal(delivery.xml);
      const url = `${server.baseUrl}/api/wecom/callback?${new URLSearchParams(query)}`;

      const answers = await Promise.all(
        [1, 2, 3].map(async () => (await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/xml' } })).text()),
      );
      await server.worker.drain();

      expect(answers).toEqual(['success', 'success', 'success']);
      expect(await events()).toEqual([expect.objectContaining({ change_type: 'add_external_contact', status: 'done', attempts: 1 })]);
    });
  });

  describe('a burst of deliveries', () => {
    it('acknowledges 100 concurrent deliveries of 50 events, each stored once', async () => {
      const deliveries = Array.from({ length: 100 }, (_, i) =>
        post({
          Event: 'change_external_contact',
          ChangeType: 'transfer_fail',
          UserID: 'rep-east-1',
          ExternalUserID: `wmBURST${i % 50}`,
          FailReason: 'customer_refused',
        }),
      );

      const answers = await Promise.all(deliveries.map(async (res) => (await res).text()));

      expect(answers.filter((a) => a === 'success')).toHaveLength(100);
      expect(await events()).toHaveLength(50);
    });
  });

  describe('change_external_chat and change_external_tag', () => {
    it('create, update and dismiss maintain the group chat mirror', async () => {
      sim().createGroupChat({
        chat_id: 'wrNEW1',
        name: '新客户群',
        owner: 'rep-east-1',
        create_time: 1760000000,
        member_list: [{ userid: 'rep-east-1', type: 1, join_time: 1760000000, join_scene: 1 }],
      });
      await settle();
      const created = await one<{ name: string; member_count: number }>("SELECT name, member_count FROM wecom_group_chats WHERE chat_id = 'wrNEW1'");
      sim().renameGroupChat('wrNEW1', '新客户交流群');
      await settle();
      const renamed = await one<{ name: string }>("SELECT name FROM wecom_group_chats WHERE chat_id = 'wrNEW1'");
      sim().dismissGroupChat('wrNEW1');
      await settle();

      expect(created).toMatchObject({ name: '新客户群' });
      expect(Number(created!.member_count)).toBe(1);
      expect(renamed?.name).toBe('新客户交流群');
      expect((await one<{ dismissed_at: unknown }>("SELECT dismissed_at FROM wecom_group_chats WHERE chat_id = 'wrNEW1'"))?.dismissed_at).not.toBeNull();
    });

    it('tag update and delete refresh the corp tag mirror', async () => {
      sim().renameTag('et-level-vip', '高净值客户');
      await settle();
      const renamed = await one<{ name: string }>("SELECT name FROM wecom_corp_tags WHERE id = 'et-level-vip'");
      sim().deleteTag('et-prod-insurance');
      await settle();

      expect(renamed?.name).toBe('高净值客户');
      expect((await one<{ deleted_at: unknown }>("SELECT deleted_at FROM wecom_corp_tags WHERE id = 'et-prod-insurance'"))?.deleted_at).not.toBeNull();
    });

    it('marks an unknown event ignored', async () => {
      await post({ Event: 'change_something_new', ChangeType: 'whatever', Id: '1' });
      await server.worker.drain();

      expect(await events()).toEqual([expect.objectContaining({ status: 'ignored' })]);
    });
  });

  describe('failures', () => {
    it('retries a failing handler, gives up after N attempts, and an admin retry succeeds once fixed', async () => {
      server.simulator.faults.set('externalcontact/get', { errorRate: 1, errcodes: [60011] });
      sim().addExternalContact(
        { external_userid: 'wmFAIL01', name: '周周', type: 1 },
        { userid: 'rep-east-2', remark: '', description: '', add_way: 1, tag_ids: [] },
      );
      await settle();
      const dead = await one<{ id: number; status: string; attempts: number; last_error: string }>('SELECT id, status, attempts, last_error FROM wecom_events');

      server.simulator.faults.clear();
      const admin = await loggedIn(server, 'admin');
      const stats = await bodyOf<Record<string, number>>(await admin.fetch('/api/admin/events/stats'));
      const retried = await admin.fetch(`/api/admin/events/${dead!.id}/retry`, { method: 'POST' });
      await server.worker.drain();
      const detail = await bodyOf<{ status: string; payload: string }>(await admin.fetch(`/api/admin/events/${dead!.id}`));

      expect(dead).toMatchObject({ status: 'dead' });
      expect(Number(dead!.attempts)).toBe(3);
      expect(dead!.last_error).toContain('60011');
      expect(stats.dead).toBe(1);
      expect(retried.status).toBe(200);
      expect(detail.status).toBe('done');
      expect(detail.payload).toContain('wmFAIL01');
      expect(await relation('wmFAIL01', 'rep-east-2')).toBeDefined();
    });

    it('refuses to retry an event that did not fail, saying why in Chinese', async () => {
      await post({ Event: 'change_contact', ChangeType: 'update_tag', TagId: '1' });
      await server.worker.drain();
      const admin = await loggedIn(server, 'admin');
      const { items } = await bodyOf<{ items: { id: number }[] }>(await admin.fetch('/api/admin/events?status=done'));

      const res = await admin.fetch(`/api/admin/events/${items[0]!.id}/retry`, { method: 'POST' });

      expect(res.status).toBe(409);
      expect((await errorOf(res)).message).toContain('已处理完成');
    });

    it('applies the events of one contact in order even when the first is retried', async () => {
      server.simulator.faults.set('externalcontact/get', { failFirst: 1, errcodes: [60011] });
      sim().addExternalContact(
        { external_userid: 'wmORD001', name: '顺序', type: 1 },
        { userid: 'rep-east-1', remark: 'v1', description: '', add_way: 1, tag_ids: [] },
      );
      sim().editFollow('wmORD001', 'rep-east-1', { remark: 'v2' });
      await server.simulator.events.flush();

      await server.worker.runOnce(); // the add fails; the edit must not jump ahead
      const afterFirst = await events();
      await server.worker.drain();

      expect(afterFirst.map((e) => e.status)).toEqual(['pending', 'pending']);
      expect((await relation('wmORD001', 'rep-east-1'))?.remark).toBe('v2');
      expect((await events()).map((e) => e.status)).toEqual(['done', 'done']);
    });

    it('refuses 1,000 malformed requests with 4xx, stores nothing and stays healthy', async () => {
      const good = crypto.seal(
        buildCallbackXml({ ToUserName: 'x', MsgType: 'event', Event: 'change_contact', ChangeType: 'delete_user', UserID: 'u', CreateTime: 1 }),
      );
      const foreign = new CallbackCrypto({
        token: server.config.wecom.callbackToken,
        encodingAesKey: server.config.wecom.callbackAesKey,
        receiveId: 'wwother',
      }).seal('<xml><A>1</A></xml>');
      const cases: { query: Record<string, string>; body: string; type?: string }[] = [
        { query: { ...good.query, msg_signature: '0'.repeat(40) }, body: good.body },
        { query: foreign.query, body: foreign.body },
        { query: good.query, body: good.body.replace(/<Encrypt><!\[CDATA\[[^\]]+/, '<Encrypt><![CDATA[not*base64') },
        { query: good.query, body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>' },
        { query: good.query, body: `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>` },
        { query: good.query, body: '' },
        { query: good.query, body: good.body, type: 'application/json' },
        { query: {}, body: good.body },
        {
          ...new CallbackCrypto({ token: server.config.wecom.callbackToken, encodingAesKey: 'a'.repeat(43), receiveId: server.config.wecom.corpId }).seal(
            '<xml><A>1</A></xml>',
          ),
        },
        { query: good.query, body: good.body.slice(0, good.body.length / 2) },
      ];
      const statuses: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const c = cases[i % cases.length]!;
        const res = await fetch(`${server.baseUrl}/api/wecom/callback?${new URLSearchParams(c.query)}`, {
          method: 'POST',
          headers: { 'content-type': c.type ?? 'text/xml' },
          body: c.body,
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }

      expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);
      expect(new Set(statuses)).toEqual(new Set([400, 413, 415]));
      expect(await events()).toEqual([]);
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
    }, 120_000);

    it('answers a wrong signature with a clear error code', async () => {
      const { query, body } = crypto.seal('<xml><A>1</A></xml>');

      const res = await fetch(`${server.baseUrl}/api/wecom/callback?${new URLSearchParams({ ...query, nonce: 'x' })}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/xml' },
      });

      expect((await errorOf(res)).code).toBe('callback_bad_signature');
    });
  });
});
