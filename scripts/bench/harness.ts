/**
 * The parts every benchmark and reliability run is made of: a WeCom simulator served by the
 * bench process (standing in for WeCom, on loopback), a scratch database, the server as a
 * separate process pointed at both, logins through the real OAuth dance, and autocannon.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { QueryTypes, type Sequelize } from 'sequelize';
import { loadConfig, SIMULATOR_DEFAULTS, type Config } from '../../config';
import { migrateUp, openDatabase } from '../../server/db';
import { SqlKvStore } from '../../server/db/kv-store';
import { createLogger } from '../../server/logger';
import { createWecomClient } from '../../server/wecom';
import type { CallbackCrypto } from '../../server/wecom/callback-crypto';
import { buildCallbackXml } from '../../server/wecom/xml';
import type { WecomClient } from '../../server/wecom/client';
import { Browser } from '../../test/helpers/session';
import { freePort, startMain, waitFor, type MainProcess } from '../../test/helpers/process';
import { createWecomSimulator, generateCorp, type GenerateCorpOptions, type WecomSimulator } from '../wecom-simulator/index';

export const logger = createLogger('silent');

/**
 * One figure of a run, as `--json` prints it: a number and its unit, the baseline measured in the
 * same run (when there is one) and their ratio, the goal and whether the figure meets it.
 */
export interface Row {
  workload: string;
  value: number;
  unit: string;
  baseline: number | null;
  baselineUnit: string | null;
  /** value ÷ baseline. */
  ratio: number | null;
  /** In the figure's unit, e.g. "≤ 800 ms"; null where none is set. */
  goal: string | null;
  met: boolean | null;
  /** For a person reading the table (what else the run saw); not for machines. */
  detail?: string;
}

export interface FigureOptions {
  baseline?: { value: number; unit: string };
  /** On the figure, or (`ratio…`) on figure ÷ baseline, where only the same run's ratio carries over between machines. */
  goal?: { atMost: number } | { atLeast: number } | { ratioAtMost: number } | { ratioAtLeast: number };
  detail?: string;
}

