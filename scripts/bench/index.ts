/**
 * `npm run bench [-- --quick] [--json] [--reliability]` (MariaDB/MySQL when BENCH_DATABASE_URL
 * is set, else SQLite): builds a data set in a scratch database, runs the server as its own
 * process on loopback and drives it with autocannon; each figure sits next to a baseline measured
 * in the same run on the same machine, because only ratios travel between noisy machines.
 * Not a test: it asserts nothing, it prints a table (DESIGN §10).
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { QueryTypes } from 'sequelize';
import sqlite3 from 'sqlite3';
import { SYSTEM_ACTOR } from '../../server/modules/audit/service';
import { matchingHooks } from '../../server/modules/matching/hooks';
import { startOrgSync } from '../../server/modules/org/sync';
import { settingDefaults } from '../../server/modules/settings/service';
import { startExternalContactSync } from '../../server/modules/wecom-mirror/sync';
import { buildWorkbook } from '../../server/modules/imports/workbook';
import { CallbackCrypto } from '../../server/wecom/callback-crypto';
import { buildCallbackXml } from '../../server/wecom/xml';
import { freePort, waitFor } from '../../test/helpers/process';
import { identitiesOf, seedDemoCrm } from '../demo-data';
import { h5BundleRow, sidebarBundleRows } from './h5-size';
import {
  CALLBACK,
  count,
  fmt,
  followedPairs,
  hostSimulator,
  load,
  logger,
  login,
  ms,
  peakRss,
  scratchDatabase,
  sidebarRequests,
  startServer,
  timeCalls,
  waitForInbox,
  type HostedSimulator,
  type Row,
  type ScratchDatabase,
  type ServerProcess,
} from './harness';
import { runReliability } from './reliability';

const FULL = {
  employees: 10_000,
  departments: 1_000,
  contacts: 100_000,
  crmScale: 334,
  salesPerPurchase: 5,
  followUpScale: 3,
  events: 20_000,
  sidebar: 5_000,
  importRows: 50_000,
};
const QUICK = {
  employees: 1_000,
  departments: 100,
  contacts: 5_000,
  crmScale: 10,
  salesPerPurchase: 1,
  followUpScale: 1,
  events: 3_000,
  sidebar: 2_000,
  importRows: 5_000,
};
export type Sizes = typeof FULL;

const rows: Row[] = [];
const progress = (what: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${what}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      reliability: { type: 'boolean', default: false },
    },
  });
  const sizes = values.quick ? QUICK : FULL;
  const mysqlUrl = process.env.BENCH_DATABASE_URL;
  if (values.reliability) rows.push(...(await runReliability(mysqlUrl, values.quick, progress)));
  else await runBench(sizes, mysqlUrl);
  print(values.json);
}

async function runBench(sizes: Sizes, mysqlUrl: string | undefined): Promise<void> {
  progress(`simulated corp: ${fmt(sizes.employees)} employees, ${fmt(sizes.departments)} departments, ${fmt(sizes.contacts)} external contacts`);
  const wecom = await hostSimulator({ employees: sizes.employees, departments: sizes.departments, externalContacts: sizes.contacts, followsPerContact: 2 });
  const db = await scratchDatabase('bench', mysqlUrl, wecom.base);
  try {
    await buildDataSet(sizes, wecom, db);
    const bare = await startBareKoa();
    const server = await startServer(db.url, wecom.base);
    try {
      await benchCallbacks(sizes, server, bare.base, db);
      await benchSidebar(sizes, server, wecom, db);
      await benchDashboards(server, wecom, db);
    } finally {
      await server.stop();
      bare.stop();
    }
    await benchImport(sizes, db);
    rows.push(h5BundleRow(), ...sidebarBundleRows());
  } finally {
    await db.drop();
    await wecom.close();
  }
}

/** Org sync and external-contact sync are measured; the CRM books between them are set-up. */
async function buildDataSet(sizes: Sizes, wecom: HostedSimulator, db: ScratchDatabase): Promise<void> {
  progress('org sync');
  let started = performance.now();
  const org = await (await startOrgSync({ sequelize: db.sequelize, wecom: db.wecom, logger, bootstrap: { adminUserIds: ['admin'] } }, SYSTEM_ACTOR)).done;
  if (org.status !== 'succeeded') throw new Error(`org sync failed: ${org.error}`);
  const orgSeconds = (performance.now() - started) / 1000;
  rows.push({
    workload: `org sync: ${fmt(sizes.employees)} employees / ${fmt(sizes.departments)} departments from the simulator (${db.label})`,
    figure: `${orgSeconds.toFixed(1)} s (goal ≤ 15 s)`,
  });

  progress('CRM books (set-up, not measured)');
  const seeded = await seedDemoCrm(db.sequelize, {
    scale: sizes.crmScale,
    salesPerPurchase: sizes.salesPerPurchase,
    followUpScale: sizes.followUpScale,
    wecomIdentities: identitiesOf(wecom.simulator.state.externalContacts.values()),
  });
  if (!seeded) throw new Error('the scratch database is not empty');

  progress('external-contact sync');
  started = performance.now();
  const hooks = matchingHooks(db.sequelize, settingDefaults(db.config));
  const external = await (await startExternalContactSync({ sequelize: db.sequelize, wecom: db.wecom, logger, hooks }, SYSTEM_ACTOR)).done;
  if (external.status !== 'succeeded') throw new Error(`external-contact sync failed: ${external.error}`);
  const externalSeconds = (performance.now() - started) / 1000;
  const [counts] = await db.sequelize.query<{ relations: number; customers: number }>(
    'SELECT (SELECT COUNT(*) FROM wecom_follow_relations) AS relations, (SELECT COUNT(*) FROM customers) AS customers',
    { type: QueryTypes.SELECT },
  );
  rows.push({
    workload: `external-contact sync: ${fmt(sizes.contacts)} contacts, ${fmt(Number(counts!.relations))} follow relations, matched to the CRM (${db.label})`,
    figure: `${externalSeconds.toFixed(1)} s (goal ≤ 120 s)`,
  });
  rows.push({
    workload: 'data set',
    figure: `${fmt(Number(counts!.customers))} customers (${fmt(seeded.customers)} in the books, the rest leads from WeCom), ${fmt(seeded.followUps)} follow-ups, ${fmt(seeded.sales)} sales, ${fmt(Number(counts!.relations))} follow relations`,
  });
}

