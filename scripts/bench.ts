/**
 * `npm run bench [-- --quick] [--json] [--mysql mysql://root@127.0.0.1:3306/test (or BENCH_DATABASE_URL)]
 *   [--org-employees 2000 --crm-scale 20 --sales-per-purchase 1 --import-rows 50000] [--crm-only | --import-only]`
 *
 * Measures the product's hot paths next to baselines taken in the same run on the same machine
 * (a bare Koa endpoint, a raw mysql2 primary-key read), so ratios hold on a noisy 2-core box.
 * Not a test: it asserts nothing, it prints a table (DESIGN §10).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import Koa from 'koa';
import mysql from 'mysql2/promise';
import { QueryTypes, type Sequelize } from 'sequelize';
import { loadConfig, type Config } from '../config';
import { createApp } from '../server/app';
import { migrateUp, openDatabase } from '../server/db';
import { SqlKvStore } from '../server/db/kv-store';
import { createLogger } from '../server/logger';
import { SYSTEM_ACTOR } from '../server/modules/audit/service';
import { startOrgSync } from '../server/modules/org/sync';
import { createWecomClient } from '../server/wecom';
import type { WecomClient } from '../server/wecom/client';
import { Browser } from '../test/helpers/session';
import { matchingHooks } from '../server/modules/matching/hooks';
import { settingDefaults } from '../server/modules/settings/service';
import { startExternalContactSync } from '../server/modules/wecom-mirror/sync';
import { identitiesOf, seedDemoCrm } from './demo-data';
import { startImport } from '../server/modules/imports/service';
import { buildWorkbook } from '../server/modules/imports/workbook';
import { loadAccess } from '../server/modules/roles/access';
import { CallbackCrypto } from '../server/wecom/callback-crypto';
import { buildCallbackXml } from '../server/wecom/xml';
import { createWecomSimulator, generateCorp, simulatorOptionsFor, type WecomSimulator } from './wecom-simulator/index';

interface Row {
  workload: string;
  figure: string;
  baseline?: string;
  ratio?: string;
}

const rows: Row[] = [];
const logger = createLogger('silent');
let output: 'table' | 'json' = 'table';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mysql: { type: 'string' },
      'org-employees': { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string', default: '32' },
      'crm-scale': { type: 'string' },
      'sales-per-purchase': { type: 'string', default: '1' },
      'crm-only': { type: 'boolean', default: false },
      'import-rows': { type: 'string' },
      'import-only': { type: 'boolean', default: false },
      /** Smaller sizes: the whole run in a few minutes, for a quick look (not for the README). */
      quick: { type: 'boolean', default: false },
      /** The rows as JSON instead of the Markdown table. */
      json: { type: 'boolean', default: false },
    },
  });
  // A size given on the command line wins; otherwise the full or the quick default.
  const size = (given: string | undefined, full: number, quick: number) => Number(given ?? (values.quick ? quick : full));
  values.mysql ??= process.env.BENCH_DATABASE_URL;
  output = values.json ? 'json' : 'table';
  const total = size(values.requests, 4000, 1000);
  const concurrency = Number(values.concurrency);

  // Baseline: the same HTTP path with nothing behind it.
  const bare = new Koa();
  bare.use((ctx) => {
    ctx.body = { ok: true };
  });
  const bareServer = await listen(createServer(bare.callback()));
  const bareStats = await load(`${base(bareServer)}/`, total, concurrency, () => ({ method: 'GET' }));
  bareServer.close();

  const crm = { scale: size(values['crm-scale'], 20, 3), salesPerPurchase: Number(values['sales-per-purchase']) };
  const crmDatabases: [string, string][] = [['SQLite (file)', `sqlite:${join(process.env.TMPDIR ?? '/tmp', `wcrm-bench-crm-${process.pid}.sqlite`)}`]];
  if (values.mysql) crmDatabases.push(['MySQL', scratchMysqlUrl(values.mysql)]);
  const importRows = size(values['import-rows'], 50_000, 5_000);
  if (values['import-only']) {
    for (const [label, url] of crmDatabases) rows.push(...(await benchImport(label, url, importRows)));
    printTable();
    return;
  }
  if (values['crm-only']) {
    for (const [label, url] of crmDatabases) rows.push(...(await benchCrm(label, url, crm, bareStats, concurrency)));
    printTable();
    return;
  }

  const databases: [string, string][] = [['SQLite (file)', `sqlite:${join(process.env.TMPDIR ?? '/tmp', `wcrm-bench-${process.pid}.sqlite`)}`]];
  if (values.mysql) databases.push(['MySQL', values.mysql]);

  for (const [label, url] of databases) {
    const { server, config, close } = await startApp(url);
    const health = await load(`${base(server)}/healthz`, total, concurrency, () => ({ method: 'GET' }));
    rows.push({
      workload: `GET /healthz, full middleware (${label})`,
      figure: `${fmt(health.rps)} req/s, p99 ${health.p99.toFixed(1)} ms`,
      baseline: `bare Koa ${fmt(bareStats.rps)} req/s, p99 ${bareStats.p99.toFixed(1)} ms`,
      ratio: `${(health.rps / bareStats.rps).toFixed(2)}×`,
    });

    const crypto = new CallbackCrypto({ token: config.wecom.callbackToken, encodingAesKey: config.wecom.callbackAesKey, receiveId: config.wecom.corpId });
    let n = 0;
    const ingest = await load(`${base(server)}/api/wecom/callback`, total, concurrency, () => {
      const i = n++;
      const { query, body } = crypto.seal(
        buildCallbackXml({ ToUserName: config.wecom.corpId, FromUserName: 'sys', CreateTime: 1760000000, MsgType: 'event', Event: 'change_external_contact', ChangeType: 'add_external_contact', UserID: 'rep-east-1', ExternalUserID: `wmBENCH${i}` }),
      );
      return { method: 'POST', query: new URLSearchParams(query).toString(), body, headers: { 'content-type': 'text/xml' } };
    });
    rows.push({
      workload: `callback ingest: verify + decrypt + store (${label})`,
      figure: `${fmt(ingest.rps)} events/s, ack p50 ${ingest.p50.toFixed(1)} ms, p99 ${ingest.p99.toFixed(1)} ms`,
      baseline: `bare Koa ${fmt(bareStats.rps)} req/s`,
      ratio: `${(ingest.rps / bareStats.rps).toFixed(2)}×`,
    });

    const page = encodeURIComponent(`${config.publicUrl}/sidebar`);
    const jssdk = await load(`${base(server)}/api/wecom/jssdk-config?url=${page}`, total, concurrency, () => ({ method: 'GET' }));
    rows.push({
      workload: `GET /api/wecom/jssdk-config, cached tickets (${label})`,
      figure: `${fmt(jssdk.rps)} req/s, p99 ${jssdk.p99.toFixed(1)} ms`,
      baseline: `bare Koa ${fmt(bareStats.rps)} req/s`,
      ratio: `${(jssdk.rps / bareStats.rps).toFixed(2)}×`,
    });
    await close();
  }

  for (const [label, url] of crmDatabases) rows.push(...(await benchCrm(label, url, crm, bareStats, concurrency)));
  for (const [label, url] of crmDatabases) rows.push(...(await benchImport(label, url, importRows)));

  if (values.mysql) {
    const conn = await mysql.createConnection(values.mysql);
    await conn.query('CREATE TEMPORARY TABLE bench_pk (id INT PRIMARY KEY, v VARCHAR(32))');
    await conn.query("INSERT INTO bench_pk VALUES (1, 'x')");
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = process.hrtime.bigint();
      await conn.query('SELECT v FROM bench_pk WHERE id = 1');
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    await conn.end();
    const s = summarize(times, 0);
    rows.push({ workload: 'baseline: raw mysql2 primary-key read', figure: `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms` });
  }

  const employees = size(values['org-employees'], 2000, 500);
  const sync = await timeOrgSync(employees, Math.max(10, Math.round(employees / 10)));
  rows.push({ workload: `org sync, ${employees} employees / ${Math.round(employees / 10)} departments (SQLite)`, figure: `${sync.toFixed(1)} s (${fmt(employees / sync)} employees/s)` });

  rows.push(h5BundleRow(), ...sidebarBundleRows());
  printTable();
}

