/**
 * `npm run sync:org` / `npm run sync:external` [-- --employees 10000 --departments 1000
 * --external-contacts 100000]: one full sync with a terminal progress bar. Live mode syncs from
 * WeCom; simulator mode from an in-process simulator holding the demo corp, or a generated corp
 * of the given size (for measuring).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadConfigFromProcess } from '../config';
import { createServices } from '../server/container';
import { migrateUp, openDatabase } from '../server/db';
import { SqlKvStore } from '../server/db/kv-store';
import { createLogger } from '../server/logger';
import { getSyncRun } from '../server/modules/sync-runs/service';
import { createWecomClient } from '../server/wecom';
import { ProgressBar } from './progress-bar';
import { createWecomSimulator, generateCorp, simulatorOptionsFor } from './wecom-simulator/index';

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { employees: { type: 'string' }, departments: { type: 'string' }, 'external-contacts': { type: 'string' } },
  });
  const kind = positionals[0];
  if (kind !== 'org' && kind !== 'external') throw new Error('usage: tsx scripts/sync.ts org|external [--employees N …]');
  const config = loadConfigFromProcess();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const sequelize = await openDatabase(config.database);
  await migrateUp(sequelize);

  let apiBase = config.wecom.apiBase;
  let stopSimulator = async () => {};
  if (config.wecom.mode === 'simulator') {
    const corp = generateCorp({
      employees: values.employees ? Number(values.employees) : undefined,
      departments: values.departments ? Number(values.departments) : undefined,
      externalContacts: values['external-contacts'] ? Number(values['external-contacts']) : undefined,
    });
    const simulator = createWecomSimulator({ ...simulatorOptionsFor(config), corp });
    const server = createServer(simulator.listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stopSimulator = () => new Promise((r) => server.close(() => r()));
    process.stdout.write(
      `Simulator corp: ${corp.users.length} employees, ${corp.departments.length} departments, ${corp.externalContacts.length} external contacts\n`,
    );
  }
  const wecom = createWecomClient(config, new SqlKvStore(sequelize), logger, apiBase);

  const started = Date.now();
  const actor = { userId: null, label: 'cli' };
  // Matching is the external sync's business too: leads and links are made as the admin API's run makes them.
  const services = createServices(config, logger, sequelize, { wecom });
  const { run, done } = kind === 'org' ? await services.startOrgSync(actor) : await services.startExternalContactSync(actor);
  const bar = new ProgressBar();
  const timer = setInterval(
    () =>
      void getSyncRun(sequelize, run.kind, run.id)
        .then((r) => bar.draw(r.progress, r.phase ?? ''))
        .catch(() => {}),
    200,
  );
  const finished = await done;
  clearInterval(timer);
  bar.draw(finished.progress, finished.phase ?? '');
  bar.end();
  const c = finished.counts;
  process.stdout.write(
    `${finished.status === 'succeeded' ? '同步完成' : '同步失败'} in ${((Date.now() - started) / 1000).toFixed(1)} s — ` +
      `新增 ${c.created}，更新 ${c.updated}，未变 ${c.unchanged}，离职/删除 ${c.left}\n`,
  );
  if (finished.error) process.stderr.write(`${finished.error}\n`);
  await stopSimulator();
  await sequelize.close();
  return finished.status === 'succeeded' ? 0 : 1;
}

run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