async function startBareKoa(): Promise<{ base: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bare-koa.ts')], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(base).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    'the bare Koa server',
  );
  return { base, stop: () => child.kill('SIGKILL') };
}

/** Real encrypted `edit_external_contact` callbacks for followed contacts, 64 senders at a time. */
async function benchCallbacks(sizes: Sizes, server: ServerProcess, bareBase: string, db: ScratchDatabase): Promise<void> {
  progress('callback ingest');
  const pairs = await followedPairs(db.sequelize, 1000);
  // Sealed up front: encrypting in the load generator would make it the bottleneck.
  const crypto = new CallbackCrypto(CALLBACK);
  const sealed = Array.from({ length: Math.ceil(sizes.events * 1.25) + 64 }, (_, i) => {
    const pair = pairs[i % pairs.length]!;
    const { query, body } = crypto.seal(
      buildCallbackXml({
        ToUserName: CALLBACK.receiveId,
        FromUserName: 'sys',
        CreateTime: 1_760_000_000 + i,
        MsgType: 'event',
        Event: 'change_external_contact',
        ChangeType: 'edit_external_contact',
        UserID: pair.userid,
        ExternalUserID: pair.externalUserid,
      }),
    );
    return { method: 'POST' as const, path: `/api/wecom/callback?${new URLSearchParams(query)}`, body, headers: { 'content-type': 'text/xml' } };
  });
  let n = 0;
  const next = () => sealed[n++ % sealed.length]!;
  const bare = await load({ url: bareBase, connections: 64, amount: sizes.events, next });
  n = 0;
  const started = performance.now();
  const ingest = await load({ url: server.base, connections: 64, amount: sizes.events, next });
  rows.push({
    workload: `callback ingest: verify + decrypt + store + ack, 64 concurrent senders (${db.label})`,
    figure: `${fmt(ingest.rps)} events/s, ack p50 ${ms(ingest.p50)}, p99 ${ms(ingest.p99)}${ingest.errors ? `, ${ingest.errors} errors` : ''} (goal ≥ 1,500/s, p99 ≤ 50 ms)`,
    baseline: `bare Koa \`success\`: ${fmt(bare.rps)} req/s, p99 ${ms(bare.p99)}`,
    ratio: `${(ingest.rps / bare.rps).toFixed(2)}×`,
  });
  progress('waiting for the event worker to apply the burst');
  await waitForInbox(db.sequelize, 1_800_000);
  const seconds = (performance.now() - started) / 1000;
  const applied = await count(db.sequelize, "SELECT COUNT(*) AS n FROM wecom_events WHERE status = 'done'");
  const notDone = await count(db.sequelize, "SELECT COUNT(*) AS n FROM wecom_events WHERE status <> 'done'");
  rows.push({
    workload: `event worker: the burst applied (each edit reads the contact from WeCom, rewrites the mirror, re-matches) (${db.label})`,
    figure: `${fmt(applied)} events in ${seconds.toFixed(0)} s from the first delivery: ${fmt(applied / seconds)} events/s${notDone ? `, ${notDone} not done` : ''}`,
  });
}

