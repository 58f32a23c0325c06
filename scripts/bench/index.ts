/**
 * `npm run bench [-- --quick] [--json] [--only ingest,card,open,dashboards,import,h5] [--reliability [--galera]]` (MariaDB/MySQL when BENCH_DATABASE_URL
 * is set, else SQLite): builds a data set in a scratch database, runs the server as its own
 * process on loopback and drives it with autocannon; each figure sits next to a baseline measured
 * in the same run on the same machine, because only ratios travel between noisy machines.
 * Not a test: it asserts nothing, it prints a table (README.md#performance).
 * `--only open` builds the data set and measures only the card API and the sidebar opening in
 * Chromium: a quick loop while working on the H5.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { freePort, waitFor } from '../../test/helpers/process';
import { identitiesOf, seedDemoCrm } from '../demo-data';
import { CONTACT_STATES } from '../wecom-simulator/demo-corp';
import { h5SizeRows } from './h5-size';
import {
  CALLBACK,
  count,
  figure,
  fmt,
  followedPairs,
  hostSimulator,
  load,
  logger,
  login,
  markdownTable,
  ms,
  peakRss,
  scratchDatabase,
  sidebarRequests,
  startServer,
  timeCalls,
  waitForInbox,
  sealedContactChange,
} from './harness';
import type { HostedSimulator, Row, ScratchDatabase, ServerProcess } from './harness';
import { runReliability } from './reliability';
import { runGaleraReliability } from './reliability-galera';
import { measureSidebarOpen, ownedContact } from './sidebar-browser';

const FULL = {
  employees: 10_000,
  departments: 1_000,
  contacts: 100_000,
  crmScale: 334,
  salesPerPurchase: 5,
  followUpScale: 3,
  events: 20_000,
  sidebar: 5_000,
  browserRuns: 5,
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
  browserRuns: 3,
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
      galera: { type: 'boolean', default: false },
      // e.g. `--only card,ingest`: the data set is built either way, then only these parts run.
      only: { type: 'string' },
    },
  });
  const sizes = values.quick ? QUICK : FULL;
  const mysqlUrl = process.env.BENCH_DATABASE_URL;
  if (values.reliability && values.galera) rows.push(...(await runGaleraReliability(values.quick, progress)));
  else if (values.reliability) rows.push(...(await runReliability(mysqlUrl, values.quick, progress)));
  else await runBench(sizes, mysqlUrl, partsOf(values.only));
  print(values.json);
}

/** The parts of a run after the data set, in the order they run. */
const PARTS = ['ingest', 'card', 'open', 'dashboards', 'import', 'h5'] as const;
type Part = (typeof PARTS)[number];

