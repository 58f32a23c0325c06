/**
 * WeCom as documented today (issue "wecom-rules"): the simulator refuses what WeCom refuses, and
 * org sync, contact sync, login and matching still end with the right data — or with an error
 * that tells the admin what to configure. Rules and their documentation pages: rules.ts.
 */
import { QueryTypes } from 'sequelize';
import { SIMULATOR_DEFAULTS } from '../../config/simulator-defaults';
import { generateCorp } from '../../scripts/wecom-simulator/index';
import { SYSTEM_ACTOR } from '../../server/modules/audit/service';
import { startOrgSync } from '../../server/modules/org/sync';
import { NO_HOOKS } from '../../server/modules/wecom-mirror/hooks';
import { startExternalContactSync } from '../../server/modules/wecom-mirror/sync';
import { SqlKvStore } from '../../server/db/kv-store';
import { WecomClient } from '../../server/wecom/client';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { deliverCallbacks, startTestServer, syncExternalContacts, syncOrg, type TestServer } from '../helpers/server';
import { loggedIn } from '../helpers/session';
import { FakeClock } from '../helpers/simulator';

const d = SIMULATOR_DEFAULTS;

const rowsOf = <T extends object>(server: TestServer, sql: string, params: unknown[] = []) =>
  server.db.sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT });

/** Local employees as `userid:name@main department`, sorted. */
async function localEmployees(server: TestServer): Promise<string[]> {
  const users = await rowsOf<{ wecom_userid: string; name: string; main_department_id: number }>(
    server,
    "SELECT wecom_userid, name, main_department_id FROM users WHERE status = 'active' ORDER BY wecom_userid",
  );
  return users.map((u) => `${u.wecom_userid}:${u.name}@${Number(u.main_department_id)}`);
}
function simulatedEmployees(server: TestServer, name: (u: { userid: string; name: string }) => string = (u) => u.name): string[] {
  return [...server.simulator.state.users.values()].map((u) => `${u.userid}:${name(u)}@${u.main_department}`).sort();
}
const orgSync = (server: TestServer) =>
  startOrgSync({ sequelize: server.db.sequelize, wecom: server.wecom, logger: server.logger, bootstrap: { adminUserIds: ['admin'] } }, SYSTEM_ACTOR).then(
    (s) => s.done,
  );