/** A database of its own on the same MySQL server, for workloads that need empty tables. */
function scratchMysqlUrl(url: string): string {
  const scratch = new URL(url);
  scratch.pathname = `/wcrm_bench_${process.pid}`;
  return scratch.toString();
}

/**
 * CRM reads a manager makes on the phone, over the demo data scaled up (`--crm-scale 20`: 6,000
 * customers with their follow-ups, holdings and sales), as mgr-east (department-tree scope).
 */
async function benchCrm(label: string, url: string, crm: { scale: number; salesPerPurchase: number }, bare: LoadStats, concurrency: number): Promise<Row[]> {
  const app = await startApp(url);
  const { done } = await startOrgSync({ sequelize: app.sequelize, wecom: app.wecom, logger, bootstrap: { adminUserIds: ['admin'] } }, SYSTEM_ACTOR);
  if ((await done).status !== 'succeeded') throw new Error('demo org sync failed');
  const seeded = await seedDemoCrm(app.sequelize, { ...crm, wecomIdentities: identitiesOf(app.simulator.state.externalContacts.values()) });
  if (!seeded) throw new Error(`the CRM tables of ${label} are not empty`);
  const hooks = matchingHooks(app.sequelize, settingDefaults(app.config));
  if ((await (await startExternalContactSync({ sequelize: app.sequelize, wecom: app.wecom, logger, hooks }, SYSTEM_ACTOR)).done).status !== 'succeeded') {
    throw new Error('demo external-contact sync failed');
  }
  const browser = new Browser(base(app.server));
  await browser.login('mgr-east');
  const headers = { cookie: ['wcrm_session', 'wcrm_session.sig'].map((name) => `${name}=${browser.cookie(name)}`).join('; ') };
  const [busiest] = await app.sequelize.query<{ id: number }>(
    'SELECT customer_id AS id FROM follow_ups GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 1',
    { type: QueryTypes.SELECT },
  );
  const [card] = await app.sequelize.query<{ external_userid: string }>(
    "SELECT l.external_userid FROM customer_wecom_links l JOIN wecom_follow_relations r ON r.external_userid = l.external_userid WHERE r.userid = 'mgr-east' ORDER BY l.external_userid LIMIT 1",
    { type: QueryTypes.SELECT },
  );
  const workloads: [string, string][] = [
    ['GET /api/sidebar/external-contacts/:id (sidebar card)', `/api/sidebar/external-contacts/${card!.external_userid}`],
    ['GET /api/customers (page 1 of the scope)', '/api/customers?pageSize=20'],
    ['GET /api/customers?keyword=王 (name / phone / institution)', `/api/customers?pageSize=20&keyword=${encodeURIComponent('王')}`],
    ['GET /api/customers?followUp=due', '/api/customers?pageSize=20&followUp=due'],
    ['GET /api/customers/:id (detail with counts)', `/api/customers/${busiest!.id}`],
    ['GET /api/customers/:id/timeline', `/api/customers/${busiest!.id}/timeline`],
  ];
  const out: Row[] = [];
  for (const [name, path] of workloads) {
    const stats = await load(`${base(app.server)}${path}`, 1000, concurrency, () => ({ method: 'GET', headers }));
    out.push({
      workload: `${name}, ${fmt(seeded.customers)} customers (${label})`,
      figure: `${fmt(stats.rps)} req/s, p50 ${stats.p50.toFixed(1)} ms, p99 ${stats.p99.toFixed(1)} ms`,
      baseline: `bare Koa ${fmt(bare.rps)} req/s`,
      ratio: `${(stats.rps / bare.rps).toFixed(2)}×`,
    });
  }
  // The sidebar's goal is a latency one user feels: one request at a time.
  const single = await load(`${base(app.server)}/api/sidebar/external-contacts/${card!.external_userid}`, 500, 1, () => ({ method: 'GET', headers }));
  out.push({
    workload: `sidebar card, one request at a time, ${fmt(seeded.customers)} customers (${label})`,
    figure: `p50 ${single.p50.toFixed(1)} ms, p99 ${single.p99.toFixed(1)} ms`,
    baseline: `bare Koa p99 ${bare.p99.toFixed(1)} ms at 32 concurrent`,
  });
  // Dashboards: what a manager waits for when opening 看板 (one request at a time, this quarter).
  for (const name of ['customers', 'sales', 'consignment', 'targets']) {
    const stats = await load(`${base(app.server)}/api/dashboard/${name}`, 100, 1, () => ({ method: 'GET', headers }));
    out.push({
      workload: `GET /api/dashboard/${name}, one at a time, ${fmt(seeded.customers)} customers / ${fmt(seeded.sales)} sales (${label})`,
      figure: `p50 ${stats.p50.toFixed(1)} ms, p99 ${stats.p99.toFixed(1)} ms`,
    });
  }
  if (label === 'MySQL') await app.sequelize.query(`DROP DATABASE ${new URL(url).pathname.slice(1)}`);
  await app.close();
  return out;
}

