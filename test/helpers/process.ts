/** Runs the server (scripts/start.ts: server/main.ts with the simulator) as a real child process, for tests of start-up, shutdown and crashes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createScratchDatabase, type DatabaseTarget } from './database';

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
  await waitFor(() => main.output().includes('"listening"'), 30_000, 'the server to listen').catch((err: Error) => {
    throw new Error(`${err.message}; it printed:\n${main.output().slice(-3000)}`);
  });
  return main;
}

/**
 * A database a child server process can open (SQLite: a file in a temporary folder, MySQL: a
 * scratch schema), for crash tests; `drop` removes it. The child migrates it on start.
 */
export async function childDatabase(target: DatabaseTarget): Promise<{ url: string; drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'wcrm-child-'));
  const scratch = target.label === 'sqlite' ? undefined : await createScratchDatabase(target, { migrate: false });
  return {
    url: scratch ? scratch.config.url : `sqlite:${join(dir, 'crm.sqlite')}`,
    async drop() {
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