describe.each(databaseTargets())('WeCom’s current rules on $label', (target) => {
  describe('org sync, for each secret and app kind', () => {
    let server: TestServer;
    afterEach(() => server.close());

    it('reads the corp with the app secret where the 通讯录同步 secret is refused from a new IP (48009), and says so', async () => {
      server = await startTestServer({ target });

      const run = await orgSync(server);

      expect(run.status).toBe('succeeded');
      expect(await localEmployees(server)).toEqual(simulatedEmployees(server));
      expect(run.notes.join('\n')).toMatch(/说明：.*「读取部门列表」由自建应用 Secret 读取（通讯录同步 Secret（从新 IP 不能读取通讯录详情）无权读取）/);
      expect(server.simulator.api.callCount('department/list')).toBe(2); // one refusal, then the app's
    });

    it('withholds mobile, e-mail and avatar from the app (since 2022-06-20) and tells the admin how they are filled', async () => {
      server = await startTestServer({ target });

      const run = await orgSync(server);
      const [filled] = await rowsOf<{ n: number }>(
        server,
        'SELECT COUNT(*) AS n FROM users WHERE mobile IS NOT NULL OR avatar IS NOT NULL OR email IS NOT NULL',
      );

      expect(Number(filled!.n)).toBe(0);
      expect(run.notes.join('\n')).toContain('登录时请求成员敏感信息授权');
    });

    it('works with the app secret alone (no 通讯录同步 secret configured)', async () => {
      server = await startTestServer({ target, env: { WECOM_CONTACT_SECRET: d.agentSecret } });

      const run = await orgSync(server);

      expect(run.status).toBe('succeeded');
      expect(await localEmployees(server)).toEqual(simulatedEmployees(server));
    });

    it('stores the userid as the name for a third-party app, which gets no real names', async () => {
      server = await startTestServer({ target, env: { WECOM_SIMULATOR_APP: 'third_party' } });

      const run = await orgSync(server);

      expect(run.status).toBe('succeeded');
      expect(await localEmployees(server)).toEqual(simulatedEmployees(server, (u) => u.userid));
      expect(run.notes.join('\n')).toContain('没有返回姓名');
    });

    it('falls back to user/list_id + user/get, and to the userid as a name, where the app may read no details', async () => {
      server = await startTestServer({ target });
      // The app's 可见范围 covers nobody: every detail read of the app answers 60011.
      server.simulator.faults.set('user/list', { errorRate: 1, errcodes: [60011] });
      server.simulator.faults.set('user/get', { errorRate: 1, errcodes: [60011] });

      const run = await orgSync(server);

      expect(run.status).toBe('succeeded');
      expect(await localEmployees(server)).toEqual(simulatedEmployees(server, (u) => u.userid));
      expect(server.simulator.api.callCount('user/list_id')).toBe(1);
    });

    it('ends with a clear admin error, not a crash, when no secret may read the directory', async () => {
      server = await startTestServer({ target });
      server.simulator.faults.set('department/list', { errorRate: 1, errcodes: [48009] });
      server.simulator.faults.set('department/simplelist', { errorRate: 1, errcodes: [48009] });

      const run = await orgSync(server);

      expect(run.status).toBe('failed');
      expect(run.error).toContain('可见范围');
      expect(run.error).toContain('通讯录同步 Secret');
    });

    it('keeps under the legacy rules what the 2021 API gave (mobiles from user/list)', async () => {
      server = await startTestServer({ target, env: { WECOM_SIMULATOR_RULES: 'legacy' } });

      await orgSync(server);
      const [filled] = await rowsOf<{ n: number }>(server, 'SELECT COUNT(*) AS n FROM users WHERE mobile IS NOT NULL');

      expect(Number(filled!.n)).toBe(server.simulator.state.users.size);
      expect(server.simulator.api.callCount('department/list')).toBe(1);
    });
  });

  describe('login', () => {
    let server: TestServer;
    afterEach(() => server.close());

    it('fills the mobile, e-mail and avatar the employee grants with snsapi_privateinfo', async () => {
      server = await startTestServer({ target, env: { WECOM_OAUTH_SCOPE: 'snsapi_privateinfo' } });
      await syncOrg(server);
      server.simulator.state.updateUser('rep-east-1', { avatar: 'https://wework.qpic.cn/avatar/rep-east-1' });

      const browser = await loggedIn(server, 'rep-east-1');
      const [user] = await rowsOf<{ mobile: string | null; avatar: string | null }>(
        server,
        "SELECT mobile, avatar FROM users WHERE wecom_userid = 'rep-east-1'",
      );
      await syncOrg(server); // a later sync (which WeCom gives no mobile) keeps what was granted
      const [after] = await rowsOf<{ mobile: string | null }>(server, "SELECT mobile FROM users WHERE wecom_userid = 'rep-east-1'");

      expect((await browser.fetch('/api/me')).status).toBe(200);
      expect(user).toEqual({ mobile: server.simulator.state.users.get('rep-east-1')!.mobile, avatar: 'https://wework.qpic.cn/avatar/rep-east-1' });
      expect(after!.mobile).toBe(user!.mobile);
    });

    it('creates an employee who logs in before any sync, from what the app may read', async () => {
      server = await startTestServer({ target });

      await loggedIn(server, 'rep-south-1');

      expect(await localEmployees(server)).toEqual(['rep-south-1:刘洋@3']);
    });
  });

  describe('external-contact sync', () => {
    const { server } = useCrmServer(target, { syncOrg: false, perTest: true });
    const sync = () =>
      startExternalContactSync({ sequelize: server.db.sequelize, wecom: server.wecom, logger: server.logger, hooks: NO_HOOKS }, SYSTEM_ACTOR).then(
        (s) => s.done,
      );
    const live = async () => Number((await rowsOf<{ n: number }>(server, 'SELECT COUNT(*) AS n FROM wecom_follow_relations WHERE deleted_at IS NULL'))[0]!.n);

    it('deletes nothing when one 84061 answers a whole batch, and ends succeeded after reading each employee', async () => {
      await sync();
      const before = await live();
      server.simulator.faults.set('externalcontact/batch/get_by_user', { failFirst: 1, errcodes: [84061] });

      const run = await sync();

      expect(await live()).toBe(before);
      expect(run.status).toBe('succeeded');
      expect(run.details.batches_split).toBe(1);
    });

    it('still deletes the relation that really ended, next to a batch answered 84061', async () => {
      await sync();
      const [first] = server.simulator.state.contactsOf('rep-east-1');
      server.simulator.state.removeFollow(first!.contact.external_userid, 'rep-east-1', 'customer');
      server.simulator.faults.set('externalcontact/batch/get_by_user', { failFirst: 1, errcodes: [84061] });

      const run = await sync();
      const gone = await rowsOf<{ external_userid: string }>(
        server,
        "SELECT external_userid FROM wecom_follow_relations WHERE userid = 'rep-east-1' AND deleted_at IS NOT NULL",
      );

      expect(gone.map((r) => r.external_userid)).toEqual([first!.contact.external_userid]);
      expect(run.counts.left).toBe(1);
    });

    it('keeps relations a short answer would delete, when the list still has them, and ends partial', async () => {
      await sync();
      const before = await live();
      const ids = server.simulator.state.contactsOf('rep-east-1').map((c) => c.contact.external_userid);
      // The batch API "forgets" rep-east-1's customers; their own list (externalcontact/list) still has every one.
      const snapshot = server.simulator.state.contactsOfAll.bind(server.simulator.state);
      server.simulator.state.contactsOfAll = (userids) =>
        userids.length > 1 ? snapshot(userids).filter((c) => c.follow.userid !== 'rep-east-1') : snapshot(userids);

      const run = await sync();
      server.simulator.state.contactsOfAll = snapshot;

      expect(ids.length).toBeGreaterThan(2);
      expect(await live()).toBe(before);
      expect(run.status).toBe('partial');
      expect(run.details).toMatchObject({ employees_rechecked: 1, relations_kept: ids.length });
      expect(run.notes.join('\n')).toContain('rep-east-1');
    });

    it('reads all 600 followers of a contact followed by more than 500 (next_cursor)', async () => {
      const corp = generateCorp({ employees: 620, departments: 20, externalContacts: 5 });
      const follows = corp.users
        .slice(0, 600)
        .map((u, i) => ({ userid: u.userid, remark: '', description: '', createtime: 1_760_000_000 + i, tag_ids: [], add_way: 1, oper_userid: u.userid }));
      corp.externalContacts.push({ contact: { external_userid: 'wmPOPULAR', name: '大客户', type: 1 }, follows });
      server.simulator.state.load(corp);

      const fetched = await server.wecom.getExternalContact('wmPOPULAR');
      server.simulator.state.editFollow('wmPOPULAR', follows[0]!.userid, { remark: '重要客户' });
      await deliverCallbacks(server);
      const [mirrored] = await rowsOf<{ n: number }>(
        server,
        "SELECT COUNT(*) AS n FROM wecom_follow_relations WHERE external_userid = 'wmPOPULAR' AND deleted_at IS NULL",
      );

      expect(fetched.follow_user).toHaveLength(600);
      expect(server.simulator.api.callCount('externalcontact/get')).toBeGreaterThanOrEqual(2);
      expect(Number(mirrored!.n)).toBe(600);
    });
  });

  describe('a blocked API', () => {
    it('pauses a sync for the 60 s window with the reason shown, then resumes and finishes', async () => {
      const clock = new FakeClock(Date.now());
      const server = await startTestServer({ target, simulator: { now: clock.now } });
      try {
        server.simulator.api.setRateLimit('user/list', 3);
        const phases: string[] = [];
        const wecom = new WecomClient({
          apiBase: `${server.baseUrl}/__wecom`,
          corpId: d.corpId,
          agentId: d.agentId,
          secrets: { agent: d.agentSecret, contact: d.contactSecret, external: d.agentSecret },
          store: new SqlKvStore(server.db.sequelize, clock.now),
          now: clock.now,
          sleep: async (ms) => {
            const [run] = await rowsOf<{ phase: string }>(server, "SELECT phase FROM sync_runs WHERE kind = 'org' ORDER BY id DESC");
            phases.push(run!.phase);
            clock.advance(ms);
          },
        });

        const run = await (
          await startOrgSync(
            { sequelize: server.db.sequelize, wecom, logger: server.logger, bootstrap: { adminUserIds: ['admin'] }, now: clock.now },
            SYSTEM_ACTOR,
          )
        ).done;

        expect(run.status).toBe('succeeded');
        expect(await localEmployees(server)).toEqual(simulatedEmployees(server));
        expect(phases.some((p) => /企业微信接口限频（user\/list），预计 60 秒后继续/.test(p))).toBe(true);
      } finally {
        await server.close();
      }
    });
  });

  describe('unionid', () => {
    let server: TestServer;
    afterEach(() => server.close());

    it('gives unionids only for WeChat contacts of a bound corp', async () => {
      server = await startTestServer({ target });
      await syncExternalContacts(server);

      const rows = await rowsOf<{ type: number; unionid: string | null }>(server, 'SELECT type, unionid FROM wecom_external_contacts');

      expect(rows.some((r) => Number(r.type) === 1 && r.unionid)).toBe(true);
      expect(rows.filter((r) => Number(r.type) === 2).every((r) => !r.unionid)).toBe(true);
    });

    it('gives none in a corp not bound to a WeChat developer account, and still links by remark mobile', async () => {
      server = await startTestServer({ target, env: { WECOM_SIMULATOR_UNIONID: 'unbound' } });
      await syncOrg(server);
      const browser = await loggedIn(server, 'rep-east-1');
      await browser.json('/api/customers', 'POST', { type: 'individual', name: '手机号匹配', phone: '13977778888' });
      server.simulator.state.addExternalContact(
        { external_userid: 'wmNOUNION', name: '微信昵称', type: 1, unionid: 'ou_should_not_show' },
        { userid: 'rep-east-1', remark: '', description: '', tag_ids: [], remark_mobiles: ['13977778888'], add_way: 1 },
      );

      await deliverCallbacks(server);
      const [contact] = await rowsOf<{ unionid: string | null }>(server, "SELECT unionid FROM wecom_external_contacts WHERE external_userid = 'wmNOUNION'");
      const [link] = await rowsOf<{ matched_by: string }>(server, "SELECT matched_by FROM customer_wecom_links WHERE external_userid = 'wmNOUNION'");

      expect(contact!.unionid).toBeNull();
      expect(link!.matched_by).toBe('mobile');
    });
  });
});