/**
 * An Excel import of `count` customer rows as admin (create mode): parse, check every row,
 * write in batches — time and the process's peak memory. Baseline: the same rows bulk-inserted
 * straight into the table in one transaction, with no checks at all.
 */
async function benchImport(label: string, url: string, count: number): Promise<Row[]> {
  const app = await startApp(url);
  const { done: synced } = await startOrgSync({ sequelize: app.sequelize, wecom: app.wecom, logger, bootstrap: { adminUserIds: ['admin'] } }, SYSTEM_ACTOR);
  if ((await synced).status !== 'succeeded') throw new Error('demo org sync failed');
  const people = await app.sequelize.query<{ id: number; wecom_userid: string; name: string; main_department_id: number }>(
    "SELECT id, wecom_userid, name, main_department_id FROM users WHERE wecom_userid IN ('admin', 'rep-east-1', 'rep-east-2', 'rep-east-3', 'rep-south-1')",
    { type: QueryTypes.SELECT },
  );
  const admin = people.find((p) => p.wecom_userid === 'admin')!;
  const caller = { access: await loadAccess(app.sequelize, Number(admin.id)), actor: { userId: Number(admin.id), label: 'bench' }, mainDepartmentId: Number(admin.main_department_id) };
  const levels = ['高净值', '重要', '普通', '潜在'];
  const sheet = [
    ['客户名称', '客户类型', '手机号', '邮箱', '单位/机构', '职务', '客户阶段', '客户来源', '客户等级', '负责人', '备注'],
    ...Array.from({ length: count }, (_, i) => [
      `导入客户${i}`, i % 5 ? '个人' : '机构', `135${String(i).padStart(8, '0')}`, `c${i}@example.com`, `示例公司${i % 997}`, '经理',
      '意向', '转介绍', levels[i % 4]!, people[i % people.length]!.name, i % 3 ? null : '历史台账导入',
    ]),
  ];
  const file = buildWorkbook([{ name: '客户', rows: sheet }]);

  // Live memory (JS heap + Buffers), not RSS: RSS keeps the high-water mark of earlier workloads.
  const live = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  global.gc?.();
  const before = live();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, live())), 5);
  // What everyone else's requests would wait for while the import runs.
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const started = performance.now();
  const { done } = await startImport({ sequelize: app.sequelize, logger, settings: app.config.imports }, caller, { kind: 'customers', mode: 'create', dryRun: false, fileName: 'bench.xlsx', file });
  const job = await done;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  stalls.disable();
  if (job.created !== count) throw new Error(`import created ${job.created} of ${count}: ${job.error ?? JSON.stringify(job.errors.slice(0, 3))}`);

  const raw = sheet.slice(1).map((r, i) => ({
    type: 'individual', name: `直接写入${i}`, status: 'active', lifecycle_stage: 'intent', source: 'referral', level: 'normal', institution: r[4], title: r[5],
    phone: `136${String(i).padStart(8, '0')}`, email: r[3], owner_user_id: admin.id, department_id: admin.main_department_id, version: 1, created_at: new Date(), updated_at: new Date(),
  }));
  const baselineStarted = performance.now();
  await app.sequelize.transaction(async (transaction) => {
    for (let i = 0; i < raw.length; i += 500) await app.sequelize.getQueryInterface().bulkInsert('customers', raw.slice(i, i + 500), { transaction });
  });
  const baseline = (performance.now() - baselineStarted) / 1000;
  if (label === 'MySQL') await app.sequelize.query(`DROP DATABASE ${new URL(url).pathname.slice(1)}`);
  await app.close();
  return [
    {
      workload: `Excel import, ${fmt(count)} customer rows (${(file.length / 1024 / 1024).toFixed(1)} MB .xlsx), batches of ${app.config.imports.batchSize} (${label})`,
      figure: `${seconds.toFixed(1)} s (${fmt(count / seconds)} rows/s), peak memory +${fmt((peak - before) / 1024 / 1024)} MB (heap + buffers), longest event-loop stall ${fmt(stalls.max / 1e6)} ms`,
      baseline: `bulk INSERT of the same rows, no checks: ${baseline.toFixed(1)} s`,
      ratio: `${(baseline / seconds).toFixed(2)}×`,
    },
  ];
}

