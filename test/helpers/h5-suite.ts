/**
 * The set-up every browser test file shares: the built H5 served by a test server (the demo org
 * synced, and the demo CRM seeded when asked) and one Chromium. Registers its own beforeAll /
 * afterAll; the returned object is filled in before the first test runs.
 */
import type { Browser } from 'playwright-core';
import { identitiesOf, seedDemoCrm } from '../../scripts/demo-data';
import { launchBrowser } from './browser';
import { requireH5Build, startTestServer, syncExternalContacts, syncOrg, type TestServer, type TestServerOptions } from './server';

export interface H5Suite {
  server: TestServer;
  browser: Browser;
}

export interface H5SuiteOptions {
  /** The test server's options besides the H5 it serves (e.g. the simulator's). */
  server?: Omit<TestServerOptions, 'serveH5'>;
  /** Sync the simulated corp's org (default: yes). */
  syncOrg?: boolean;
  /**
   * Seed the demo CRM; `'linked'` seeds it with the phones of the simulator's WeCom contacts and
   * runs the external-contact sync, so that demo customers are linked to the contacts.
   */
  seedCrm?: boolean | 'linked';
  setUp?: (suite: H5Suite) => Promise<void>;
  /** For the whole set-up, `setUp` included. */
  timeoutMs?: number;
}

export function useH5Suite(options: H5SuiteOptions = {}): H5Suite {
  const suite = {} as H5Suite;
  beforeAll(async () => {
    requireH5Build();
    const server = (suite.server = await startTestServer({ ...options.server, serveH5: true }));
    if (options.syncOrg ?? true) await syncOrg(server);
    if (options.seedCrm === 'linked') {
      await seedDemoCrm(server.db.sequelize, { wecomIdentities: identitiesOf(server.simulator.state.externalContacts.values()) });
      await syncExternalContacts(server);
    } else if (options.seedCrm) {
      await seedDemoCrm(server.db.sequelize);
    }
    suite.browser = await launchBrowser();
    await options.setUp?.(suite);
  }, options.timeoutMs ?? 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
