/**
 * Process entry: config -> database -> migrations -> HTTP server. Shuts down cleanly on
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database.
 */
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { ConfigError, describeConfig, loadConfigFromProcess, type Config } from '../config';
import { createApp } from './app';
import { migrateUp, openDatabase } from './db';
import { QueryTypes } from 'sequelize';
import { SqlKvStore } from './db/kv-store';
import { SYSTEM_ACTOR } from './modules/audit/service';
import { startOrgSync, type OrgSyncDeps } from './modules/org/sync';
import { matchingHooks } from './modules/matching/hooks';
import type { ExternalContactHooks } from './modules/wecom-events/handlers';
import { startExternalContactSync } from './modules/wecom-mirror/sync';
import { settingDefaults } from './modules/settings/service';
import { EventWorker } from './modules/wecom-events/worker';
import { ReminderScheduler } from './modules/reminders/scheduler';
import { createLogger } from './logger';
import { createWecomClient } from './wecom';
import { identitiesOf, seedDemoCrm } from '../scripts/demo-data';
import { createWecomSimulator, simulatorOptionsFor, type WecomSimulator } from '../scripts/wecom-simulator/index';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
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

  const wecom = createWecomClient(config, new SqlKvStore(sequelize), logger);
  const simulator = config.wecom.mode === 'simulator' ? createWecomSimulator(simulatorOptionsFor(config)) : undefined;
  // Work that outlives its request (sync runs): shutdown waits for it within the grace period.
  const background = new Set<Promise<unknown>>();
  const track = (task: Promise<unknown>) => {
    background.add(task);
    void task.finally(() => background.delete(task));
  };
  const bootstrap = { adminUserIds: config.wecom.adminUserIds };
  const hooks = matchingHooks(sequelize, settingDefaults(config));
  const worker = new EventWorker(
    { sequelize, wecom, logger, bootstrap, hooks },
    {
      maxAttempts: config.events.maxAttempts,
      reclaimAfterMs: config.events.reclaimAfterMs,
    },
  );
  // Reminders run wherever the event worker does: both are this process's background work.
  const reminders = new ReminderScheduler({ sequelize, wecom, logger, publicUrl: config.publicUrl, settingDefaults: settingDefaults(config) });
  const app = createApp({
    config,
    sequelize,
    logger,
    wecom,
    reminders,
    wecomSimulator: simulator?.listener,
    onBackgroundTask: track,
    onEventStored: () => worker.nudge(),
    h5Dir: resolve(__dirname, '../h5/dist'),
  });
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
    await Promise.race([Promise.allSettled([...background, worker.stop(), reminders.stop()]), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
    await sequelize.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  logger.info({ url: config.publicUrl, port: config.port }, 'listening');
  if (config.events.worker) {
    worker.start();
    reminders.start();
  }
  if (simulator) {
    try {
      // The simulator reports its changes to our callback URL, as WeCom would once configured.
      const callbackUrl = `http://127.0.0.1:${config.port}/api/wecom/callback`;
      const check = await simulator.events.verifyUrl(callbackUrl);
      if (check.ok) simulator.events.callbackUrl = callbackUrl;
      else logger.warn({ answer: check.answer }, 'simulator could not verify our callback URL');
      if (config.demoData) await seedDemo({ sequelize, wecom, logger, bootstrap, hooks }, simulator, track);
    } catch (err) {
      if (!stopping) throw err; // a signal arrived mid start-up: shutdown is already under way
    }
  }
}

/**
 * Demo mode, first start: sync the simulator's demo corp (so every demo login works), seed the
 * demo CRM (its customers include the people the demo reps chat with), then run the first
 * external-contact sync, which links those contacts to their customers by remark mobile and
 * turns the rest into leads.
 */
async function seedDemo(
  deps: OrgSyncDeps & { hooks: ExternalContactHooks },
  simulator: WecomSimulator,
  track: (task: Promise<unknown>) => void,
): Promise<void> {
  const { sequelize, logger } = deps;
  const seedCrm = async () => {
    try {
      const summary = await seedDemoCrm(sequelize, { wecomIdentities: identitiesOf(simulator.state.externalContacts.values()) });
      if (!summary) return;
      logger.info({ summary }, 'demo CRM data seeded');
      const run = await (await startExternalContactSync(deps, SYSTEM_ACTOR)).done;
      logger.info({ runId: run.id, status: run.status }, 'demo WeCom contacts synced and matched');
    } catch (err) {
      // The CRM data is one transaction: nothing half-written, and the next start tries again.
      logger.error({ err }, 'demo CRM data could not be seeded');
    }
  };
  const [row] = await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM users', { type: QueryTypes.SELECT });
  if (Number(row?.n) > 0) {
    track(seedCrm());
    return;
  }
  const { done } = await startOrgSync(deps, SYSTEM_ACTOR);
  track(
    done.then(async (run) => {
      logger.info({ runId: run.id, status: run.status }, 'demo org synced from the simulator');
      if (run.status === 'succeeded') await seedCrm();
    }),
  );
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

main().catch((err: unknown) => {
  process.stderr.write(`wecom-crm failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