async function startApp(url: string): Promise<{ server: Server; config: Config; sequelize: Sequelize; wecom: WecomClient; simulator: WecomSimulator; close(): Promise<void> }> {
  const server = createServer();
  await listen(server);
  const port = (server.address() as AddressInfo).port;
  const config = loadConfig({ PORT: String(port), DATABASE_URL: url, PUBLIC_URL: `http://127.0.0.1:${port}` });
  const sequelize = await openDatabase(config.database);
  await migrateUp(sequelize);
  await sequelize.query('DELETE FROM wecom_events');
  const wecom = createWecomClient(config, new SqlKvStore(sequelize), logger);
  const simulator = createWecomSimulator(simulatorOptionsFor(config));
  server.on('request', createApp({ config, sequelize, logger, wecom, wecomSimulator: simulator.listener }).callback());
  return {
    server,
    config,
    sequelize,
    wecom,
    simulator,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await sequelize.query('DELETE FROM wecom_events').catch(() => undefined); // gone with a dropped scratch database
      await sequelize.close();
    },
  };
}

async function timeOrgSync(employees: number, departments: number): Promise<number> {
  const simulator = createWecomSimulator({ corp: generateCorp({ employees, departments }) });
  const simServer = await listen(createServer(simulator.listener));
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', WECOM_API_BASE: base(simServer) });
  const sequelize = await openDatabase(config.database);
  await migrateUp(sequelize);
  const wecom = createWecomClient(config, new SqlKvStore(sequelize), logger);
  const started = Date.now();
  const { done } = await startOrgSync({ sequelize, wecom, logger, bootstrap: { adminUserIds: [] } }, SYSTEM_ACTOR);
  const run = await done;
  const seconds = (Date.now() - started) / 1000;
  if (run.status !== 'succeeded') throw new Error(`org sync failed: ${run.error}`);
  await sequelize.close();
  simServer.close();
  return seconds;
}

