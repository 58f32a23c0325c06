/**
 * The set-up every browser test file shares: the built H5 served by a test server (the demo org
 * synced, and the demo CRM seeded when asked) and one Chromium. Registers its own beforeAll /
 * afterAll; the returned object is filled in before the first test runs.
 */
import type { Browser } from 'playwright-core';
import { seedDemoCrm } from '../../scripts/demo-data';
import { launchBrowser } from './browser';
import { requireH5Build, startTestServer, syncOrg, type TestServer } from './server';

export interface H5Suite {
  server: TestServer;
  browser: Browser;
}

export function useH5Suite(options: { syncOrg?: boolean; seedCrm?: boolean; setUp?: (suite: H5Suite) => Promise<void> } = {}): H5Suite {
  const suite = {} as H5Suite;
  beforeAll(async () => {
    requireH5Build();
    suite.server = await startTestServer({ serveH5: true });
    if (options.syncOrg ?? true) await syncOrg(suite.server);
    if (options.seedCrm) await seedDemoCrm(suite.server.db.sequelize);
    suite.browser = await launchBrowser();
    await options.setUp?.(suite);
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
