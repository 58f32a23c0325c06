/**
 * Process entry: config -> database -> migrations -> services -> HTTP server + background work.
 * Shuts down cleanly on SIGTERM/SIGINT: stop accepting, let in-flight requests and background
 * work finish, close the database.
 *
 * The WeCom simulator and the demo seed are not the server's: in demo mode `scripts/start.ts`
 * (`npm start`) hands them in through `ProcessExtras`. Run directly, this file serves live mode —
 * or simulator mode against a simulator running elsewhere (`WECOM_API_BASE`).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { resolve } from 'node:path';
import { ConfigError, describeConfig, loadConfigFromProcess, type Config } from '../config';
import { createApp } from './app';
import { createServices, type Services } from './container';
import { migrateUp, openDatabase } from './db';
import { createLogger, type Logger } from './logger';

const SHUTDOWN_GRACE_MS = 10_000;

/** A WeCom stand-in running inside this process (simulator mode). */
export interface InProcessWecom {
  /** Answers WeCom's paths; mounted at /__wecom. */
  listener: RequestListener;
  /** Points its callbacks at our callback URL (after WeCom's URL check); false if the check failed. */
  connect(callbackUrl: string): Promise<boolean>;
}

export interface ProcessExtras {
  /** Simulator mode: the in-process WeCom for this configuration. */
  wecom?: (config: Config, logger: Logger) => InProcessWecom;
  /**
   * Simulator mode, first start: fills the demo corp and CRM (tracks its work with `track`).
   * Resolves once the work is under way, with `settled`: the promise of its end.
   */
  seedDemo?: (services: Services, track: (task: Promise<unknown>) => void) => Promise<{ settled: Promise<unknown> }>;
  /** A few lines for the person who just ran `npm start`, printed before the JSON logs. */
  banner?: (config: Config) => string;
}

export async function main(extras: ProcessExtras = {}): Promise<void> {
  let config: Config;
  try {
    config = loadConfigFromProcess();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  if (extras.banner) process.stdout.write(extras.banner(config));
  const logger = createLogger(config.logLevel);
  logger.info({ config: describeConfig(config) }, 'starting wecom-crm');
  if (config.wecom.mode === 'simulator') {
    logger.info(
      {
        corpId: config.wecom.corpId,
        callbackUrl: `${config.publicUrl}/api/wecom/callback`,
        callbackToken: config.wecom.callbackToken,
        encodingAesKey: config.wecom.callbackAesKey,
      },
      'WeCom simulator mode: demo corp credentials (not secrets; they only work against the simulator)',
    );
  }

  const sequelize = await openDatabase(config.database, logger);
  const applied = await migrateUp(sequelize, { logger });
  logger.info({ applied: applied.length }, 'migrations up to date');

  const services = createServices(config, logger, sequelize);
  const inProcess = config.wecom.mode === 'simulator' ? extras.wecom?.(config, logger) : undefined;
  // Work that outlives its request (sync runs): shutdown waits for it within the grace period.
  const background = new Set<Promise<unknown>>();
  // Nobody else awaits a tracked task: one that rejects is logged here, never left unhandled (an
  // unhandled rejection ends the process — every request with it).
  const track = (task: Promise<unknown>) => {
    background.add(task);
    task.then(
      () => background.delete(task),
      (err: unknown) => {
        background.delete(task);
        logger.error({ err }, 'background task failed');
      },
    );
  };
  const app = createApp(services, { wecomSimulator: inProcess?.listener, onBackgroundTask: track, h5Dir: resolve(__dirname, '../h5/dist') });
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000; // longer than typical load-balancer idle timeouts
  await listen(server, config.port);
  // Signals are handled from the moment we accept connections, before any start-up work below.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const forceTimer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    forceTimer.unref();
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeIdleConnections();
    });
    await Promise.race([
      Promise.allSettled([
        ...background,
        services.worker.stop(),
        services.reminders.stop(),
        services.approvals.stop(),
        services.poolRecycler.stop(),
        services.jobs.stop(),
        services.welcome.settled(),
      ]),
      new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref()),
    ]);
    await sequelize.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  logger.info({ url: config.publicUrl, port: config.port }, 'listening');
  if (config.events.worker) {
    services.worker.start();
    services.jobs.start();
  }
  // Start-up work besides migrations: the demo corp's first org sync and its CRM data.
  let startupWork: Promise<unknown> = Promise.resolve();
  if (inProcess) {
    try {
      // The simulator reports its changes to our callback URL, as WeCom would once configured.
      if (!(await inProcess.connect(`http://127.0.0.1:${config.port}/api/wecom/callback`))) logger.warn('simulator could not verify our callback URL');
      if (config.demoData && extras.seedDemo) startupWork = (await extras.seedDemo(services, track)).settled;
    } catch (err) {
      if (!stopping) throw err; // a signal arrived mid start-up: shutdown is already under way
    }
  }
  // Reminders only once the start-up work is done: a first start after the digest time would
  // otherwise take the day's digest before the people and customers it is for exist (issue 29).
  if (config.events.worker) {
    void startupWork
      .catch(() => undefined) // failed seeding is logged where it failed; reminders run regardless
      .then(() => {
        if (stopping) return;
        services.reminders.start();
        services.approvals.start();
        services.poolRecycler.start();
      });
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, () => {
      server.off('error', fail);
      done();
    });
  });
}

/** Entry points call this: a failure to start is one line on stderr and exit code 1. */
export function runMain(extras: ProcessExtras = {}): void {
  main(extras).catch((err: unknown) => {
    process.stderr.write(`wecom-crm failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}

if (require.main === module) runMain();