/** `--only a,b`: the parts named (all when none); an unknown name stops the run before minutes of set-up. */
function partsOf(only: string | undefined): Set<Part> {
  if (!only) return new Set(PARTS);
  const named = only
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = named.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`--only: unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  return new Set(named as Part[]);
}

async function runBench(sizes: Sizes, mysqlUrl: string | undefined, parts: Set<Part>): Promise<void> {
  if (parts.has('open') || parts.has('h5')) {
    progress('H5 build (skipped when unchanged)');
    const build = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../build-h5.ts')], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('the H5 build failed');
  }
  progress(`simulated corp: ${fmt(sizes.employees)} employees, ${fmt(sizes.departments)} departments, ${fmt(sizes.contacts)} external contacts`);
  const wecom = await hostSimulator({ employees: sizes.employees, departments: sizes.departments, externalContacts: sizes.contacts, followsPerContact: 2 });
  const db = await scratchDatabase('bench', mysqlUrl, wecom.base);
  try {
    await buildDataSet(sizes, wecom, db);
    const bare = await startBareKoa();
    const server = await startServer(db.url, wecom.base);
    try {
      if (parts.has('ingest')) await benchCallbacks(sizes, server, bare.base, wecom, db);
      // The sidebar's opening compares with the card API's p50: measured with it when both run.
      const cardApi = parts.has('card') || parts.has('open') ? await benchSidebar(sizes, server, wecom, db) : undefined;
      if (cardApi && parts.has('open')) await benchSidebarOpen(sizes, server, wecom, db, cardApi);
      if (parts.has('dashboards')) await benchDashboards(server, wecom, db);
    } finally {
      await server.stop();
      bare.stop();
    }
    if (parts.has('import')) await benchImport(sizes, db);
    if (parts.has('h5')) rows.push(...h5SizeRows());
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
  rows.push(
    figure(`org sync: ${fmt(sizes.employees)} employees / ${fmt(sizes.departments)} departments from the simulator (${db.label})`, orgSeconds, 's', {
      goal: { atMost: 15 },
    }),
  );

  progress('CRM books (set-up, not measured)');
  const seeded = await seedDemoCrm(db.sequelize, {
    scale: sizes.crmScale,
    salesPerPurchase: sizes.salesPerPurchase,
    followUpScale: sizes.followUpScale,
    wecomIdentities: identitiesOf(wecom.simulator.state.externalContacts.values()),
  });
  if (!seeded) throw new Error('the scratch database is not empty');

  // The corp's 渠道活码: one per state the simulated contacts were added through, so the sync
  // gives their leads a channel and the customers dashboard counts them.
  await db.sequelize.query(
    `INSERT INTO contact_ways (name, state, user_ids, tag_ids, owner_rule, created_at, updated_at)
     VALUES ${CONTACT_STATES.map(() => "(?, ?, '[]', '[]', 'adder', ?, ?)").join(', ')}`,
    { replacements: CONTACT_STATES.flatMap((state) => [state, state, new Date(), new Date()]) },
  );

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
  rows.push(
    figure(
      `external-contact sync: ${fmt(sizes.contacts)} contacts, ${fmt(Number(counts!.relations))} follow relations, matched to the CRM (${db.label})`,
      externalSeconds,
      's',
      { goal: { atMost: 120 } },
    ),
  );
  rows.push(
    figure('data set', Number(counts!.customers), 'customers', {
      detail: `${fmt(seeded.customers)} in the books, the rest leads from WeCom; ${fmt(seeded.followUps)} follow-ups, ${fmt(seeded.trades)} trades, ${fmt(Number(counts!.relations))} follow relations`,
    }),
  );
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
async function benchCallbacks(sizes: Sizes, server: ServerProcess, bareBase: string, wecom: HostedSimulator, db: ScratchDatabase): Promise<void> {
  progress('callback ingest');
  // A burst as WeCom sends one when reps work through their customers: 1,000 contacts, each
  // edited many times over (tags, remarks, descriptions), so applying it can coalesce per contact.
  const pairs = distinctContacts(await followedPairs(db.sequelize, 1000), 1000);
  // Sealed up front: encrypting in the load generator would make it the bottleneck.
  const crypto = new CallbackCrypto(CALLBACK);
  const sealed = Array.from({ length: Math.ceil(sizes.events * 1.25) + 64 }, (_, i) => {
    const pair = pairs[i % pairs.length]!;
    const { query, body } = sealedContactChange(crypto, i, 'edit_external_contact', pair);
    return { method: 'POST' as const, path: `/api/wecom/callback?${new URLSearchParams(query)}`, body, headers: { 'content-type': 'text/xml' } };
  });
  let n = 0;
  const next = () => sealed[n++ % sealed.length]!;
  const readsBefore = wecom.simulator.api.callCount('externalcontact/get');
  const bare = await load({ url: bareBase, connections: 64, amount: sizes.events, next });
  n = 0;
  const started = performance.now();
  const ingest = await load({ url: server.base, connections: 64, amount: sizes.events, next });
  const ingestWorkload = `callback ingest: verify + decrypt + store + ack, 64 concurrent senders (${db.label})`;
  rows.push(
    figure(`${ingestWorkload}: throughput`, ingest.rps, 'events/s', {
      baseline: { value: bare.rps, unit: 'req/s (bare Koa answering `success`)' },
      // Issue 37: half of what bare Koa answers on the same requests.
      goal: { ratioAtLeast: 0.5 },
      detail: `ack p50 ${ms(ingest.p50)}${ingest.errors ? `, ${ingest.errors} errors` : ''}`,
    }),
    figure(`${ingestWorkload}: ack p99`, ingest.p99, 'ms', { baseline: { value: bare.p99, unit: 'ms (bare Koa)' }, goal: { atMost: 50 } }),
  );
  progress('waiting for the event worker to apply the burst');
  await waitForInbox(db.sequelize, 1_800_000);
  const seconds = (performance.now() - started) / 1000;
  const reads = wecom.simulator.api.callCount('externalcontact/get') - readsBefore;
  const applied = await count(db.sequelize, "SELECT COUNT(*) AS n FROM wecom_events WHERE status = 'done'");
  const notDone = await count(db.sequelize, "SELECT COUNT(*) AS n FROM wecom_events WHERE status <> 'done'");
  const contacts = new Set(pairs.map((p) => p.externalUserid)).size;
  const workerWorkload = `event worker: a burst of edits of ${fmt(contacts)} contacts applied (each contact re-read from WeCom, mirror rewritten, re-matched) (${db.label})`;
  rows.push(
    figure(`${workerWorkload}: throughput`, applied / seconds, 'events/s', {
      // What WeCom lets one corp read: 10,000 externalcontact/get a minute (≈166/s).
      baseline: { value: 10_000 / 60, unit: 'externalcontact/get/s (WeCom limit per corp)' },
      detail: `${fmt(applied)} events in ${seconds.toFixed(0)} s from the first delivery${notDone ? `, ${notDone} not done` : ''}`,
    }),
    figure(`${workerWorkload}: WeCom reads per event`, reads / Math.max(applied, 1), 'externalcontact/get per event', {
      baseline: { value: contacts / Math.max(applied, 1), unit: 'per event (one read per contact)' },
      // Without coalescing every event is one read.
      goal: { atMost: 0.5 },
      detail: `${fmt(reads)} reads for ${fmt(applied)} events`,
    }),
  );
}

/** The first `n` pairs with a contact of their own. */
function distinctContacts<P extends { externalUserid: string }>(pairs: P[], n: number): P[] {
  const byContact = new Map<string, P>();
  for (const p of pairs) if (byContact.size < n && !byContact.has(p.externalUserid)) byContact.set(p.externalUserid, p);
  return [...byContact.values()];
}

/** The sidebar card over random followed contacts of the 32 busiest employees, 32 at a time. */
async function benchSidebar(sizes: Sizes, server: ServerProcess, wecom: HostedSimulator, db: ScratchDatabase): Promise<{ p50: number }> {
  progress('sidebar card');
  const { next } = await sidebarRequests(server, wecom.base, db.sequelize, 32);
  // CPU seconds of the server process and of the database server over the measured run (the
  // warm-up outside it), per card: what a card costs each side, whatever else shares the cores.
  const databasePid = db.label === 'SQLite' ? undefined : localDatabasePid();
  const cpu = { server: 0, database: 0 };
  const card = await load({
    url: server.base,
    connections: 32,
    amount: sizes.sidebar,
    next,
    around: async (run) => {
      const before = { server: cpuSeconds(server.main.child.pid!), database: databasePid ? cpuSeconds(databasePid) : 0 };
      const stats = await run();
      cpu.server = cpuSeconds(server.main.child.pid!) - before.server;
      cpu.database = databasePid ? cpuSeconds(databasePid) - before.database : 0;
      return stats;
    },
  });
  const single = await load({ url: server.base, connections: 1, amount: 500, next });
  const databaseBefore = databasePid ? cpuSeconds(databasePid) : 0;
  const raw = await rawPrimaryKeyReads(db, sizes.sidebar);
  const rawDatabase = databasePid ? cpuSeconds(databasePid) - databaseBefore : 0;
  const driver = db.label === 'SQLite' ? 'sqlite3' : 'mysql2';
  const cardWorkload = `sidebar card API, 32 concurrent, random followed contacts of 32 employees (${db.label})`;
  rows.push(
    figure(`${cardWorkload}: throughput`, card.rps, 'cards/s', {
      baseline: { value: raw.perSecond, unit: `reads/s (raw ${driver} primary-key read, 32 concurrent)` },
      // Issue 37: a card costs at most four raw primary-key reads of the same run.
      goal: { ratioAtLeast: 0.25 },
      detail: `p50 ${ms(card.p50)}${card.errors ? `, ${card.errors} errors` : ''}`,
    }),
    figure(`${cardWorkload}: p99`, card.p99, 'ms', { baseline: { value: raw.p99, unit: `ms (raw ${driver} read p99)` }, goal: { ratioAtMost: 3 } }),
    figure(`sidebar card API, one request at a time (${db.label}): p99`, single.p99, 'ms', { detail: `p50 ${ms(single.p50)}` }),
    figure(`${cardWorkload}: server CPU per card`, (cpu.server * 1000) / card.requests, 'ms', {
      detail: `${cpu.server.toFixed(1)} s of the server process for ${fmt(card.requests)} cards${db.label === 'SQLite' ? ', the database in it' : ''}`,
    }),
  );
  if (databasePid)
    rows.push(
      figure(`${cardWorkload}: database CPU per card`, (cpu.database * 1000) / card.requests, 'ms', {
        baseline: { value: (rawDatabase * 1000) / sizes.sidebar, unit: 'ms (per raw primary-key read)' },
        detail: `${cpu.database.toFixed(1)} s of mariadbd for ${fmt(card.requests)} cards (the whole server: other schemas' load counts too)`,
      }),
    );
  return { p50: single.p50 };
}

