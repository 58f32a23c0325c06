/**
 * The scheduler starts after the start-up work (issue 29): `npm start` on a fresh database after
 * the digest time queued the day's digest for 0 people, before the demo corp and its customers
 * existed. A real server process on a file-backed SQLite, its clock at a Monday 10:00 China time.
 */
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { freePort, startMain, useCrashHarness, waitFor } from '../helpers/process';

const MONDAY_10_CLOCK = join(__dirname, '../fixtures/clock/china-monday-10.mjs');

describe('a first start after the digest time', () => {
  const harness = useCrashHarness({ label: 'sqlite' });

  it('queues the day’s digest for the demo corp’s people once the demo data is in', async () => {
    const port = await freePort();
    const main = (harness.main = startMain({ PORT: String(port), DATABASE_URL: harness.url }, ['--import', MONDAY_10_CLOCK]));
    await waitFor(() => main.output().includes('demo WeCom contacts synced and matched'), 90_000, 'the demo data').catch((err: Error) => {
      throw new Error(`${err.message}; it printed:\n${main.output().slice(-3000)}`);
    });
    const db = await harness.db();
    const runs = () => db.query<{ day: string; queued: number }>('SELECT day, queued FROM digest_runs', { type: QueryTypes.SELECT });
    await waitFor(async () => (await runs()).length > 0, 30_000, 'the day’s digest run');

    const [run] = await runs();
    const [digests] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'digest'", { type: QueryTypes.SELECT });
    main.child.kill('SIGTERM');
    await main.exited;

    expect(run!.day).toBe('2026-11-23');
    expect(Number(run!.queued)).toBeGreaterThan(0);
    expect(Number(digests!.n)).toBe(Number(run!.queued));
  }, 150_000);
});
