import { QueryTypes, type Sequelize } from 'sequelize';
import { SIMULATOR_DEFAULTS as d } from '../../config/simulator-defaults';
import { openDatabase } from '../../server/db';
import { CallbackCrypto } from '../../server/wecom/callback-crypto';
import { buildCallbackXml } from '../../server/wecom/xml';
import { databaseTargets } from '../helpers/database';
import { bootMain, childDatabase, freePort, waitFor, type MainProcess } from '../helpers/process';

const EVENTS = 300;

/**
 * A server receiving a burst of callbacks is killed with SIGKILL halfway and started again:
 * every event it acknowledged with `success` must end up applied, exactly once.
 */
describe.each(databaseTargets())('crash safety of the callback inbox on $label', (target) => {
  let database: Awaited<ReturnType<typeof childDatabase>>;
  let url: string;
  let db: Sequelize;
  let main: MainProcess | undefined;

  beforeAll(async () => {
    database = await childDatabase(target);
    url = database.url;
  });
  afterAll(async () => {
    main?.child.kill('SIGKILL');
    await db?.close();
    await database.drop();
  });

  it('applies every acknowledged event exactly once across a SIGKILL', async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: url, EVENT_RECLAIM_SECONDS: '2', LOG_LEVEL: 'warn' };
    const boot = () => bootMain({ ...env, LOG_LEVEL: 'info' });
    main = await boot();
    db = await openDatabase(url.startsWith('sqlite:') ? { dialect: 'sqlite', storage: url.slice(7), url } : { dialect: 'mysql', url });
    await waitFor(async () => Number((await count(db, "SELECT COUNT(*) AS n FROM users WHERE wecom_userid = 'rep-east-1'"))) === 1, 30_000, 'the demo org');
    // One relation per event; each transfer_fail event writes its own reason onto its relation.
    for (let i = 0; i < EVENTS; i += 100) {
      const rows = Array.from({ length: Math.min(100, EVENTS - i) }, (_, k) => `('wmCRASH${i + k}', 'rep-east-1', ?, ?)`);
      await db.query(`INSERT INTO wecom_follow_relations (external_userid, userid, created_at, updated_at) VALUES ${rows.join(', ')}`, {
        replacements: rows.flatMap(() => [new Date(), new Date()]),
      });
    }

    const crypto = new CallbackCrypto({ token: d.callbackToken, encodingAesKey: d.callbackAesKey, receiveId: d.corpId });
    const acknowledged: number[] = [];
    const send = async (i: number) => {
      const xml = buildCallbackXml({ ToUserName: d.corpId, FromUserName: 'sys', CreateTime: 1760000000, MsgType: 'event', Event: 'change_external_contact', ChangeType: 'transfer_fail', UserID: 'rep-east-1', ExternalUserID: `wmCRASH${i}`, FailReason: `reason-${i}` });
      const { query, body } = crypto.seal(xml);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/wecom/callback?${new URLSearchParams(query)}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
        if (res.status === 200 && (await res.text()) === 'success') acknowledged.push(i);
      } catch {
        // the server died under this request: not acknowledged, WeCom would retry
      }
    };
    const burst = (async () => {
      for (let i = 0; i < EVENTS; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => send(i + k)));
    })();
    await waitFor(() => acknowledged.length >= EVENTS / 2, 60_000, 'half the burst');
    main.child.kill('SIGKILL');
    await main.exited;
    await burst;
    const beforeRestart = await count(db, "SELECT COUNT(*) AS n FROM wecom_events WHERE status <> 'done'");

    main = await boot();
    await waitFor(async () => (await count(db, "SELECT COUNT(*) AS n FROM wecom_events WHERE status <> 'done'")) === 0, 60_000, 'the inbox to drain');
    const stored = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM wecom_events', { type: QueryTypes.SELECT });
    const applied = await db.query<{ external_userid: string; transfer_fail_reason: string | null }>(
      "SELECT external_userid, transfer_fail_reason FROM wecom_follow_relations WHERE external_userid LIKE 'wmCRASH%'",
      { type: QueryTypes.SELECT },
    );
    const reasons = new Map(applied.map((r) => [r.external_userid, r.transfer_fail_reason]));
    const attempts = await db.query<{ attempts: number }>('SELECT attempts FROM wecom_events', { type: QueryTypes.SELECT });
    main.child.kill('SIGTERM');
    await main.exited;
    main = undefined;

    expect(acknowledged.length).toBeGreaterThanOrEqual(EVENTS / 2);
    expect(acknowledged.length).toBeLessThan(EVENTS);
    expect(beforeRestart).toBeGreaterThan(0); // the kill really left work behind
    expect(Number(stored[0]!.n)).toBeGreaterThanOrEqual(acknowledged.length);
    for (const i of acknowledged) expect(reasons.get(`wmCRASH${i}`)).toBe(`reason-${i}`);
    // Each event committed its effect together with `done`: never applied by two attempts.
    expect(attempts.every((a) => Number(a.attempts) <= 2)).toBe(true);
  }, 180_000);
});

async function count(db: Sequelize, sql: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, { type: QueryTypes.SELECT });
  return Number(row?.n ?? 0);
}
