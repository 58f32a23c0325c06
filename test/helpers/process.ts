/** Runs the server (scripts/start.ts: server/main.ts with the simulator) as a real child process, for tests of start-up, shutdown and crashes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createScratchDatabase, type DatabaseTarget } from './database';
import { sqliteTemplateFile } from './template-database';
import type { Sequelize } from 'sequelize';
import { openDatabase } from '../../server/db';

const ROOT = resolve(__dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

export interface MainProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function startMain(env: Record<string, string>, nodeArgs: string[] = []): MainProcess {
  let output = '';
  // node itself, not the tsx CLI (which forks a second process): signals must reach the server.
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the server and waits until it listens; a timeout error carries what it printed. */
export async function bootMain(env: Record<string, string>): Promise<MainProcess> {
  const main = startMain(env);
  // A child migrates an empty database before it listens (every migration on MariaDB, tsx compiling
  // the server): 30 s ran out once on a CI box busy with both jest workers; the wait ends on "listening".
  await waitFor(() => main.output().includes('"listening"'), 90_000, 'the server to listen').catch((err: Error) => {
    throw new Error(`${err.message}; it printed:\n${main.output().slice(-3000)}`);
  });
  return main;
}

/**
 * A database a child server process can open (SQLite: a file in a temporary folder, MySQL: a
 * scratch schema), for crash tests; `drop` removes it. It holds the run's migrated template when
 * there is one, so the child's start-up migration finds nothing to do (running every migration
 * on MariaDB took seconds of each boot); else the child migrates it on start.
 */
export async function childDatabase(target: DatabaseTarget): Promise<{ url: string; drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'wcrm-child-'));
  const file = join(dir, 'crm.sqlite');
  const template = sqliteTemplateFile();
  if (target.label === 'sqlite' && template) copyFileSync(template, file);
  const scratch = target.label === 'sqlite' ? undefined : await createScratchDatabase(target);
  return {
    url: scratch ? scratch.config.url : `sqlite:${file}`,
    async drop() {
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A crash test's surroundings: a scratch database for child server processes, a connection of
 * the test's own to look at it, and clean-up of the last process started (killed) afterwards.
 */
export interface CrashHarness {
  readonly url: string;
  /** The test's own connection (opened on first use). */
  db(): Promise<Sequelize>;
  /** Remembers the current server process, so it is killed if the test ends early. */
  main: MainProcess | undefined;
}

export function useCrashHarness(target: DatabaseTarget): CrashHarness {
  let database: Awaited<ReturnType<typeof childDatabase>>;
  let connection: Sequelize | undefined;
  const harness: CrashHarness = {
    get url() {
      return database.url;
    },
    async db() {
      const url = database.url;
      connection ??= await openDatabase(url.startsWith('sqlite:') ? { dialect: 'sqlite', storage: url.slice(7), url } : { dialect: 'mysql', url });
      return connection;
    },
    main: undefined,
  };
  beforeAll(async () => {
    database = await childDatabase(target);
  });
  afterAll(async () => {
    harness.main?.child.kill('SIGKILL');
    await connection?.close();
    await database.drop();
  });
  return harness;
}
