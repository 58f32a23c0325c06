/**
 * Starts the real Koa app on an ephemeral port against a real (scratch) database.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Koa from 'koa';
import { loadConfig, type Config } from '../../config';
import { createApp } from '../../server/app';
import { createServices, type Services } from '../../server/container';
import { SYSTEM_ACTOR } from '../../server/modules/audit/service';
import type { SyncRunJson } from '@shared/sync';
import { createLogger, type Logger } from '../../server/logger';
import type { EventWorker, WorkerOptions } from '../../server/modules/wecom-events/worker';
import { SqlKvStore } from '../../server/db/kv-store';
import { WecomClient } from '../../server/wecom';
import { CallbackCrypto } from '../../server/wecom/callback-crypto';
import type { WecomClientOptions } from '../../server/wecom/client';
import { createWecomSimulator, simulatorOptionsFor, type SimulatorOptions, type WecomSimulator } from '../../scripts/wecom-simulator/index';
import { createScratchDatabase, type DatabaseTarget, type ScratchDatabase } from './database';

/** The built H5 the browser tests serve; `TEST_H5_DIST` points at another build (parallel work on the H5). */
export const H5_DIST = process.env.TEST_H5_DIST ? resolve(process.env.TEST_H5_DIST) : resolve(__dirname, '../../h5/dist');

/** Browser tests serve the built H5: fail clearly when it has not been built. */
export function requireH5Build(): void {
  if (!existsSync(join(H5_DIST, 'index.html'))) {
    throw new Error('h5/dist is missing: run `npm run build:h5` first (npm test does).');
  }
}

export interface TestServer {
  baseUrl: string;
  config: Config;
  db: ScratchDatabase;
  app: Koa;
  logger: Logger;
  wecom: WecomClient;
  /** The in-process simulator mounted at /__wecom, delivering callbacks to this server. */
  simulator: WecomSimulator;
  /** The process's services, as main.ts wires them. */
  services: Services;
  /** The callback event worker (not polling: tests call `drain()`). */
  worker: EventWorker;
  close(): Promise<void>;
}

export interface TestServerOptions {
  target?: DatabaseTarget;
  env?: Record<string, string>;
  serveH5?: boolean;
  simulator?: SimulatorOptions;
  worker?: Partial<WorkerOptions>;
  /**
   * The WeCom client's own options over the configured ones, e.g. `sleep` for a test that runs
   * many calls through an outage: the client's backoff between retries is real time otherwise.
   */
  wecomClient?: Partial<WecomClientOptions>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const db = await createScratchDatabase(options.target ?? { label: 'sqlite' });
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  // The port is only known after listen; PUBLIC_URL is filled in once it is.
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: db.config.url,
    ...options.env,
  });
  const simulator = createWecomSimulator({
    ...simulatorOptionsFor(config),
    callbackUrl: `http://127.0.0.1:${port}/api/wecom/callback`,
    eventRetryDelayMs: 10,
    ...options.simulator,
  });
  const ownClient = options.wecomClient
    ? new WecomClient({
        apiBase: config.wecom.apiBase,
        corpId: config.wecom.corpId,
        agentId: config.wecom.agentId,
        secrets: { agent: config.wecom.agentSecret, contact: config.wecom.contactSecret, external: config.wecom.externalSecret },
        store: new SqlKvStore(db.sequelize),
        logger,
        ...options.wecomClient,
      })
    : undefined;
  const services = createServices(config, logger, db.sequelize, { worker: { retryBaseMs: 0, ...options.worker }, wecom: ownClient });
  const { wecom, worker } = services;
  // The requests still being handled and the work they started (an import, a sync), as main.ts tracks
  // them: a handler or an import outlives its client (a test that hangs up mid-upload, a poll cut by the
  // test's end), and closing the database under it failed the file after its tests had passed.
  const handling = new Set<Promise<unknown>>();
  const track = (task: Promise<unknown>) => {
    const done = task.catch(() => undefined);
    handling.add(done);
    void done.finally(() => handling.delete(done));
  };
  const app = createApp(services, { wecomSimulator: simulator.listener, onBackgroundTask: track, h5Dir: options.serveH5 ? H5_DIST : undefined });
  const handle = app.callback();
  server.on('request', (req, res) => track(Promise.resolve(handle(req, res))));
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    db,
    app,
    logger,
    wecom,
    simulator,
    services,
    worker,
    async close() {
      await worker.stop();
      await services.welcome.settled();
      await closeServer(server);
      // A request may start more work while the first ones end: wait until none is left.
      while (handling.size > 0) await Promise.all(handling);
      await db.drop();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}

/** Delivers the simulator's pending callbacks and lets the worker apply them. */
export async function deliverCallbacks(server: TestServer): Promise<void> {
  await server.simulator.events.flush();
  await server.services.welcome.settled();
  await server.worker.drain();
}

/** A full external-contact sync (tags, contacts, groups) with matching, as the admin API runs it. */
export async function syncExternalContacts(server: TestServer): Promise<SyncRunJson> {
  return (await server.services.startExternalContactSync(SYSTEM_ACTOR)).done;
}

/** A full org sync of the server's simulated corp, as the admin API runs it. */
export async function syncOrg(server: TestServer): Promise<SyncRunJson> {
  return (await server.services.startOrgSync(SYSTEM_ACTOR)).done;
}

/** Seals callbacks as WeCom does for `server`: its callback token and key, its corp. */
export function callbackCryptoOf(server: TestServer): CallbackCrypto {
  const { callbackToken, callbackAesKey, corpId } = server.config.wecom;
  return new CallbackCrypto({ token: callbackToken, encodingAesKey: callbackAesKey, receiveId: corpId });
}
