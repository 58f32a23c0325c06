/**
 * Process entry: config -> database -> migrations -> HTTP server. Shuts down cleanly on
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database.
 */
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { ConfigError, describeConfig, loadConfigFromProcess, type Config } from '../config';
import { createApp } from './app';
import { migrateUp, openDatabase } from './db';
import { SqlKvStore } from './db/kv-store';
import { createLogger } from './logger';
import { createWecomClient } from './wecom';
import { createWecomSimulator, simulatorOptionsFor } from '../scripts/wecom-simulator/index';

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
  const simulator =
    config.wecom.mode === 'simulator'
      ? createWecomSimulator(simulatorOptionsFor(config))
      : undefined;
  const app = createApp({
    config,
    sequelize,
    logger,
    wecom,
    wecomSimulator: simulator?.listener,
    h5Dir: resolve(__dirname, '../h5/dist'),
  });
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000; // longer than typical load-balancer idle timeouts
  await listen(server, config.port);
  logger.info({ url: config.publicUrl, port: config.port }, 'listening');

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
    await sequelize.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
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
