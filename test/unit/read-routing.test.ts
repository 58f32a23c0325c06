/**
 * Which requests may read a replica (server/http/read-routing.ts) and read-your-writes: after a
 * write, the browser's reads stay on the primary. A Koa app whose handler reports the routing.
 */
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadConfig } from '../../config';
import { replicaReadsAllowed } from '../../server/db/replicas';
import { readRouting, WROTE_COOKIE } from '../../server/http/read-routing';

describe('read routing', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = new Koa();
    app.use(readRouting({ enabled: true, secure: false }));
    app.use((ctx) => {
      ctx.body = { replica: replicaReadsAllowed() };
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const replica = async (path: string, init: RequestInit = {}) => ((await (await fetch(`${base}${path}`, init)).json()) as { replica: boolean }).replica;

  it('lets dashboards, exports and lists read a replica', async () => {
    expect([await replica('/api/dashboard/customers'), await replica('/api/customers/export.xlsx'), await replica('/api/customers')]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('keeps the sidebar card and single records on the primary', async () => {
    expect([await replica('/api/sidebar/external-contacts/wm1'), await replica('/api/customers/12')]).toEqual([false, false]);
  });

  it('keeps a browser that just wrote on the primary, and marks writes with the cookie', async () => {
    const write = await fetch(`${base}/api/customers`, { method: 'POST' });
    const cookie = write.headers.get('set-cookie')!.split(';')[0]!;

    expect(cookie.startsWith(`${WROTE_COOKIE}=`)).toBe(true);
    expect(await replica('/api/customers', { headers: { cookie } })).toBe(false);
    expect(await replica('/api/customers', { headers: { cookie: `${WROTE_COOKIE}=${Date.now() - 31_000}` } })).toBe(true);
  });
});

describe('DATABASE_READ_URLS', () => {
  it('lists the replicas of a MySQL primary', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://u:p@primary:3306/crm', DATABASE_READ_URLS: 'mysql://u:p@r1:3306/crm, mysql://u:p@r2:3306/crm' });

    expect(config.database).toEqual({
      dialect: 'mysql',
      url: 'mysql://u:p@primary:3306/crm',
      readUrls: ['mysql://u:p@r1:3306/crm', 'mysql://u:p@r2:3306/crm'],
    });
  });

  it('refuses replicas that are not MySQL URLs, without printing them', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:p@primary:3306/crm', DATABASE_READ_URLS: 'postgres://u:secret@r1/crm' })).toThrow(
      /^Invalid configuration: DATABASE_READ_URLS must be comma-separated mysql:\/\/.*URLs of read replicas$/,
    );
  });

  it('refuses replicas of a SQLite database', () => {
    expect(() => loadConfig({ DATABASE_URL: 'sqlite::memory:', DATABASE_READ_URLS: 'mysql://u:p@r1:3306/crm' })).toThrow(/DATABASE_READ_URLS/);
  });
});