describe('the simulator under the current rules', () => {
  let server: TestServer;
  afterEach(() => server.close());
  const call = async (path: string, secret: string, init?: RequestInit) => {
    const token = (
      (await (await fetch(`${server.baseUrl}/__wecom/cgi-bin/gettoken?corpid=${d.corpId}&corpsecret=${secret}`)).json()) as { access_token: string }
    ).access_token;
    return (await (await fetch(`${server.baseUrl}/__wecom/cgi-bin/${path}${path.includes('?') ? '&' : '?'}access_token=${token}`, init)).json()) as Record<
      string,
      unknown
    >;
  };
  const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses the 通讯录同步 secret user/get from a new IP with 48009, and user/list_id to the app', async () => {
    server = await startTestServer();

    expect(await call('user/get?userid=admin', d.contactSecret)).toMatchObject({
      errcode: 48009,
      errmsg: expect.stringContaining('api forbidden for contact assistant'),
    });
    expect(await call('user/list_id', d.agentSecret, post({ limit: 10 }))).toMatchObject({ errcode: 48002 });
    expect(await call('user/list_id', d.contactSecret, post({ limit: 10 }))).toMatchObject({ errcode: 0 });
  });

  it('refuses the 客户联系 system-app secret for customer APIs (since 2023-12-01) and serves the app’s', async () => {
    server = await startTestServer();

    expect(await call('externalcontact/get_follow_user_list', d.externalSecret)).toMatchObject({ errcode: 48002 });
    expect(await call('externalcontact/get_follow_user_list', d.agentSecret)).toMatchObject({ errcode: 0 });
  });

  it('drops app messages over a member’s 30 a minute silently (errcode 0) and names invalid recipients', async () => {
    server = await startTestServer();
    const send = (touser: string, i: number) =>
      call('message/send', d.agentSecret, post({ touser, msgtype: 'text', agentid: Number(d.agentId), text: { content: `第 ${i} 条` } }));

    const answers = [];
    for (let i = 0; i < 32; i++) answers.push(await send('rep-east-1', i));
    const mixed = await send('rep-east-2|nobody', 99);
    const allInvalid = await send('nobody', 100);

    expect(answers.every((a) => a.errcode === 0)).toBe(true);
    expect(server.simulator.api.droppedMessages).toHaveLength(2);
    expect(mixed).toMatchObject({ errcode: 0, invaliduser: 'nobody' });
    expect(allInvalid).toMatchObject({ errcode: 81013 });
  });

  it('hands out a WelcomeCode valid 20 s and once, none when the welcome is set in the console', async () => {
    const clock = new FakeClock(Date.now());
    server = await startTestServer({ simulator: { now: clock.now } });
    const events: Record<string, unknown>[] = [];
    server.simulator.events.callbackUrl = undefined;
    const add = (id: string) => {
      server.simulator.state.addExternalContact(
        { external_userid: id, name: '欢迎', type: 1 },
        { userid: 'rep-east-1', remark: '', description: '', tag_ids: [], add_way: 1 },
      );
      const code = [...server.simulator.state.welcomeCodes.entries()].find(([, w]) => w.externalUserid === id)?.[0];
      events.push({ id, code });
      return code;
    };
    const welcome = (code: string) => call('externalcontact/send_welcome_msg', d.agentSecret, post({ welcome_code: code, text: { content: '您好' } }));

    const first = add('wmWELCOME1')!;
    const ok = await welcome(first);
    const again = await welcome(first);
    const late = add('wmWELCOME2')!;
    clock.advance(21_000);
    const expired = await welcome(late);
    server.simulator.state.rules = { ...server.simulator.state.rules, consoleWelcome: true };
    const none = add('wmWELCOME3');

    expect(ok).toMatchObject({ errcode: 0 });
    expect(again).toMatchObject({ errcode: 41051 });
    expect(expired.errcode).not.toBe(0);
    expect(none).toBeUndefined();
    expect(server.simulator.api.welcomeMessages.map((m) => m.welcome_code)).toEqual([first]);
  });

  describe('客户继承', () => {
    const customerOf = (userid: string) =>
      [...server.simulator.state.externalContacts.values()].find((c) => c.follows.some((f) => f.userid === userid))!.contact.external_userid;
    const transferCall = (path: string, body: unknown) => call(`externalcontact/${path}`, d.agentSecret, post(body));

    it('takes at most 100 customers a call and a transfer message of at most 200 characters', async () => {
      server = await startTestServer();
      const ids = Array.from({ length: 101 }, (_, i) => `wm${i}`);

      const tooMany = await transferCall('transfer_customer', { handover_userid: 'rep-east-1', takeover_userid: 'rep-east-2', external_userid: ids });
      const tooLong = await transferCall('transfer_customer', {
        handover_userid: 'rep-east-1',
        takeover_userid: 'rep-east-2',
        external_userid: [customerOf('rep-east-1')],
        transfer_success_msg: '好'.repeat(201),
      });

      expect(tooMany.errcode).toBe(40058);
      expect(tooLong.errcode).toBe(40058);
    });

    it('answers per customer: not the handover’s customer (40131), same member (40130), already in flight (40129)', async () => {
      server = await startTestServer();
      const mine = customerOf('rep-east-1');
      const theirs = customerOf('rep-south-1');

      const first = await transferCall('transfer_customer', { handover_userid: 'rep-east-1', takeover_userid: 'rep-east-2', external_userid: [mine, theirs] });
      const second = await transferCall('transfer_customer', { handover_userid: 'rep-east-1', takeover_userid: 'rep-east-3', external_userid: [mine] });
      const self = await transferCall('transfer_customer', { handover_userid: 'rep-south-1', takeover_userid: 'rep-south-1', external_userid: [theirs] });

      expect(first.customer).toEqual([
        { external_userid: mine, errcode: 0 },
        { external_userid: theirs, errcode: 40131 },
      ]);
      expect(second.customer).toEqual([{ external_userid: mine, errcode: 40129 }]);
      expect(self.customer).toEqual([{ external_userid: theirs, errcode: 40130 }]);
    });

    it('reports 等待接替 with the future takeover time, then 接替完毕 when the window has passed', async () => {
      const clock = new FakeClock(Date.now());
      server = await startTestServer({ simulator: { now: clock.now, transfers: { objectionMs: 86_400_000 } } });
      const mine = customerOf('rep-east-1');
      await transferCall('transfer_customer', { handover_userid: 'rep-east-1', takeover_userid: 'rep-east-2', external_userid: [mine] });
      const pair = { handover_userid: 'rep-east-1', takeover_userid: 'rep-east-2' };

      const waiting = await transferCall('transfer_result', pair);
      clock.advance(86_400_001);
      const done = await transferCall('transfer_result', pair);

      expect(waiting.customer).toEqual([{ external_userid: mine, status: 2, takeover_time: Math.floor((clock.now() - 1) / 1000) }]);
      expect((done.customer as { status: number }[])[0]!.status).toBe(1);
      expect(server.simulator.state.externalContacts.get(mine)!.follows.map((f) => f.userid)).toContain('rep-east-2');
    });

    it('refuses 离职继承 from a member who has not left (40097), and a group whose owner has not left (90500)', async () => {
      server = await startTestServer();
      server.simulator.state.createGroupChat({ chat_id: 'wrRULE01', name: '群', owner: 'rep-east-1', create_time: 1, member_list: [] });

      const customers = await transferCall('resigned/transfer_customer', {
        handover_userid: 'rep-east-1',
        takeover_userid: 'rep-east-2',
        external_userid: [customerOf('rep-east-1')],
      });
      const chats = await transferCall('groupchat/transfer', { chat_id_list: ['wrRULE01'], new_owner: 'rep-east-2' });

      expect(customers.errcode).toBe(40097);
      expect(chats.failed_chat_list).toEqual([{ chat_id: 'wrRULE01', errcode: 90500, errmsg: 'the owner of this chat is not resigned' }]);
    });

    it('lists a departed member’s customers as unassigned, with the dimission time, until they are handed over', async () => {
      server = await startTestServer();
      const theirs = server.simulator.state.contactsOf('rep-south-1').map((c) => c.contact.external_userid);
      server.simulator.events.callbackUrl = undefined;
      server.simulator.state.deleteUser('rep-south-1');

      const before = await transferCall('get_unassigned_list', { page_size: 1000 });
      await transferCall('resigned/transfer_customer', { handover_userid: 'rep-south-1', takeover_userid: 'mgr-south', external_userid: theirs.slice(0, 1) });
      const after = await transferCall('get_unassigned_list', { page_size: 1000 });

      expect((before.info as { external_userid: string }[]).map((i) => i.external_userid).sort()).toEqual([...theirs].sort());
      expect(before).toMatchObject({ is_last: true });
      expect((after.info as unknown[]).length).toBe(theirs.length - 1);
    });
  });

  it('refuses an OAuth state outside a-zA-Z0-9 or over 128 bytes', async () => {
    server = await startTestServer();
    const authorize = (state: string) =>
      fetch(
        `${server.baseUrl}/__wecom/connect/oauth2/authorize?appid=${d.corpId}&redirect_uri=${encodeURIComponent('http://crm.example/cb')}&response_type=code&scope=snsapi_base&agentid=${d.agentId}&state=${state}&login_as=admin`,
        { redirect: 'manual' },
      );

    expect((await authorize('abc.def')).status).toBe(400);
    expect((await authorize('a'.repeat(129))).status).toBe(400);
    expect((await authorize('a'.repeat(128))).status).toBe(302);
  });
});