/** Gzip size of the JS a first visit downloads (the entry chunk and its static imports). */
function h5BundleRow(): Row {
  const dist = resolve(__dirname, '../h5/dist');
  try {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    const gz = initial.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0);
    const all = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
    const allGz = all.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, 'assets', f))).length, 0);
    return { workload: 'H5 initial JS (gzip)', figure: `${(gz / 1024).toFixed(1)} KB (all chunks ${(allGz / 1024).toFixed(1)} KB)` };
  } catch {
    return { workload: 'H5 initial JS (gzip)', figure: 'h5/dist missing: run npm run build:h5' };
  }
}

interface ManifestChunk {
  file: string;
  imports?: string[];
  isEntry?: boolean;
}

/**
 * What opening /sidebar downloads before it can render: the entry, the sidebar page and every
 * chunk they import statically (from Vite's manifest), gzipped; plus the JS-SDK bridge that only
 * the WeCom webview loads.
 */
function sidebarBundleRows(): Row[] {
  const dist = resolve(__dirname, '../h5/dist');
  try {
    const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
    const files = new Set<string>();
    const visit = (key: string) => {
      const chunk = manifest[key];
      if (!chunk || files.has(chunk.file)) return;
      files.add(chunk.file);
      chunk.imports?.forEach(visit);
    };
    visit('index.html');
    visit('src/pages/sidebar/SidebarPage.vue');
    const gz = (file: string) => gzipSync(readFileSync(join(dist, file))).length;
    const total = [...files].reduce((sum, f) => sum + gz(f), 0);
    const bridge = manifest['src/wecom/jssdk-bridge.ts'];
    return [
      {
        workload: 'H5 /sidebar initial JS (gzip)',
        figure: `${(total / 1024).toFixed(1)} KB in ${files.size} files${bridge ? ` (+ ${(gz(bridge.file) / 1024).toFixed(1)} KB JS-SDK bridge inside WeCom)` : ''}`,
      },
    ];
  } catch {
    return [{ workload: 'H5 /sidebar initial JS (gzip)', figure: 'h5/dist/.vite/manifest.json missing: run npm run build:h5' }];
  }
}

