import { QueryTypes, type Sequelize } from 'sequelize';
import { SIMULATOR_DEFAULTS as d } from '../../config/simulator-defaults';
import { CallbackCrypto } from '../../server/wecom/callback-crypto';
import { buildCallbackXml } from '../../server/wecom/xml';
import { databaseTargets } from '../helpers/database';
import { bootMain, freePort, useCrashHarness, waitFor } from '../helpers/process';

const EVENTS = 300;

/**
 * A server receiving a burst of callbacks (each event delivered 1–3 times, as WeCom retries) is
 * killed with SIGKILL after a third and after two thirds of the deliveries, and started again
 * each time: every event it acknowledged with `success` must end up applied, exactly once.
 */
describe.each(databaseTargets())('crash safety of the callback inbox on $label', (target) => {
  const harness = useCrashHarness(target);

  it('applies every acknowledged event exactly once across two SIGKILLs', async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: harness.url, EVENT_RECLAIM_SECONDS: '2', LOG_LEVEL: 'warn' };
    const boot = () => bootMain({ ...env, LOG_LEVEL: 'info' });
    harness.main = await boot();
    const db = await harness.db();
    await waitFor(async () => Number(await count(db, "SELECT COUNT(*) AS n FROM users WHERE wecom_userid = 'rep-east-1'")) === 1, 30_000, 'the demo org');
    // One relation per event; each transfer_fail event writes its own reason onto its relation.
    for (let i = 0; i < EVENTS; i += 100) {
      const rows = Array.from({ length: Math.min(100, EVENTS - i) }, (_, k) => `('wmCRASH${i + k}', 'rep-east-1', ?, ?)`);
      await db.query(`INSERT INTO wecom_follow_relations (external_userid, userid, created_at, updated_at) VALUES ${rows.join(', ')}`, {
        replacements: rows.flatMap(() => [new Date(), new Date()]),
      });
    }

    const crypto = new CallbackCrypto({ token: d.callbackToken, encodingAesKey: d.callbackAesKey, receiveId: d.corpId });
    const sealed = Array.from({ length: EVENTS }, (_, i) =>
      crypto.seal(
        buildCallbackXml({
          ToUserName: d.corpId,
          FromUserName: 'sys',
          CreateTime: 1760000000,
          MsgType: 'event',
          Event: 'change_external_contact',
          ChangeType: 'transfer_fail',
          UserID: 'rep-east-1',
          ExternalUserID: `wmCRASH${i}`,
          FailReason: `reason-${i}`,
        }),
      ),
    );
    // Event i is delivered 1 + (i mod 3) times, the deliveries interleaved.
    const deliveries = sealed.flatMap((_, i) => Array.from({ length: 1 + (i % 3) }, () => i)).sort((a, b) => ((a * 7919) % 601) - ((b * 7919) % 601) || a - b);
    const acknowledged = new Set<number>();
    let delivered = 0;
    // Like WeCom, a sender retries a delivery until it is acknowledged (here sooner and without limit).
    const send = async (i: number) => {
      const { query, body } = sealed[i]!;
      for (;;) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/wecom/callback?${new URLSearchParams(query)}`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'text/xml' },
          });
          if (res.status === 200 && (await res.text()) === 'success') break;
        } catch {
          // the server died under this request, or is down: not acknowledged
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      acknowledged.add(i);
      delivered++;
    };
    const burst = (async () => {
      for (let k = 0; k < deliveries.length; k += 10) await Promise.all(deliveries.slice(k, k + 10).map(send));
    })();
    const leftBehind: number[] = [];
    for (const share of [1 / 3, 2 / 3]) {
      await waitFor(() => delivered >= deliveries.length * share, 60_000, `${Math.round(share * 100)}% of the deliveries`);
      harness.main.child.kill('SIGKILL');
      await harness.main.exited;
      leftBehind.push(await count(db, "SELECT COUNT(*) AS n FROM wecom_events WHERE status <> 'done'"));
      harness.main = await boot();
    }
    await burst;
    await waitFor(async () => (await count(db, "SELECT COUNT(*) AS n FROM wecom_events WHERE status <> 'done'")) === 0, 60_000, 'the inbox to drain');
    const stored = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM wecom_events', { type: QueryTypes.SELECT });
    const applied = await db.query<{ external_userid: string; transfer_fail_reason: string | null }>(
      "SELECT external_userid, transfer_fail_reason FROM wecom_follow_relations WHERE external_userid LIKE 'wmCRASH%'",
      { type: QueryTypes.SELECT },
    );
    const reasons = new Map(applied.map((r) => [r.external_userid, r.transfer_fail_reason]));
    const attempts = await db.query<{ attempts: number }>('SELECT attempts FROM wecom_events', { type: QueryTypes.SELECT });
    harness.main.child.kill('SIGTERM');
    await harness.main.exited;
    harness.main = undefined;

    expect(acknowledged.size).toBe(EVENTS);
    expect(leftBehind.some((n) => n > 0)).toBe(true); // a kill really left work behind
    // Repeated deliveries collapse into one stored event each.
    expect(Number(stored[0]!.n)).toBeGreaterThanOrEqual(acknowledged.size);
    expect(Number(stored[0]!.n)).toBeLessThanOrEqual(EVENTS);
    const lost = [...acknowledged].filter((i) => reasons.get(`wmCRASH${i}`) !== `reason-${i}`);
    expect(lost).toEqual([]);
    // Each event committed its effect together with `done`: an attempt cut short by a kill applied nothing.
    expect(attempts.every((a) => Number(a.attempts) <= 3)).toBe(true);
  }, 180_000);
});

async function count(db: Sequelize, sql: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, { type: QueryTypes.SELECT });
  return Number(row?.n ?? 0);
}
