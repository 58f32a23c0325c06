/**
 * The fixture most API test files share: the real server on a fresh database of `target`
 * (startTestServer: a copy of the run's migrated template), the demo org synced, and a CrmClient
 * that logs in as the demo employees. Registers its own beforeAll / afterAll (beforeEach /
 * afterEach with `perTest`); a file's own set-up goes in a beforeAll registered after it, which jest
 * runs after this one.
 *
 *   describe.each(databaseTargets())('… on $label', (target) => {
 *     const { server, api } = useCrmServer(target, { settings: { autoCreateLeads: false } });
 *     it('…', async () => { expect((await (await api.as('admin')).fetch('/api/me')).status).toBe(200); });
 *   });
 *
 * `server` and `api` stand for the server and client of the running test: a file takes them once,
 * and with `perTest` each test meets its own.
 */
import { QueryTypes } from 'sequelize';
import type { CorpSettings } from '@shared/settings';
import { crmClient, type CrmClient } from './crm';
import type { DatabaseTarget } from './database';
import { startTestServer, syncExternalContacts, syncOrg, type TestServer, type TestServerOptions } from './server';

export interface CrmServerOptions extends Omit<TestServerOptions, 'target'> {
  /** Sync the simulated corp's org before the tests (default: yes). */
  syncOrg?: boolean;
  /** Corp settings the admin sets after the org sync (before the external-contact sync). */
  settings?: Partial<CorpSettings>;
  /** Run a full external-contact sync last (default: no). */
  syncExternalContacts?: boolean;
  /** A new server and database for every test instead of one for the file. */
  perTest?: boolean;
}

export interface CrmServer {
  server: TestServer;
  api: CrmClient;
  /** The `n` of a `SELECT COUNT(*) AS n …` on the server's database. */
  count(sql: string, params?: unknown[]): Promise<number>;
}

export function useCrmServer(target: DatabaseTarget, options: CrmServerOptions = {}): CrmServer {
  const { syncOrg: withOrg = true, settings, syncExternalContacts: withContacts = false, perTest = false, ...serverOptions } = options;
  let current: { server: TestServer; api: CrmClient } | undefined;
  const server = lateBound('server', () => current?.server);

  const start = async () => {
    const started = await startTestServer({ target, ...serverOptions });
    current = { server: started, api: crmClient(started) };
    if (withOrg) await syncOrg(started);
    if (settings) await current.api.send('admin', 'PATCH', '/api/admin/settings', settings, 200);
    if (withContacts) await syncExternalContacts(started);
  };
  const stop = async () => {
    const running = current;
    current = undefined;
    await running?.server.close();
  };
  if (perTest) {
    beforeEach(start);
    afterEach(stop);
  } else {
    beforeAll(start);
    afterAll(stop);
  }

  return {
    server,
    api: lateBound('client', () => current?.api),
    async count(sql, params = []) {
      const [row] = await server.db.sequelize.query<{ n: number | string }>(sql, { replacements: params, type: QueryTypes.SELECT });
      return Number(row!.n);
    },
  };
}

/** An object that stands for what `now()` gives when one of its members is read (the fixture makes it in a hook, after the file took it). */
function lateBound<T extends object>(what: string, now: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = now();
      if (!target) throw new Error(`useCrmServer: the ${what} is only there inside tests`);
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
