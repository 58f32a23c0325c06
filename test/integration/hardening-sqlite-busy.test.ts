/**
 * The embedded default holds parallel writes (issue 29): on a file-backed SQLite, as `npm start`
 * opens it, 1 of 20 parallel role edits answered 500 SQLITE_BUSY and two callbacks 7 ms apart
 * logged "database is locked". Sequelize opens a connection per transaction on a file, and only
 * the first had a busy timeout; deferred transactions that read before writing could not take
 * the write lock another connection held. SQLite only: the in-memory test database has one
 * connection and cannot show it; MySQL has row locks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import type { RoleView } from '@shared/permissions';
import { crmClient, type CrmClient } from '../helpers/crm';
import { deliverCallbacks, startTestServer, syncOrg, type TestServer } from '../helpers/server';

describe('parallel writes on a file-backed SQLite', () => {
  let dir: string;
  let server: TestServer;
  let api: CrmClient;
  let role: RoleView;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wcrm-busy-'));
    server = await startTestServer({ target: { label: 'sqlite', sqliteFile: join(dir, 'crm.sqlite') } });
    await syncOrg(server);
    api = crmClient(server);
    role = await api.send<RoleView>('admin', 'POST', '/api/admin/roles', {
      code: 'busy-test',
      name: '并发测试',
      dataScope: 'self',
      permissions: ['customer.read'],
    });
    // Log everyone in first: the writes below are what runs in parallel, not the logins.
    for (const userid of ['admin', 'rep-east-1', 'rep-east-2', 'rep-south-1']) await api.as(userid);
    // Background work `npm start` runs beside the API, claiming rows on its own (the event worker
    // is drained by the test instead, so that it knows when the callbacks are applied).
    server.services.reminders.start();
    server.services.jobs.start();
  });
  afterAll(async () => {
    await Promise.all([server.services.reminders.stop(), server.services.jobs.stop()]);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the file in WAL mode with a busy timeout on every connection, transactions included', async () => {
    const { sequelize } = server.db;
    const outside = await sequelize.query<{ timeout: number }>('PRAGMA busy_timeout', { type: QueryTypes.SELECT });
    const inside = await sequelize.transaction((transaction) =>
      sequelize.query<{ timeout: number }>('PRAGMA busy_timeout', { type: QueryTypes.SELECT, transaction }),
    );

    const [journal] = await sequelize.query<{ journal_mode: string }>('PRAGMA journal_mode', { type: QueryTypes.SELECT });
    expect(journal!.journal_mode).toBe('wal');
    expect(Number(outside[0]!.timeout)).toBeGreaterThanOrEqual(5000);
    expect(Number(inside[0]!.timeout)).toBeGreaterThanOrEqual(5000);
  });

  it('answers 20 parallel role edits without a 500', async () => {
    const admin = await api.as('admin');

    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => admin.json(`/api/admin/roles/${role.id}`, 'PATCH', { name: `并发测试 ${i}` }).then((r) => r.status)),
    );

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('answers parallel writes of several kinds without a 500', async () => {
    const admin = await api.as('admin');
    const writes: Promise<Response>[] = [];
    for (let i = 0; i < 6; i++) {
      writes.push(admin.json(`/api/admin/roles/${role.id}`, 'PATCH', { name: `混合 ${i}` }));
      writes.push(admin.json('/api/admin/settings', 'PATCH', { staleDays: 30 + i }));
      for (const rep of ['rep-east-1', 'rep-east-2', 'rep-south-1']) {
        writes.push((await api.as(rep)).json('/api/customers', 'POST', { type: 'individual', name: `并发客户 ${rep} ${i}` }));
      }
      writes.push(admin.json(`/api/admin/users/${await api.userId('rep-east-2')}/roles`, 'PUT', { roles: i % 2 ? ['sales'] : ['sales', 'busy-test'] }));
    }

    const statuses = await Promise.all(writes.map((w) => w.then((r) => r.status)));

    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(18);
  });

  it('stores and applies callbacks that arrive while the API writes', async () => {
    const admin = await api.as('admin');
    for (let i = 0; i < 10; i++) server.simulator.state.updateUser('rep-east-3', { position: `岗位 ${i}` });

    const [edits] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, (_, i) => admin.json(`/api/admin/roles/${role.id}`, 'PATCH', { name: `回调期间 ${i}` }).then((r) => r.status))),
      deliverCallbacks(server),
    ]);

    expect(edits.filter((s) => s !== 200)).toEqual([]);
    const [failed] = await server.db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM wecom_events WHERE status <> 'done'", {
      type: QueryTypes.SELECT,
    });
    expect(Number(failed!.n)).toBe(0);
    const [member] = await server.db.sequelize.query<{ position: string }>("SELECT position FROM users WHERE wecom_userid = 'rep-east-3'", {
      type: QueryTypes.SELECT,
    });
    expect(member!.position).toBe('岗位 9');
  });
});