/** The sidebar card over random followed contacts of the 32 busiest employees, 32 at a time. */
async function benchSidebar(sizes: Sizes, server: ServerProcess, wecom: HostedSimulator, db: ScratchDatabase): Promise<void> {
  progress('sidebar card');
  const { next } = await sidebarRequests(server, wecom.base, db.sequelize, 32);
  const card = await load({ url: server.base, connections: 32, amount: sizes.sidebar, next });
  const single = await load({ url: server.base, connections: 1, amount: 500, next });
  const raw = await rawPrimaryKeyReads(db, sizes.sidebar);
  rows.push({
    workload: `sidebar card, 32 concurrent, random followed contacts of 32 employees (${db.label})`,
    figure: `${fmt(card.rps)} req/s, p50 ${ms(card.p50)}, p99 ${ms(card.p99)}${card.errors ? `, ${card.errors} errors` : ''} (goal p99 ≤ 20 ms)`,
    baseline: `raw ${db.label === 'SQLite' ? 'sqlite3' : 'mysql2'} primary-key read, 32 concurrent: p50 ${raw.p50.toFixed(2)} ms, p99 ${raw.p99.toFixed(2)} ms`,
    ratio: `p99 ${(card.p99 / Math.max(raw.p99, 0.01)).toFixed(0)}×`,
  });
  rows.push({ workload: `sidebar card, one request at a time (${db.label})`, figure: `p50 ${ms(single.p50)}, p99 ${ms(single.p99)}` });
}

/** `SELECT … WHERE id = ?` on customers straight through the driver, in this process. */
async function rawPrimaryKeyReads(db: ScratchDatabase, count: number): Promise<{ p50: number; p99: number }> {
  const [{ max } = { max: 1 }] = await db.sequelize.query<{ max: number }>('SELECT MAX(id) AS max FROM customers', { type: QueryTypes.SELECT });
  const id = (i: number) => 1 + ((i * 7919) % Number(max));
  if (db.label === 'SQLite') {
    const raw = new sqlite3.Database(db.url.slice(7), sqlite3.OPEN_READONLY);
    const read = (i: number) =>
      new Promise((done, fail) => raw.get('SELECT * FROM customers WHERE id = ?', [id(i)], (err, row) => (err ? fail(err) : done(row))));
    const stats = await timeCalls(count, 32, read);
    await new Promise((r) => raw.close(r));
    return stats;
  }
  const pool = mysql.createPool({ uri: db.url, connectionLimit: 10 });
  const stats = await timeCalls(count, 32, (i) => pool.query('SELECT * FROM customers WHERE id = ?', [id(i)]));
  await pool.end();
  return stats;
}

