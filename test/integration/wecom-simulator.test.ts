import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIMULATOR_DEFAULTS } from '../../config/simulator-defaults';
import { generateCorp } from '../../scripts/wecom-simulator/index';
import { CallbackCrypto } from '../../server/wecom/callback-crypto';
import type { WecomClient } from '../../server/wecom/client';
import type { XmlObject } from '../../server/wecom/xml';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database';
import { FakeClock, simulatorClient, startSimulator, type RunningSimulator } from '../helpers/simulator';

const d = SIMULATOR_DEFAULTS;

function clientFor(sim: RunningSimulator, db: ScratchDatabase, clock: FakeClock): WecomClient {
  return simulatorClient(sim, db.sequelize, clock);
}

describe('demo corp generator', () => {
  it('has the fixed employees the README documents', () => {
    const corp = generateCorp();

    expect(corp.users.map((u) => u.userid)).toEqual(expect.arrayContaining(['admin', 'mgr-east', 'rep-east-1', 'rep-east-2', 'rep-south-1']));
    expect(corp.departments.map((x) => x.name)).toEqual(expect.arrayContaining(['总部', '华东销售部', '华南销售部', '运营部']));
  });

  it('spreads about 60 external contacts over the reps, with Chinese names and mobiles', () => {
    const corp = generateCorp();
    const owners = new Set(corp.externalContacts.flatMap((c) => c.follows.map((f) => f.userid)));

    expect(corp.externalContacts.length).toBeGreaterThanOrEqual(55);
    expect(corp.externalContacts.length).toBeLessThanOrEqual(65);
    expect(owners).toEqual(new Set(['rep-east-1', 'rep-east-2', 'rep-east-3', 'rep-south-1', 'mgr-east']));
    expect(corp.externalContacts.every((c) => /^[\u4e00-\u9fa5]{2,3}$/.test(c.contact.name))).toBe(true);
    expect(corp.externalContacts.filter((c) => c.follows[0]!.remark_mobiles?.length).length).toBeGreaterThan(30);
    expect(corp.groupChats.length).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic for a seed and different across seeds', () => {
    expect(generateCorp({ seed: 7 })).toEqual(generateCorp({ seed: 7 }));
    expect(generateCorp({ seed: 7 }).externalContacts[0]).not.toEqual(generateCorp({ seed: 8 }).externalContacts[0]);
  });

  it('scales to a benchmark-sized org', () => {
    const corp = generateCorp({ employees: 10_000, departments: 1_000, externalContacts: 20_000 });

    expect(corp.users).toHaveLength(10_000);
    expect(corp.departments).toHaveLength(1_000);
    expect(new Set(corp.users.map((u) => u.userid)).size).toBe(10_000);
    const ids = new Set(corp.departments.map((x) => x.id));
    expect(corp.departments.every((x) => x.parentid === 0 || ids.has(x.parentid))).toBe(true);
  });
});

