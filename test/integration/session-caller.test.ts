import { QueryTypes } from 'sequelize';
import { readCaller } from '../../server/modules/auth/service';
import { loadAccess } from '../../server/modules/roles/access';
import { revokeSessionsOf, sessionKey } from '../../server/modules/sessions/service';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { loggedIn } from '../helpers/session';

/**
 * The session resolver reads the session, its user and the user's access in one statement
 * (auth's readCaller): the same checks as ever — revoked, expired, idle, employee active,
 * `last_seen_at` written at most once a minute — and nothing remembered between requests.
 */
describe.each(databaseTargets())('session caller on $label', (target) => {
  const { server } = useCrmServer(target);

  const tokenOf = async (userid: string) => {
    const browser = await loggedIn(server, userid);
    return { browser, token: decodeURIComponent(browser.cookie('wcrm_session')!) };
  };
  const session = async (token: string) => {
    const [row] = await server.db.sequelize.query<{ last_seen_at: Date | string; expires_at: Date | string }>(
      'SELECT last_seen_at, expires_at FROM sessions WHERE id = ?',
      { replacements: [sessionKey(token)], type: QueryTypes.SELECT },
    );
    return { lastSeen: new Date(row!.last_seen_at).getTime(), expires: new Date(row!.expires_at).getTime() };
  };
  const setSession = (token: string, column: 'last_seen_at' | 'expires_at' | 'revoked_at', value: Date | null) =>
    server.db.sequelize.query(`UPDATE sessions SET ${column} = ? WHERE id = ?`, { replacements: [value, sessionKey(token)] });

  it('gives each caller the same user and access as the separate reads did', async () => {
    for (const userid of ['admin', 'mgr-east', 'rep-east-1', 'ops-1', 'risk-1']) {
      const { token } = await tokenOf(userid);
      const caller = await readCaller(server.db.sequelize, server.config.sessions, token);
      const expected = await loadAccess(server.db.sequelize, caller!.user.id);

      expect(caller!.user).toMatchObject({ wecom_userid: userid, status: 'active' });
      expect(caller!.user.created_at).toBeInstanceOf(Date);
      expect(caller!.access).toEqual(expected);
    }
  });

  it('refuses a session revoked in the database on the very next request', async () => {
    const { browser, token } = await tokenOf('rep-east-2');
    expect((await browser.fetch('/api/me')).status).toBe(200);

    await setSession(token, 'revoked_at', new Date());

    expect((await browser.fetch('/api/me')).status).toBe(401);
    expect((await browser.fetch('/api/sidebar/contacts')).status).toBe(401);
  });

  it('refuses every session of an employee whose sessions were ended, on the next request', async () => {
    const { browser } = await tokenOf('rep-south-1');
    const me = (await (await browser.fetch('/api/me')).json()) as { user: { id: number } };

    await revokeSessionsOf(server.db.sequelize, [me.user.id]);

    expect((await browser.fetch('/api/me')).status).toBe(401);
  });

  it('refuses a disabled employee’s live session', async () => {
    const { browser, token } = await tokenOf('ops-1');
    await server.db.sequelize.query("UPDATE users SET status = 'disabled' WHERE wecom_userid = 'ops-1'");
    try {
      expect(await readCaller(server.db.sequelize, server.config.sessions, token)).toBeNull();
      expect((await browser.fetch('/api/me')).status).toBe(401);
    } finally {
      await server.db.sequelize.query("UPDATE users SET status = 'active' WHERE wecom_userid = 'ops-1'");
    }
  });

  it('ends an idle session and an expired one, and writes last_seen_at at most once a minute', async () => {
    const policy = server.config.sessions;
    const { token } = await tokenOf('mgr-south');
    const read = (at: number) => readCaller(server.db.sequelize, policy, token, new Date(at));
    const { lastSeen } = await session(token);

    expect(await read(lastSeen + 30_000)).not.toBeNull();
    expect((await session(token)).lastSeen).toBe(lastSeen); // not yet a minute: no write
    expect(await read(lastSeen + 61_000)).not.toBeNull();
    expect((await session(token)).lastSeen).toBe(lastSeen + 61_000);
    expect(await read(lastSeen + 90_000)).not.toBeNull();
    expect((await session(token)).lastSeen).toBe(lastSeen + 61_000);

    // Idle counts from the last write.
    expect(await read(lastSeen + 61_000 + policy.idleMs)).toBeNull();
    expect(await read(lastSeen + 61_000 + policy.idleMs - 1_000)).not.toBeNull();

    // Past its lifetime, however recently seen.
    const seen = (await session(token)).lastSeen;
    await setSession(token, 'expires_at', new Date(seen + 10_000));
    expect(await read(seen + 9_000)).not.toBeNull();
    expect(await read(seen + 10_000)).toBeNull();
  });
});
