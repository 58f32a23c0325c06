import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

function startMain(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(TSX, ['server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('server/main.ts as a process', () => {
  it('exits non-zero with one line naming PORT when PORT is not a number', async () => {
    const main = startMain({ PORT: 'abc' });

    const code = await main.exited;

    expect(code).not.toBe(0);
    expect(main.output().trim()).toBe(
      'Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")',
    );
  });

  it('serves, then on SIGTERM stops accepting, closes the database and exits 0', async () => {
    const port = await freePort();
    const main = startMain({ PORT: String(port), DATABASE_URL: 'sqlite::memory:' });
    await waitFor(() => main.output().includes('"listening"'), 20_000);

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    main.child.kill('SIGTERM');
    const code = await main.exited;

    expect(ready.status).toBe(200);
    expect(code).toBe(0);
    expect(main.output()).toContain('"stopped"');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