/**
 * The sidebar as a rep sees it open (sidebar-browser.ts): Chromium at 375×812, cold and warm
 * cache, Chrome's 4× CPU slowdown and none, next to the card API's own time in the same run.
 */
async function benchSidebarOpen(sizes: Sizes, server: ServerProcess, wecom: HostedSimulator, db: ScratchDatabase, cardApi: { p50: number }): Promise<void> {
  progress('sidebar opening in Chromium');
  const pair = await ownedContact(db.sequelize);
  const cookie = (await login(server, wecom.base, [pair.userid])).get(pair.userid)!;
  const figures = await measureSidebarOpen(server, cookie, pair.externalUserid, { throttles: [4, 1], runs: sizes.browserRuns });
  for (const { throttle, cold, warm } of figures) {
    for (const [cache, open] of [['cold', cold] as const, ['warm', warm] as const]) {
      const cpu = throttle === 1 ? 'no CPU throttle' : `${throttle}× CPU throttle`;
      rows.push(
        figure(`sidebar: card visible in Chromium, 375×812, ${cpu}, ${cache} cache, median of ${open.runs} (${db.label})`, open.cardMs, 'ms', {
          baseline: { value: cardApi.p50, unit: 'ms (the card API alone, p50)' },
          goal: throttle === 4 ? { atMost: cache === 'cold' ? 800 : 300 } : undefined,
          detail: `${open.apiRequestsBeforeCard} API request before the card, ${(open.transferBytes / 1024).toFixed(1)} KB over the wire`,
        }),
      );
    }
  }
  const [inWecom] = await measureSidebarOpen(server, cookie, pair.externalUserid, { throttles: [4], runs: sizes.browserRuns, wecom: true });
  for (const [cache, open] of [['cold', inWecom!.cold] as const, ['warm', inWecom!.warm] as const]) {
    rows.push(
      figure(
        `sidebar inside WeCom (stand-in native bridge): card visible, 375×812, 4× CPU throttle, ${cache} cache, median of ${open.runs} (${db.label})`,
        open.cardMs,
        'ms',
        {
          baseline: { value: cardApi.p50, unit: 'ms (the card API alone, p50)' },
          detail: `${open.apiRequestsBeforeCard} API requests before the card, ${(open.transferBytes / 1024).toFixed(1)} KB over the wire`,
        },
      ),
    );
  }
  const cold = figures.find((f) => f.throttle === 1)!.cold;
  rows.push(
    figure('sidebar: bytes over the wire opening it with a cold cache (HTML, JS, CSS, font, API)', cold.transferBytes / 1024, 'KB', {
      detail: `${((cold.transferBytes - cold.shimBytes) / 1024).toFixed(1)} KB without the dev shim (${(cold.shimBytes / 1024).toFixed(1)} KB)`,
    }),
    figure('sidebar: bytes over the wire opening it with a cold cache, without the dev shim', (cold.transferBytes - cold.shimBytes) / 1024, 'KB', {
      goal: { atMost: 100 },
    }),
  );
}