/** What a manager waits for when opening 看板: each dashboard, one request at a time. */
async function benchDashboards(server: ServerProcess, wecom: HostedSimulator, db: ScratchDatabase): Promise<void> {
  progress('dashboards');
  const cookie = (await login(server, wecom.base, ['mgr-east'])).get('mgr-east')!;
  for (const name of ['customers', 'sales', 'consignment', 'targets']) {
    const stats = await load({ url: `${server.base}/api/dashboard/${name}`, connections: 1, amount: 100, next: () => ({ headers: { cookie } }) });
    rows.push({
      workload: `GET /api/dashboard/${name} as mgr-east (department-tree scope), one at a time (${db.label})`,
      figure: `p50 ${ms(stats.p50)}, p99 ${ms(stats.p99)} (goal ≤ 200 ms)`,
    });
  }
}

/**
 * `npm run import` of a generated .xlsx as its own process, against the same database: wall
 * time and the process's peak RSS (VmHWM), next to the RSS of a process that only starts and
 * opens the database (`--dry-run` of an empty sheet).
 */
async function benchImport(sizes: Sizes, db: ScratchDatabase): Promise<void> {
  progress('Excel import');
  const people = await db.sequelize.query<{ name: string }>(
    "SELECT name FROM users WHERE wecom_userid IN ('rep-east-1', 'rep-east-2', 'rep-east-3', 'rep-south-1')",
    { type: QueryTypes.SELECT },
  );
  const levels = ['高净值', '重要', '普通', '潜在'];
  const header = ['客户名称', '客户类型', '手机号', '邮箱', '单位/机构', '职务', '客户阶段', '客户来源', '客户等级', '负责人', '备注'];
  const sheet = (count: number) => [
    header,
    ...Array.from({ length: count }, (_, i) => [
      `导入客户${i}`,
      i % 5 ? '个人' : '机构',
      `177${String(i).padStart(8, '0')}`,
      `import${i}@example.com`,
      `示例公司${i % 997}`,
      '经理',
      '意向',
      '转介绍',
      levels[i % 4]!,
      people[i % people.length]!.name,
      i % 3 ? null : '历史台账导入',
    ]),
  ];
  const file = join(process.env.TMPDIR ?? '/tmp', `wcrm-bench-import-${process.pid}.xlsx`);
  const empty = `${file}.empty.xlsx`;
  writeFileSync(file, buildWorkbook([{ name: '客户', rows: sheet(sizes.importRows) }]));
  writeFileSync(empty, buildWorkbook([{ name: '客户', rows: sheet(1) }]));
  const run = async (path: string, extra: string[]) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../import.ts'), 'customers', path, '--as', 'admin', ...extra], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 20);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearInterval(sampler);
    if (code !== 0) throw new Error(`the import exited with ${code}:\n${output.slice(-2000)}`);
    return { seconds: (performance.now() - started) / 1000, peak };
  };
  const [idle, full] = await (async () => {
    try {
      return [await run(empty, ['--dry-run']), await run(file, [])];
    } finally {
      rmSync(file, { force: true });
      rmSync(empty, { force: true });
    }
  })();
  rows.push({
    workload: `Excel import: ${fmt(sizes.importRows)} customer rows, \`npm run import\` as its own process (${db.label})`,
    figure: `${full.seconds.toFixed(1)} s (${fmt(sizes.importRows / full.seconds)} rows/s), peak RSS ${fmt(full.peak / 1024 / 1024)} MB (goal ≤ 20 s, ≤ 500 MB)`,
    baseline: `the same process importing 1 row: ${idle.seconds.toFixed(1)} s, peak RSS ${fmt(idle.peak / 1024 / 1024)} MB`,
  });
}

function print(json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  process.stdout.write('| workload | figure | baseline (same run) | vs baseline |\n|---|---|---|---|\n');
  for (const r of rows) process.stdout.write(`| ${r.workload} | ${r.figure} | ${r.baseline ?? '—'} | ${r.ratio ?? '—'} |\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
