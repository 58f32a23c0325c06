import { freePort, startMain, waitFor } from '../helpers/process';

describe('server/main.ts as a process', () => {
  it('exits non-zero with one line naming PORT when PORT is not a number', async () => {
    const main = startMain({ PORT: 'abc' });

    const code = await main.exited;

    expect(code).not.toBe(0);
    expect(main.output().trim()).toBe('Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")');
  });

  it('serves, then on SIGTERM stops accepting, closes the database and exits 0', async () => {
    const port = await freePort();
    const main = startMain({ PORT: String(port), DATABASE_URL: 'sqlite::memory:' });
    await waitFor(() => main.output().includes('"listening"'), 20_000);

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    main.child.kill('SIGTERM');
    const code = await main.exited;

    expect(ready.status).toBe(200);
    if (code !== 0) throw new Error(`exit code ${code}; output:\n${main.output().slice(-2000)}`);
    expect(main.output()).toContain('"stopped"');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
