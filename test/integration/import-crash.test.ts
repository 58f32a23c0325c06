import xlsx from 'node-xlsx';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { ImportJobView } from '@shared/imports';
import { databaseTargets } from '../helpers/database';
import { bootMain, freePort, useCrashHarness, waitFor } from '../helpers/process';
import { Browser } from '../helpers/session';

// Enough batches (120) that the kill, sent as soon as the first batch is in, always lands midway.
const ROWS = 6_000;
const BATCH = 50;

/**
 * A server writing an import is killed with SIGKILL midway and started again: only whole
 * batches are in the database, the job says it was cut off and where, and resuming it writes
 * the rest — every row exactly once.
 */
describe.each(databaseTargets())('an import cut off by a crash on $label', (target) => {
  const harness = useCrashHarness(target);

  it('keeps whole batches, reports the interruption and resumes to exactly every row', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      PUBLIC_URL: base,
      DATABASE_URL: harness.url,
      IMPORT_BATCH_SIZE: String(BATCH),
      IMPORT_STALE_SECONDS: '1',
      SESSION_SECRET: 'import-crash-test-session-secret-0123456789',
      LOG_LEVEL: 'info',
    };
    const boot = () => bootMain(env);
    harness.main = await boot();
    const db = await harness.db();
    await waitFor(async () => (await count(db, "SELECT COUNT(*) AS n FROM users WHERE wecom_userid = 'admin'")) === 1, 30_000, 'the demo org');
    const admin = new Browser(base);
    await admin.login('admin');
    const rows = Array.from({ length: ROWS }, (_, i) => [`断点客户${i}`, `137000${String(i).padStart(5, '0')}`]);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(xlsx.build([{ name: 'Sheet1', data: [['客户名称', '手机号'], ...rows], options: {} }]))]), 'big.xlsx');
    const started = (await (await admin.fetch('/api/imports?kind=customers&dryRun=false', { method: 'POST', body: form })).json()) as ImportJobView;
    const job = () => admin.fetch(`/api/imports/${started.id}`).then((r) => r.json() as Promise<ImportJobView>);

    await waitFor(async () => (await job()).processed >= BATCH, 60_000, 'the first batch');
    harness.main.child.kill('SIGKILL');
    await harness.main.exited;
    const storedAtCrash = await count(db, "SELECT COUNT(*) AS n FROM customers WHERE name LIKE '断点客户%'");
    harness.main = await boot();
    await new Promise((r) => setTimeout(r, 1200)); // the dead runner's heartbeat goes stale
    const cutOff = await job();
    const resumed = await admin.fetch(`/api/imports/${started.id}/resume`, { method: 'POST' });
    await waitFor(async () => (await job()).status === 'succeeded', 120_000, 'the resumed import');
    const done = await job();
    const stored = await count(db, "SELECT COUNT(*) AS n FROM customers WHERE name LIKE '断点客户%'");
    const distinct = await count(db, "SELECT COUNT(DISTINCT phone) AS n FROM customers WHERE name LIKE '断点客户%'");
    harness.main.child.kill('SIGTERM');
    await harness.main.exited;
    harness.main = undefined;

    expect(storedAtCrash).toBeLessThan(ROWS); // the kill really cut the import short
    expect(storedAtCrash % BATCH).toBe(0); // …between batches, never inside one
    expect(cutOff).toMatchObject({ status: 'failed', resumable: true, created: storedAtCrash, processed: storedAtCrash });
    expect(cutOff.error).toContain('导入中断');
    expect(resumed.status).toBe(202);
    expect(done).toMatchObject({ status: 'succeeded', total: ROWS, processed: ROWS, created: ROWS, failed: 0, skipped: 0 });
    expect([stored, distinct]).toEqual([ROWS, ROWS]);
  }, 240_000);
});

async function count(db: Sequelize, sql: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, { type: QueryTypes.SELECT });
  return Number(row?.n ?? 0);
}