/** utime + stime of a process so far, in seconds (Linux /proc; 0 when it is gone). */
function cpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesised command name: state is 3rd, utime 14th and stime 15th of the whole line.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** The local MariaDB / MySQL server's pid, when it runs on this machine (else its CPU is not measured). */
function localDatabasePid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (['mariadbd', 'mysqld'].includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** `SELECT … WHERE id = ?` on customers straight through the driver, in this process. */
async function rawPrimaryKeyReads(db: ScratchDatabase, count: number): Promise<{ p50: number; p99: number; perSecond: number }> {
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
  // 资产规模 (aum) values every holding of the scope at its latest NAV: measured, no goal set yet.
  for (const name of ['customers', 'sales', 'consignment', 'targets', 'aum']) {
    const stats = await load({ url: `${server.base}/api/dashboard/${name}`, connections: 1, amount: 100, next: () => ({ headers: { cookie } }) });
    rows.push(
      figure(`GET /api/dashboard/${name} as mgr-east (department-tree scope), one at a time (${db.label}): p50`, stats.p50, 'ms', {
        goal: name === 'aum' ? undefined : { atMost: name === 'customers' ? 100 : 200 },
        detail: `p99 ${ms(stats.p99)}`,
      }),
    );
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
  const importWorkload = `Excel import: ${fmt(sizes.importRows)} customer rows, \`npm run import\` as its own process (${db.label})`;
  rows.push(
    figure(`${importWorkload}: wall time`, full.seconds, 's', {
      baseline: { value: idle.seconds, unit: 's (the same process importing 1 row)' },
      goal: { atMost: 20 },
      detail: `${fmt(sizes.importRows / full.seconds)} rows/s`,
    }),
    figure(`${importWorkload}: peak RSS`, full.peak / 1024 / 1024, 'MB', {
      baseline: { value: idle.peak / 1024 / 1024, unit: 'MB (1 row)' },
      goal: { atMost: 500 },
    }),
  );
}

function print(json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : markdownTable(rows));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const original = (err as { original?: Error }).original; // a database error's own message (its stack is the caller's)
    process.stderr.write(`${(err as Error).stack ?? String(err)}${original ? `\n${original.message}` : ''}\n`);
    process.exit(1);
  },
);