interface LoadStats {
  rps: number;
  p50: number;
  p99: number;
}

/**
 * `total` requests, `concurrency` at a time, over keep-alive connections, after an unrecorded
 * warm-up of a quarter as many (so the JIT and connection pools are warm for every workload).
 */
async function load(
  url: string,
  total: number,
  concurrency: number,
  make: () => { method: string; query?: string; body?: string; headers?: Record<string, string> },
): Promise<LoadStats> {
  await run(url, Math.ceil(total / 4), concurrency, make);
  return run(url, total, concurrency, make);
}

async function run(
  url: string,
  total: number,
  concurrency: number,
  make: () => { method: string; query?: string; body?: string; headers?: Record<string, string> },
): Promise<LoadStats> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const times: number[] = [];
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const spec = make();
        const path = `${target.pathname}${spec.query ? `?${spec.query}` : target.search}`;
        const t = process.hrtime.bigint();
        const status = await new Promise<number>((done, fail) => {
          const req = request({ host: target.hostname, port: target.port, path, method: spec.method, agent, headers: spec.headers }, (res) => {
            res.resume();
            res.on('end', () => done(res.statusCode ?? 0));
          });
          req.on('error', fail);
          req.end(spec.body);
        });
        if (status >= 400) failures++;
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  agent.destroy();
  if (failures) throw new Error(`${failures} of ${total} requests to ${target.pathname} failed`);
  return summarize(times, Number(process.hrtime.bigint() - started) / 1e9);
}

function summarize(times: number[], seconds: number): LoadStats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { rps: seconds ? times.length / seconds : 0, p50: at(0.5), p99: at(0.99) };
}

function listen(server: Server): Promise<Server> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

function base(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function printTable(): void {
  if (output === 'json') {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const header = '| workload | figure | baseline (same run) | vs baseline |';
  process.stdout.write(`${header}\n|---|---|---|---|\n`);
  for (const r of rows) process.stdout.write(`| ${r.workload} | ${r.figure} | ${r.baseline ?? '—'} | ${r.ratio ?? '—'} |\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