function goalOf(goal: NonNullable<FigureOptions['goal']>, value: number, unit: string, ratio: number | null): { text: string; met: boolean } {
  if ('atMost' in goal) return { text: `≤ ${num(goal.atMost)} ${unit}`, met: value <= goal.atMost };
  if ('atLeast' in goal) return { text: `≥ ${num(goal.atLeast)} ${unit}`, met: value >= goal.atLeast };
  if ('ratioAtMost' in goal) return { text: `≤ ${goal.ratioAtMost}× baseline`, met: ratio !== null && ratio <= goal.ratioAtMost };
  return { text: `≥ ${goal.ratioAtLeast}× baseline`, met: ratio !== null && ratio >= goal.ratioAtLeast };
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
/** 1,813 or 0.27: thousands separated, small figures with their decimals. */
const num = (n: number) => (Math.abs(n) >= 100 ? fmt(n) : String(round(n)));

export function figure(workload: string, value: number, unit: string, options: FigureOptions = {}): Row {
  const { baseline, goal, detail } = options;
  const ratio = baseline && baseline.value > 0 ? value / baseline.value : null;
  const judged = goal ? goalOf(goal, value, unit, ratio) : null;
  const row: Row = {
    workload,
    value: round(value),
    unit,
    baseline: baseline ? round(baseline.value) : null,
    baselineUnit: baseline?.unit ?? null,
    ratio: ratio === null ? null : round(ratio),
    goal: judged?.text ?? null,
    met: judged?.met ?? null,
  };
  if (detail) row.detail = detail;
  return row;
}

/** The table for the README: one row per figure. */
export function markdownTable(rows: Row[]): string {
  const lines = ['| workload | figure | baseline (same run) | vs baseline | goal | met |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const value = `${num(r.value)} ${r.unit}${r.detail ? ` (${r.detail})` : ''}`;
    const baseline = r.baseline === null ? '—' : `${num(r.baseline)} ${r.baselineUnit}`;
    const met = r.met === null ? '—' : r.met ? 'met' : 'missed';
    lines.push(`| ${r.workload} | ${value} | ${baseline} | ${r.ratio === null ? '—' : `${r.ratio}×`} | ${r.goal ?? '—'} | ${met} |`);
  }
  return `${lines.join('\n')}\n`;
}

export interface HostedSimulator {
  simulator: WecomSimulator;
  base: string;
  close(): Promise<void>;
}

/** A simulated corp of the given size, served on loopback like WeCom's API host. */
export async function hostSimulator(corp: GenerateCorpOptions): Promise<HostedSimulator> {
  const simulator = createWecomSimulator({ corp: generateCorp(corp) });
  const server = await listen(createServer(simulator.listener));
  return { simulator, base: baseOf(server), close: () => closeServer(server) };
}

export interface ScratchDatabase {
  url: string;
  label: string;
  sequelize: Sequelize;
  config: Config;
  wecom: WecomClient;
  drop(): Promise<void>;
}

/**
 * An empty, migrated database of its own: a SQLite file, or a schema on the MySQL server of
 * `mysqlUrl`. `wecom` is a client of the hosted simulator.
 */
export async function scratchDatabase(name: string, mysqlUrl: string | undefined, wecomBase: string): Promise<ScratchDatabase> {
  let url: string;
  if (mysqlUrl) {
    const scratch = new URL(mysqlUrl);
    scratch.pathname = `/wcrm_${name}_${process.pid}`;
    url = scratch.toString();
  } else {
    url = `sqlite:${join(process.env.TMPDIR ?? '/tmp', `wcrm-${name}-${process.pid}.sqlite`)}`;
  }
  const config = loadConfig({ DATABASE_URL: url, WECOM_API_BASE: wecomBase });
  const sequelize = await openDatabase(config.database);
  await migrateUp(sequelize);
  const wecom = createWecomClient(config, new SqlKvStore(sequelize), logger);
  return {
    url,
    label: mysqlUrl ? 'MariaDB' : 'SQLite',
    sequelize,
    config,
    wecom,
    async drop() {
      if (mysqlUrl) await sequelize.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)}`);
      await sequelize.close();
      if (!mysqlUrl)
        for (const suffix of ['', '-wal', '-shm', '-journal'])
          await import('node:fs/promises').then((fs) => fs.rm(`${url.slice(7)}${suffix}`, { force: true }));
    },
  };
}

export interface ServerProcess {
  base: string;
  main: MainProcess;
  /** SIGKILL: no shutdown, no flush. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * server/main.ts as its own process on loopback, on this database, talking to the hosted
 * simulator. It is ready when /healthz answers (it logs only warnings, so load does not turn
 * into log volume).
 */
export async function startServer(databaseUrl: string, wecomBase: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const main = startMain(
    {
      PORT: String(port),
      PUBLIC_URL: base,
      DATABASE_URL: databaseUrl,
      WECOM_API_BASE: wecomBase,
      SESSION_SECRET: 'bench-session-secret-bench-session-secret',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'off',
      ...env,
      // e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to see where the server spends a run.
    },
    process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean),
  );
  let exited = false;
  void main.exited.then(() => (exited = true));
  await waitFor(
    async () => {
      if (exited) throw new Error(`the server exited during start-up:\n${main.output().slice(-3000)}`);
      return fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    60_000,
    'the server to answer /healthz',
  );
  return {
    base,
    main,
    async kill() {
      main.child.kill('SIGKILL');
      await main.exited;
    },
    async stop() {
      main.child.kill('SIGTERM');
      await main.exited;
    },
  };
}

/**
 * Session cookies of these employees, each through the real login: our authorize endpoint, the
 * simulator's consent page (on the hosted simulator, whose codes the server redeems), our callback.
 */
export async function login(server: ServerProcess, simulatorBase: string, userids: string[]): Promise<Map<string, string>> {
  const cookies = new Map<string, string>();
  for (const userid of userids) {
    const browser = new Browser(server.base);
    const authorize = await browser.beginLogin('/sidebar');
    const onSimulator = new URL(`${simulatorBase}${authorize.pathname.replace(/^\/__wecom/, '')}${authorize.search}`);
    const callback = await browser.pickEmployee(onSimulator, userid);
    const res = await browser.fetch(callback.toString());
    if (res.status !== 302) throw new Error(`login as ${userid} answered ${res.status}: ${await res.text()}`);
    cookies.set(userid, ['wcrm_session', 'wcrm_session.sig'].map((name) => `${name}=${browser.cookie(name)}`).join('; '));
  }
  return cookies;
}

export interface LoadStats {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** A fixed number of requests, or a duration in seconds. */
  amount?: number;
  duration?: number;
  /** Called per request: method, path (with query), headers, body. */
  next?: () => { method?: 'GET' | 'POST'; path?: string; headers?: Record<string, string>; body?: string };
  /** Status codes counted as success (default 2xx). */
  ok?: (status: number) => boolean;
  /** Run an unrecorded warm-up of a quarter as many requests first. */
  warmUp?: boolean;
  /** Wraps the measured run (not the warm-up), e.g. to read CPU counters either side of it. */
  around?: (run: () => Promise<LoadStats>) => Promise<LoadStats>;
}

/** autocannon over keep-alive connections; errors are connection errors, timeouts and non-OK statuses. */
export async function load(options: LoadOptions): Promise<LoadStats> {
  if (options.warmUp !== false && options.amount) await load({ ...options, amount: Math.ceil(options.amount / 4), warmUp: false, around: undefined });
  if (options.around) return options.around(() => load({ ...options, warmUp: false, around: undefined }));
  const target = new URL(options.url);
  let bad = 0;
  // Our own clock, from the start to the last response: autocannon notices the end of a bounded
  // run at its next sampling tick (~1 s, more on a loaded VM), so its duration — and any timer
  // around it — moves in steps, and a burst of 1–7 s read as a few fixed throughputs (25,000
  // requests: 19,802 / 9,950 / 4,988 / 3,322 per s, the same figure run after run).
  const started = performance.now();
  let lastResponseAt = started;
  const result = await autocannon({
    url: target.origin,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 10 }),
    timeout: 10,
    requests: [
      {
        setupRequest: (req) => {
          const spec = options.next?.() ?? {};
          return {
            ...req,
            method: spec.method ?? 'GET',
            path: spec.path ?? `${target.pathname}${target.search}`,
            headers: spec.headers ?? {},
            body: spec.body,
          };
        },
        onResponse: (status) => {
          lastResponseAt = performance.now();
          if (!(options.ok ?? ((s: number) => s >= 200 && s < 300))(status)) bad++;
        },
      },
    ],
  });
  return {
    rps: result.requests.total / ((lastResponseAt - started) / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: bad + result.errors + result.timeouts,
  };
}

/** Latency of `count` calls of `task`, `concurrency` at a time, in this process. */
export async function timeCalls(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<{ p50: number; p99: number; perSecond: number }> {
  const times: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const started = performance.now();
        await task(i);
        times.push(performance.now() - started);
      }
    }),
  );
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p99: at(0.99), perSecond: count / ((performance.now() - began) / 1000) };
}

/** Followed (employee, contact) pairs of the employees with the most contacts. */
export async function followedPairs(sequelize: Sequelize, employees: number): Promise<{ userid: string; externalUserid: string }[]> {
  const busiest = await sequelize.query<{ userid: string }>(
    'SELECT userid FROM wecom_follow_relations WHERE deleted_at IS NULL GROUP BY userid ORDER BY COUNT(*) DESC, userid LIMIT ?',
    { replacements: [employees], type: QueryTypes.SELECT },
  );
  const rows = await sequelize.query<{ userid: string; external_userid: string }>(
    `SELECT userid, external_userid FROM wecom_follow_relations WHERE deleted_at IS NULL AND userid IN (${busiest.map(() => '?').join(', ')})`,
    { replacements: busiest.map((b) => b.userid), type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ userid: r.userid, externalUserid: r.external_userid }));
}

/**
 * Logs in the `employees` with the most contacts and returns sidebar-card requests, each for one
 * of their followed contacts (spread over all of them), carrying its follower's session.
 */
export async function sidebarRequests(
  server: ServerProcess,
  simulatorBase: string,
  sequelize: Sequelize,
  employees: number,
): Promise<{ employees: number; next: () => { path: string; headers: Record<string, string> } }> {
  const pairs = await followedPairs(sequelize, employees);
  const cookies = await login(server, simulatorBase, [...new Set(pairs.map((p) => p.userid))]);
  let i = 0;
  return {
    employees: cookies.size,
    next: () => {
      const pair = pairs[(i++ * 7919) % pairs.length]!;
      return { path: `/api/sidebar/external-contacts/${encodeURIComponent(pair.externalUserid)}`, headers: { cookie: cookies.get(pair.userid)! } };
    },
  };
}

export async function count(sequelize: Sequelize, sql: string): Promise<number> {
  return Number((await sequelize.query<{ n: number }>(sql, { type: QueryTypes.SELECT }))[0]?.n ?? 0);
}

/** Until the event worker has taken every stored callback event to an end state. */
export async function waitForInbox(sequelize: Sequelize, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => (await count(sequelize, "SELECT COUNT(*) AS n FROM wecom_events WHERE status IN ('pending', 'processing')")) === 0,
    timeoutMs,
    'the inbox to drain',
  );
}

/** The callback credentials the server uses in simulator mode. */
export const CALLBACK = { token: SIMULATOR_DEFAULTS.callbackToken, encodingAesKey: SIMULATOR_DEFAULTS.callbackAesKey, receiveId: SIMULATOR_DEFAULTS.corpId };

/** The `n`th change_external_contact callback of a load (its own CreateTime), sealed as WeCom sends it: the query and the body. */
export function sealedContactChange(crypto: CallbackCrypto, n: number, change: string, follow: { userid: string; externalUserid: string }) {
  return crypto.seal(
    buildCallbackXml({
      ToUserName: CALLBACK.receiveId,
      FromUserName: 'sys',
      CreateTime: 1_760_000_000 + n,
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: change,
      UserID: follow.userid,
      ExternalUserID: follow.externalUserid,
    }),
  );
}

/** Peak resident memory of a process so far (VmHWM), in bytes; 0 once it has exited. */
export function peakRss(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export function listen(server: Server): Promise<Server> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

export function baseOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