describe('simulator over HTTP', () => {
  let sim: RunningSimulator;
  let db: ScratchDatabase;
  let clock: FakeClock;

  beforeAll(async () => {
    db = await createScratchDatabase({ label: 'sqlite' });
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    clock = new FakeClock();
    sim = await startSimulator({ now: clock.now, eventRetryDelayMs: 5 });
    await db.sequelize.query('DELETE FROM kv_cache');
  });
  afterEach(() => sim.close());

  const authorizeUrl = (extra: Record<string, string> = {}) => {
    const params = new URLSearchParams({
      appid: d.corpId,
      redirect_uri: 'http://crm.example/api/auth/wecom/callback',
      response_type: 'code',
      scope: 'snsapi_base',
      state: 'st123',
      agentid: d.agentId,
      ...extra,
    });
    return `${sim.baseUrl}/connect/oauth2/authorize?${params}#wechat_redirect`;
  };

  describe('OAuth', () => {
    it('lists employees on the authorize page and logs in the one picked', async () => {
      const page = await (await fetch(authorizeUrl())).text();
      const link = /href="([^"]+)" data-userid="rep-east-1"/.exec(page)?.[1]?.replace(/&#38;/g, '&');

      const res = await fetch(new URL(link!, authorizeUrl()), { redirect: 'manual' });
      const location = new URL(res.headers.get('location')!);
      const info = await clientFor(sim, db, clock).getUserInfo(location.searchParams.get('code')!);

      expect(page).toContain('李娜');
      expect(res.status).toBe(302);
      expect(location.origin + location.pathname).toBe('http://crm.example/api/auth/wecom/callback');
      expect(location.searchParams.get('state')).toBe('st123');
      expect(info.userid).toBe('rep-east-1');
    });

    it('redirects at once with login_as', async () => {
      const res = await fetch(authorizeUrl({ login_as: 'mgr-east' }), { redirect: 'manual' });
      const code = new URL(res.headers.get('location')!).searchParams.get('code')!;

      expect(res.status).toBe(302);
      expect((await clientFor(sim, db, clock).getUserInfo(code)).userid).toBe('mgr-east');
    });

    it('serves the desktop SSO login the same way', async () => {
      const params = new URLSearchParams({
        login_type: 'CorpApp',
        appid: d.corpId,
        agentid: d.agentId,
        redirect_uri: 'http://crm.example/cb',
        state: 's',
        login_as: 'admin',
      });
      const res = await fetch(`${sim.baseUrl}/wwlogin/sso/login?${params}`, { redirect: 'manual' });
      const code = new URL(res.headers.get('location')!).searchParams.get('code')!;

      expect((await clientFor(sim, db, clock).getUserInfo(code)).userid).toBe('admin');
    });

    it('accepts a code only once', async () => {
      const code = sim.simulator.api.issueCode('rep-east-1');
      const c = clientFor(sim, db, clock);
      await c.getUserInfo(code);

      await expect(c.getUserInfo(code)).rejects.toMatchObject({ errcode: 40029 });
    });

    it('expires a code after 5 minutes', async () => {
      const code = sim.simulator.api.issueCode('rep-east-1');
      clock.advance(301_000);

      await expect(clientFor(sim, db, clock).getUserInfo(code)).rejects.toMatchObject({ errcode: 40029 });
    });

    it('refuses a foreign appid', async () => {
      const res = await fetch(authorizeUrl({ appid: 'wwother' }));

      expect(res.status).toBe(400);
      expect(await res.text()).toContain('appid 错误');
    });
  });

  describe('API behaviour', () => {
    it('answers 45009 beyond the per-minute limit and recovers in the next minute', async () => {
      const token = await clientFor(sim, db, clock).accessToken('agent');
      sim.simulator.api.setRateLimit('user/get', 2);
      const call = async () =>
        ((await (await fetch(`${sim.baseUrl}/cgi-bin/user/get?access_token=${token}&userid=admin`)).json()) as { errcode: number }).errcode;

      const codes = [await call(), await call(), await call()];
      clock.advance(59_000);
      const stillBlocked = await call();
      clock.advance(1_000);

      expect(codes).toEqual([0, 0, 45009]);
      expect(stillBlocked).toBe(45009);
      expect(await call()).toBe(0);
    });

    it('answers 42001 for an expired token and 40014 for an unknown one, 41001 without one', async () => {
      const token = await clientFor(sim, db, clock).accessToken('agent');
      clock.advance(7201_000);
      const errcodeOf = async (query: string) =>
        ((await (await fetch(`${sim.baseUrl}/cgi-bin/user/get?userid=admin${query}`)).json()) as { errcode: number }).errcode;

      expect(await errcodeOf(`&access_token=${token}`)).toBe(42001);
      expect(await errcodeOf('&access_token=nonsense')).toBe(40014);
      expect(await errcodeOf('')).toBe(41001);
    });

    it('refuses a wrong secret with 40001', async () => {
      const res = await fetch(`${sim.baseUrl}/cgi-bin/gettoken?corpid=${d.corpId}&corpsecret=wrong`);

      expect(((await res.json()) as { errcode: number }).errcode).toBe(40001);
    });
  });

  describe('state API and event sender', () => {
    let receiver: Server;
    let receiverUrl: string;
    let received: XmlObject[];
    let failuresLeft: number;
    const crypto = new CallbackCrypto({ token: d.callbackToken, encodingAesKey: d.callbackAesKey, receiveId: d.corpId });

    beforeEach(async () => {
      received = [];
      failuresLeft = 0;
      receiver = createServer((req, res) => {
        const url = new URL(req.url!, 'http://x');
        const query = Object.fromEntries(url.searchParams);
        if (req.method === 'GET') {
          res.end(crypto.verifyUrl(query));
          return;
        }
        let body = '';
        req.on('data', (c: Buffer) => (body += c));
        req.on('end', () => {
          if (failuresLeft > 0) {
            failuresLeft--;
            res.statusCode = 500;
            res.end('busy');
            return;
          }
          received.push(crypto.openEvent(query, body).event);
          res.end('success');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback`;
    });
    afterEach(() => new Promise<void>((r) => receiver.close(() => r())));

    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${sim.baseUrl}/admin${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('sends the URL-verification GET when the callback URL is configured', async () => {
      const res = await admin('PUT', '/callback', { url: receiverUrl });

      expect(res.status).toBe(200);
      expect(sim.simulator.events.callbackUrl).toBe(receiverUrl);
    });

    it('refuses a callback URL that does not answer the echostr', async () => {
      const res = await admin('PUT', '/callback', { url: `${sim.baseUrl}/nothing` });

      expect(res.status).toBe(400);
      expect(sim.simulator.events.callbackUrl).toBeUndefined();
    });

    it('reports a new employee as an encrypted change_contact create_user event', async () => {
      sim.simulator.events.callbackUrl = receiverUrl;

      const res = await admin('POST', '/users', { userid: 'rep-new', name: '孙悦', department: [3], status: 1 });
      await sim.simulator.events.flush();

      expect(res.status).toBe(200);
      expect(received).toEqual([
        expect.objectContaining({ Event: 'change_contact', ChangeType: 'create_user', UserID: 'rep-new', Name: '孙悦', Department: '3' }),
      ]);
    });

    it('reports a renamed userid with NewUserID', async () => {
      sim.simulator.events.callbackUrl = receiverUrl;

      await admin('PATCH', '/users/rep-east-2', { newUserid: 'rep-east-2b', position: '高级理财经理' });
      await sim.simulator.events.flush();

      expect(received[0]).toMatchObject({ ChangeType: 'update_user', UserID: 'rep-east-2', NewUserID: 'rep-east-2b', Position: '高级理财经理' });
      expect(sim.simulator.state.users.has('rep-east-2b')).toBe(true);
    });

    it('reports a customer adding an employee with State and WelcomeCode', async () => {
      sim.simulator.events.callbackUrl = receiverUrl;

      await admin('POST', '/external-contacts', {
        contact: { external_userid: 'wmNEW001', name: '钱多多', type: 1 },
        follow: { userid: 'rep-east-1', state: 'qr-event-2026', remark_mobiles: ['13800138000'] },
      });
      await sim.simulator.events.flush();

      expect(received[0]).toMatchObject({
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: 'rep-east-1',
        ExternalUserID: 'wmNEW001',
        State: 'qr-event-2026',
      });
      expect(received[0]!.WelcomeCode).toBeTruthy();
    });

    it('reports both ways a relation can end', async () => {
      sim.simulator.events.callbackUrl = receiverUrl;
      const [first, second] = sim.simulator.state.contactsOf('rep-east-1');

      await admin('DELETE', `/external-contacts/${first!.contact.external_userid}/follows/rep-east-1?by=employee`);
      await admin('DELETE', `/external-contacts/${second!.contact.external_userid}/follows/rep-east-1?by=customer`);
      await sim.simulator.events.flush();

      expect(received.map((e) => e.ChangeType)).toEqual(['del_external_contact', 'del_follow_user']);
    });

    it('reports group chat and corp tag changes', async () => {
      sim.simulator.events.callbackUrl = receiverUrl;

      sim.simulator.state.renameGroupChat('wr-demo-chat-1', '华东客户新春交流群');
      sim.simulator.state.renameTag('et-level-vip', '高净值客户');
      await sim.simulator.events.flush();

      expect(received[0]).toMatchObject({ Event: 'change_external_chat', ChangeType: 'update', UpdateDetail: 'change_name', ChatId: 'wr-demo-chat-1' });
      expect(received[1]).toMatchObject({ Event: 'change_external_tag', ChangeType: 'update', TagType: 'tag', Id: 'et-level-vip' });
    });

    it('retries a delivery that was not answered with success, like WeCom', async () => {
      sim.simulator.events.callbackUrl = receiverUrl;
      failuresLeft = 2;

      const delivery = sim.simulator.events.send({ MsgType: 'event', Event: 'change_contact', ChangeType: 'delete_user', CreateTime: 1, UserID: 'x' });
      await sim.simulator.events.flush();

      expect(delivery).toMatchObject({ status: 'delivered', attempts: 3 });
      expect(received).toHaveLength(1);
    });

    it('gives up after 3 retries', async () => {
      sim.simulator.events.callbackUrl = receiverUrl;
      failuresLeft = 10;

      const delivery = sim.simulator.events.send({ MsgType: 'event', Event: 'change_contact', ChangeType: 'delete_user', CreateTime: 1, UserID: 'x' });
      await sim.simulator.events.flush();

      expect(delivery).toMatchObject({ status: 'failed', attempts: 4, lastError: 'HTTP 500: busy' });
    });

    it('configures faults through the state API', async () => {
      await admin('PUT', '/faults/user%2Fget', { errorRate: 1, errcodes: [60020] });

      const err = await clientFor(sim, db, clock)
        .getUser('admin')
        .catch((e: unknown) => e);

      expect(err).toMatchObject({ errcode: 60020 });
    });
  });
});
