import { SIMULATOR_DEFAULTS } from '../../config/simulator-defaults';
import { type WecomClient, type WecomClientOptions } from '../../server/wecom/client';
import { WecomApiError, WecomTransportError } from '../../server/wecom/errors';
import { databaseTargets, useTestDatabase } from '../helpers/database';
import { FakeClock, simulatorClient, startSimulator, type RunningSimulator } from '../helpers/simulator';

const d = SIMULATOR_DEFAULTS;

describe.each(databaseTargets())('WeCom API client against the simulator ($label)', (target) => {
  const db = useTestDatabase(target);
  let sim: RunningSimulator;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock();
    sim = await startSimulator({ now: clock.now });
    await db.sequelize.query('DELETE FROM kv_cache');
  });
  afterEach(() => sim.close());

  const client = (overrides: Partial<WecomClientOptions> = {}): WecomClient => simulatorClient(sim, db.sequelize, clock, overrides);
  const api = () => sim.simulator.api;

  describe('typed endpoints', () => {
    it('lists a department subtree', async () => {
      const res = await client().listDepartments(2, 'agent');

      expect(res.department.map((x) => x.name)).toEqual(['华东销售部', '上海财富团队']);
    });

    it('gets an employee', async () => {
      const user = await client().getUser('mgr-east', 'agent');

      expect(user).toMatchObject({ userid: 'mgr-east', name: '陈建国', department: [2], status: 1 });
    });

    it('pages user/list_id with cursors until next_cursor is empty', async () => {
      const c = client();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await c.listUserIds(cursor, 4);
        seen.push(...res.dept_user.map((u) => u.userid));
        cursor = res.next_cursor || undefined;
        pages++;
      } while (cursor);

      expect(pages).toBe(3);
      expect(new Set(seen)).toEqual(new Set(sim.simulator.state.users.keys()));
    });

    it('pages batch/get_by_user and returns each contact with its follow info', async () => {
      const c = client();
      const first = await c.batchGetExternalContactsByUser({ userid_list: ['rep-east-1'], limit: 10 });
      const second = await c.batchGetExternalContactsByUser({
        userid_list: ['rep-east-1'],
        limit: 10,
        cursor: first.next_cursor,
      });

      expect(first.external_contact_list).toHaveLength(10);
      expect(second.external_contact_list.length).toBeGreaterThan(0);
      expect(first.external_contact_list[0]!.follow_info.userid).toBe('rep-east-1');
    });

    it('gets at most 100 contacts a page when asked for more (WeCom clamps the limit, 96316)', async () => {
      for (let i = 0; i < 120; i++) {
        sim.simulator.state.addExternalContact(
          { external_userid: `wmclamp${i}`, name: `客户${i}`, type: 1 },
          { userid: 'rep-east-2', remark: '', description: '', tag_ids: [], remark_mobiles: [], oper_userid: 'rep-east-2', add_way: 1 },
        );
      }
      const page = await client().batchGetExternalContactsByUser({ userid_list: ['rep-east-2'], limit: 500 });

      expect(page.external_contact_list).toHaveLength(100);
      expect(page.next_cursor).not.toBe('');
    });

    it('treats 84061 (employee without customers) as an empty list', async () => {
      expect(await client().listExternalContacts('ops-1')).toEqual([]);
    });

    it('reads one external contact with every follower', async () => {
      const [id] = await client().listExternalContacts('rep-east-1');

      const res = await client().getExternalContact(id!);

      expect(res.external_contact.external_userid).toBe(id);
      expect(res.follow_user.some((f) => f.userid === 'rep-east-1')).toBe(true);
    });
  });

  describe('access tokens', () => {
    it('fetches a token once and reuses it', async () => {
      const c = client();

      await c.getUser('admin', 'agent');
      await c.getUser('rep-east-1', 'agent');

      expect(api().callCount('gettoken')).toBe(1);
    });

    it('keeps one token per secret kind', async () => {
      const c = client();

      await c.listUserIds();
      await c.getUser('admin', 'agent');
      await c.listExternalContacts('rep-east-1');
      await c.getJsapiTicket();

      // 通讯录同步 and the app's; 客户联系 calls use the app's secret since 2023-12-01.
      expect(api().callCount('gettoken')).toBe(2);
    });

    it('shares the token with another instance through the database', async () => {
      await client().getUser('admin', 'agent');

      await client().getUser('admin', 'agent');

      expect(api().callCount('gettoken')).toBe(1);
    });

    it('refreshes before the token expires', async () => {
      const c = client();
      await c.getUser('admin', 'agent');

      clock.advance((7200 - 200) * 1000); // inside the 5-minute early-refresh window
      await c.getUser('admin', 'agent');

      expect(api().callCount('gettoken')).toBe(2);
    });

    it('refreshes once and retries once when WeCom says the token expired (42001)', async () => {
      const c = client();
      await c.getUser('admin', 'agent');
      api().invalidateTokens();

      const user = await c.getUser('admin', 'agent');

      expect(user.userid).toBe('admin');
      expect(api().callCount('gettoken')).toBe(2);
      expect(api().callCount('user/get')).toBe(3);
    });

    it('gives up after one refresh when the new token is refused too', async () => {
      const c = client();
      sim.simulator.faults.set('user/get', { failFirst: 5, errcodes: [40014] });

      await expect(c.getUser('admin', 'agent')).rejects.toMatchObject({ errcode: 40014 });
      expect(api().callCount('user/get')).toBe(2);
      expect(api().callCount('gettoken')).toBe(2);
    });

    it('makes exactly one gettoken call for 50 concurrent calls while the token is expired', async () => {
      const c = client();
      await c.getUser('admin', 'agent');
      clock.advance(7300 * 1000);

      await Promise.all(Array.from({ length: 50 }, () => c.getUser('rep-east-1', 'agent')));

      expect(api().callCount('gettoken')).toBe(2);
    });
  });

  describe('retries and errors', () => {
    it('retries system busy (-1) with backoff and succeeds', async () => {
      const delays: number[] = [];
      const c = client({ sleep: async (ms) => void delays.push(ms), random: () => 0.5 });
      sim.simulator.faults.set('user/get', { failFirst: 2, errcodes: [-1] });

      const user = await c.getUser('admin', 'agent');

      expect(user.userid).toBe('admin');
      expect(api().callCount('user/get')).toBe(3);
      expect(delays).toEqual([100, 200]); // full jitter at 0.5 of 200·2^n
    });

    it('treats 45009 as a blocked API: a page’s call fails at once with the time left, and later calls wait for the window without calling WeCom', async () => {
      sim.simulator.faults.set('externalcontact/list', { failFirst: 1, errcodes: [45009] });
      const c = client();

      await expect(c.listExternalContacts('rep-east-1')).rejects.toMatchObject({ errcode: 45009 });
      clock.advance(20_000);
      const second = await c.listExternalContacts('rep-east-1').catch((e: unknown) => e);
      clock.advance(40_000);
      const third = await c.listExternalContacts('rep-east-1');

      expect(second).toMatchObject({ errcode: 45009, message: expect.stringContaining('40 s') });
      expect(third.length).toBeGreaterThan(0);
      expect(api().callCount('externalcontact/list')).toBe(2);
    });

    it('lets background work wait a 45009 block out, told how long, and go on', async () => {
      sim.simulator.faults.set('externalcontact/list', { failFirst: 1, errcodes: [45009] });
      const waits: number[] = [];
      const c = client({ sleep: async (ms) => clock.advance(ms) }).waitingOutBlocks((_api, ms) => void waits.push(ms));

      const ids = await c.listExternalContacts('rep-east-1');

      expect(ids.length).toBeGreaterThan(0);
      expect(waits).toEqual([60_000]);
      expect(api().callCount('externalcontact/list')).toBe(2);
    });

    it('shares a block with another instance through the database', async () => {
      sim.simulator.faults.set('externalcontact/list', { failFirst: 1, errcodes: [45009] });
      await client()
        .listExternalContacts('rep-east-1')
        .catch(() => undefined);

      const elsewhere = await client()
        .listExternalContacts('rep-east-1')
        .catch((e: unknown) => e);

      expect(elsewhere).toMatchObject({ errcode: 45009 });
      expect(api().callCount('externalcontact/list')).toBe(1);
    });

    it('fails after the retry budget with the last errcode', async () => {
      sim.simulator.faults.set('user/get', { errorRate: 1, errcodes: [45033] });

      await expect(client({ maxRetries: 2 }).getUser('admin', 'agent')).rejects.toMatchObject({ errcode: 45033 });
      expect(api().callCount('user/get')).toBe(3);
    });

    it('does not retry a permanent error', async () => {
      await expect(client().getUser('nobody', 'agent')).rejects.toMatchObject({ errcode: 60111, api: 'user/get' });
      expect(api().callCount('user/get')).toBe(1);
    });

    it('explains 60020 (IP not trusted) for the admin', async () => {
      sim.simulator.faults.set('department/list', { errorRate: 1, errcodes: [60020] });

      const err = await client()
        .listDepartments(undefined, 'agent')
        .catch((e: unknown) => e);

      expect(err).toBeInstanceOf(WecomApiError);
      expect((err as WecomApiError).adminHint).toContain('企业可信IP');
    });

    it('explains 48002 (API not allowed for this secret) for the admin', async () => {
      // The contact secret may not call 客户联系 APIs.
      const c = client({ secrets: { agent: d.agentSecret, contact: d.contactSecret, external: d.contactSecret } });

      const err = (await c.listExternalContacts('rep-east-1').catch((e: unknown) => e)) as WecomApiError;

      expect(err.errcode).toBe(48002);
      expect(err.adminHint).toContain('可调用接口的应用');
    });

    it('never puts the access token in an error', async () => {
      const c = client();
      const token = await c.accessToken('agent');
      sim.simulator.faults.set('user/get', { errorRate: 1, errcodes: [60011] });

      const err = (await c.getUser('admin', 'agent').catch((e: unknown) => e)) as Error;

      expect(err.message).not.toContain(token);
      expect(JSON.stringify(err)).not.toContain(token);
    });

    it('retries an HTTP 502 and then succeeds', async () => {
      sim.simulator.faults.set('user/get', { failFirst: 1, httpStatus: 502 });

      expect((await client().getUser('admin', 'agent')).userid).toBe('admin');
      expect(api().callCount('user/get')).toBe(2);
    });

    it('times out a call that never answers', async () => {
      sim.simulator.faults.set('user/get', { timeoutRate: 1 });

      const err = await client({ timeoutMs: 150, maxRetries: 1 })
        .getUser('admin', 'agent')
        .catch((e: unknown) => e);

      expect(err).toBeInstanceOf(WecomTransportError);
      expect((err as Error).message).toContain('timed out after 150 ms');
      expect(api().callCount('user/get')).toBe(2);
    });

    it('limits concurrent calls per API family', async () => {
      const c = client({ familyConcurrency: 2 });
      await c.accessToken('agent');
      sim.simulator.faults.set('user/get', { latencyMs: 40 });

      await Promise.all(Array.from({ length: 8 }, () => c.getUser('admin', 'agent')));

      expect(api().peakConcurrency.get('user')).toBe(2);
    });
  });

  describe('JS-SDK tickets and messages', () => {
    it('caches the jsapi and agent tickets', async () => {
      const c = client();

      const [a, b] = [await c.getJsapiTicket(), await c.getJsapiTicket()];
      const agent = await c.getAgentTicket();

      expect(a).toBe(b);
      expect(agent).not.toBe(a);
      expect(api().callCount('get_jsapi_ticket')).toBe(1);
      expect(api().callCount('ticket/get')).toBe(1);
    });

    it('sends an app message with our agent id', async () => {
      const res = await client().sendMessage({ touser: 'rep-east-1', msgtype: 'text', text: { content: '您有 3 位客户今日待跟进' } });

      expect(res.invaliduser).toBe('');
      expect(api().sentMessages[0]).toMatchObject({ agentid: Number(d.agentId), touser: 'rep-east-1' });
    });
  });
});
