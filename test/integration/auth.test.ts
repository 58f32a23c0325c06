import { loadConfig } from '../../config';
import { consumeState, issueState, safeRedirectPath, STATE_TTL_MS } from '../../server/modules/auth/oauth-state';
import { cookieOptions } from '../../server/modules/auth/session';
import type { MeResponse } from '@shared/permissions';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { Browser, loggedIn } from '../helpers/session';

describe.each(databaseTargets())('WeCom login on $label', (target) => {
  const { server } = useCrmServer(target, { syncOrg: false });

  it('sends the browser to WeCom OAuth with snsapi_base, our agent and a state', async () => {
    const url = await new Browser(server.baseUrl).beginLogin('/customers');

    expect(url.origin + url.pathname).toBe(`${server.baseUrl}/__wecom/connect/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      appid: server.config.wecom.corpId,
      redirect_uri: `${server.baseUrl}/api/auth/wecom/callback`,
      response_type: 'code',
      scope: 'snsapi_base',
      agentid: server.config.wecom.agentId,
    });
    expect(url.searchParams.get('state')).toMatch(/^[0-9a-f]{32}\d{13}[0-9a-f]{64}$/);
    expect(url.hash).toBe('#wechat_redirect');
  });

  it('logs in through the simulator page and returns to the requested path', async () => {
    const browser = new Browser(server.baseUrl);
    const authorize = await browser.beginLogin('/customers?tab=mine');
    const page = await (await browser.fetch(authorize.toString())).text();
    const link = /href="([^"]+)" data-userid="rep-east-2"/.exec(page)![1]!.replace(/&#38;/g, '&');
    const picked = await browser.fetch(new URL(link, authorize).toString());

    const callback = await browser.fetch(picked.headers.get('location')!);
    const me = await bodyOf<MeResponse>(await browser.fetch('/api/me'));

    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/customers?tab=mine');
    expect(me.user).toMatchObject({ wecomUserid: 'rep-east-2', name: '王强' });
    expect(me.departments).toEqual([{ id: 2, name: '华东销售部', isLeader: false }]);
    expect(me.roles.map((r) => r.code)).toEqual(['sales']);
    expect(me.dataScope).toBe('self');
    expect(me.permissions).toContain('customer.read');
    expect(me.permissions).not.toContain('org.sync');
  });

  it('sets an HttpOnly, SameSite=Lax session cookie in demo mode', async () => {
    const browser = new Browser(server.baseUrl);
    const callback = await browser.pickEmployee(await browser.beginLogin(), 'rep-east-1');

    const res = await browser.fetch(callback.toString());
    const session = res.headers.getSetCookie().find((c) => c.startsWith('wcrm_session='))!;

    expect(session).toMatch(/httponly/i);
    expect(session).toMatch(/samesite=lax/i);
    expect(session).not.toMatch(/secure/i);
  });

  it('makes configured admins admins, with every permission and the whole corp in scope', async () => {
    const admin = await loggedIn(server, 'admin');

    const me = await bodyOf<MeResponse>(await admin.fetch('/api/me'));

    expect(me.roles.map((r) => r.code)).toContain('admin');
    expect(me.dataScope).toBe('all');
    expect(me.permissions).toContain('role.manage');
  });

  it('refuses a replayed state', async () => {
    const browser = new Browser(server.baseUrl);
    const callback = await browser.pickEmployee(await browser.beginLogin(), 'rep-east-1');
    const sameCookies = browser.clone();
    await browser.fetch(callback.toString());

    const res = await sameCookies.fetch(callback.toString());

    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('state_used');
  });

  it('refuses a state issued to another browser', async () => {
    const victim = new Browser(server.baseUrl);
    const attacker = new Browser(server.baseUrl);
    await attacker.beginLogin(); // the attacker has a nonce cookie of its own
    const callback = await victim.pickEmployee(await victim.beginLogin(), 'rep-east-1');

    const res = await attacker.fetch(callback.toString());

    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('state_browser_mismatch');
  });

  it('refuses a forged state', async () => {
    const browser = new Browser(server.baseUrl);
    const callback = await browser.pickEmployee(await browser.beginLogin(), 'rep-east-1');
    const state = callback.searchParams.get('state')!;
    callback.searchParams.set('state', `${state.slice(0, 45)}${'a'.repeat(64)}`);

    const res = await browser.fetch(callback.toString());

    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('state_browser_mismatch');
  });

  it('sends a state in WeCom’s charset: a-zA-Z0-9, at most 128 bytes', async () => {
    const state = (await new Browser(server.baseUrl).beginLogin()).searchParams.get('state')!;

    expect(state).toMatch(/^[a-zA-Z0-9]{1,128}$/);
  });

  it('refuses a malformed state and a missing code with 400', async () => {
    const bad = await fetch(`${server.baseUrl}/api/auth/wecom/callback?code=x&state=nonsense`);
    const missing = await fetch(`${server.baseUrl}/api/auth/wecom/callback?state=x`);

    expect((await errorOf(bad)).code).toBe('state_invalid');
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).code).toBe('validation_failed');
  });

  it.each([
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    'javascript:alert(1)',
    '/.//evil.example',
    '/%2e//x',
    '/a/..//x',
    '/..//x',
    '/%2E%2E//x',
  ])('refuses the open redirect %s', async (redirect) => {
    const res = await fetch(`${server.baseUrl}/api/auth/wecom/authorize?redirect=${encodeURIComponent(redirect)}`, { redirect: 'manual' });

    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('validation_failed');
  });

  it('refuses a code of an employee who is disabled here', async () => {
    await loggedIn(server, 'rep-south-1');
    await server.db.sequelize.query("UPDATE users SET status = 'disabled' WHERE wecom_userid = 'rep-south-1'");

    const res = await new Browser(server.baseUrl).login('rep-south-1');

    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('account_inactive');
  });

  it('refuses an employee disabled in WeCom who was never synced', async () => {
    server.simulator.state.updateUser('risk-1', { status: 2 });

    const res = await new Browser(server.baseUrl).login('risk-1');

    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('account_inactive');
  });

  it('ends the session of an employee who left at once', async () => {
    const browser = await loggedIn(server, 'ops-1');
    await server.db.sequelize.query("UPDATE users SET status = 'left' WHERE wecom_userid = 'ops-1'");

    expect((await browser.fetch('/api/me')).status).toBe(401);
  });

  it('logs out', async () => {
    const browser = await loggedIn(server, 'rep-east-3');

    const out = await browser.fetch('/api/auth/logout', { method: 'POST' });

    expect(out.status).toBe(204);
    expect((await browser.fetch('/api/me')).status).toBe(401);
  });

  it('answers /api/me without a session with 401', async () => {
    const res = await fetch(`${server.baseUrl}/api/me`);

    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('unauthorized');
  });

  it('offers the desktop QR login with the same protections', async () => {
    const browser = new Browser(server.baseUrl);
    const res = await browser.fetch('/api/auth/wecom/qr?redirect=/me');
    const url = new URL(res.headers.get('location')!);
    url.searchParams.set('login_as', 'mgr-east');

    const callback = new URL((await browser.fetch(url.toString())).headers.get('location')!);
    const done = await browser.fetch(callback.toString());

    expect(url.pathname).toBe('/__wecom/wwlogin/sso/login');
    expect(url.searchParams.get('login_type')).toBe('CorpApp');
    expect(done.headers.get('location')).toBe('/me');
  });

  it('keeps a login audit trail', async () => {
    const admin = await loggedIn(server, 'admin');

    const res = await admin.fetch('/api/admin/audit-logs?action=auth.login');
    const { items, total } = await bodyOf<{ items: { action: string; actor: { label: string } }[]; total: number }>(res);

    expect(total).toBeGreaterThan(3);
    expect(items.every((i) => i.action === 'auth.login')).toBe(true);
    expect(items[0]!.actor.label).toBe('admin');
  });

  describe('state lifetime', () => {
    it('expires a state after 10 minutes', async () => {
      const { state, nonce } = await issueState(server.db.sequelize, 'secret', '/');

      await expect(consumeState(server.db.sequelize, 'secret', state, nonce, Date.now() + STATE_TTL_MS + 1)).rejects.toMatchObject({
        code: 'state_expired',
      });
    });

    it('accepts a fresh state once', async () => {
      const { state, nonce } = await issueState(server.db.sequelize, 'secret', '/x');

      expect(await consumeState(server.db.sequelize, 'secret', state, nonce)).toBe('/x');
      await expect(consumeState(server.db.sequelize, 'secret', state, nonce)).rejects.toMatchObject({ code: 'state_used' });
    });
  });
});

describe('login policies', () => {
  it('uses SameSite=Lax and Secure cookies in live mode', () => {
    const live = loadConfig({
      WECOM_CORP_ID: 'ww1',
      WECOM_AGENT_ID: '1',
      WECOM_AGENT_SECRET: 's',
      WECOM_CALLBACK_TOKEN: 't',
      WECOM_CALLBACK_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      SESSION_SECRET: 'x'.repeat(40),
      PUBLIC_URL: 'https://crm.example.com',
    });

    expect(cookieOptions(live, 1000)).toMatchObject({ sameSite: 'lax', secure: true, httpOnly: true });
  });

  it.each([
    ['/customers/1?x=1#top', '/customers/1?x=1#top'],
    [undefined, '/'],
    ['customers', null],
    ['//evil.example', null],
    ['/\\evil.example', null],
    ['https://crm.example/ok', null],
    // Paths that normalise to `//host` (what the browser would then follow as another host).
    ['/.//evil.example', null],
    ['/%2e//x', null],
    ['/%2E//x', null],
    ['/a/..//x', null],
    ['/..//x', null],
    ['/a/b/../..//x', null],
    ['/./\\x', null],
    ['/%2f/x', '/%2f/x'],
    ['/a/../b', '/b'],
  ])('accepts only same-origin paths as redirects: %s', (raw, expected) => {
    expect(safeRedirectPath(raw, 'https://crm.example')).toBe(expected);
  });
});
