import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { z } from 'zod';
import { errorHandler } from '../../server/http/errors';
import { requestId } from '../../server/http/request-id';
import { validate } from '../../server/http/validate';
import { createLogger } from '../../server/logger';
import type { FieldIssue } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { startTestServer } from '../helpers/server';
import { loggedIn } from '../helpers/session';

describe.each(databaseTargets())('HTTP app on $label', (target) => {
  const { server } = useCrmServer(target);

  it('answers /healthz', async () => {
    const res = await fetch(`${server.baseUrl}/healthz`);

    expect(res.status).toBe(200);
    expect(await bodyOf(res)).toEqual({ ok: true });
  });

  it('answers /readyz after pinging the database', async () => {
    const res = await fetch(`${server.baseUrl}/readyz`);

    expect(res.status).toBe(200);
    expect(await bodyOf(res)).toEqual({ ok: true, database: 'up' });
  });

  it('sends JSON over 1 KB brotli-compressed to a browser that accepts it, and says it varies', async () => {
    const browser = await loggedIn(server, 'admin');

    const res = await browser.fetch('/api/dictionaries', { headers: { 'accept-encoding': 'br, gzip' } });

    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('vary')).toContain('Accept-Encoding');
    expect(await bodyOf(res)).toHaveProperty('customer_source');
  });

  it('leaves a small JSON answer uncompressed', async () => {
    const res = await fetch(`${server.baseUrl}/healthz`, { headers: { 'accept-encoding': 'br, gzip' } });

    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await bodyOf(res)).toEqual({ ok: true });
  });

  it('reports an unknown API path as a JSON 404', async () => {
    const res = await fetch(`${server.baseUrl}/api/nothing-here`);

    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'not_found' });
  });

  it('reports a wrong method as a JSON 405', async () => {
    const res = await fetch(`${server.baseUrl}/healthz`, { method: 'DELETE' });

    expect(res.status).toBe(405);
    expect((await errorOf(res)).code).toBe('method_not_allowed');
  });

  it('rejects a JSON body over the limit with 413', async () => {
    const res = await fetch(`${server.baseUrl}/api/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(1_100_000) }),
    });

    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('payload_too_large');
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await fetch(`${server.baseUrl}/api/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated":',
    });

    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('bad_request');
  });

  it('sets security headers on every response', async () => {
    const res = await fetch(`${server.baseUrl}/healthz`);

    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const kept = await fetch(`${server.baseUrl}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    const replaced = await fetch(`${server.baseUrl}/healthz`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });

    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes the product mode but no secrets on /api/meta', async () => {
    const res = await fetch(`${server.baseUrl}/api/meta`);
    const text = await res.text();

    expect(JSON.parse(text)).toMatchObject({ product: 'wecom-crm', wecomMode: 'simulator' });
    expect(text).not.toContain(server.config.wecom.agentSecret);
  });
});

describe('readiness when the database is gone', () => {
  it('answers /readyz with 503 and /healthz with 200', async () => {
    const server = await startTestServer();
    await server.db.sequelize.close();

    const ready = await fetch(`${server.baseUrl}/readyz`);
    const live = await fetch(`${server.baseUrl}/healthz`);

    expect(ready.status).toBe(503);
    expect((await errorOf(ready)).code).toBe('not_ready');
    expect(live.status).toBe(200);
    await server.close().catch(() => {});
  });
});

describe('error handler', () => {
  // A minimal app on the real middleware, with routes that fail in each way a handler can.
  let baseUrl: string;
  let close: () => Promise<void>;
  const logged: string[] = [];

  beforeAll(async () => {
    const logger = createLogger('error', { write: (line: string) => void logged.push(line) });
    const app = new Koa();
    app.silent = true;
    app.use(requestId(logger));
    app.use(errorHandler);
    app.use(async (ctx) => {
      if (ctx.path === '/validate') {
        validate(z.object({ name: z.string().min(1), age: z.coerce.number().int() }), ctx.query);
      }
      if (ctx.path === '/crash') throw new Error('secret internal detail at db.ts:42');
      ctx.body = { ok: true };
    });
    const http = createServer(app.callback());
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    close = () => new Promise((r) => http.close(() => r()));
  });
  afterAll(() => close());

  it('answers a validation failure with 400 and the names of the bad fields', async () => {
    const res = await fetch(`${baseUrl}/validate?age=old`);
    const error = await errorOf(res);

    expect(res.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect((error.details as FieldIssue[]).map((d) => d.field).sort()).toEqual(['age', 'name']);
  });

  it('answers an unexpected error with a generic 500 and logs the stack', async () => {
    const res = await fetch(`${baseUrl}/crash`);
    const text = await res.text();

    expect(res.status).toBe(500);
    expect(JSON.parse(text).error.code).toBe('internal');
    expect(text).not.toContain('secret internal detail');
    expect(text).not.toContain('db.ts');
    expect(logged.join('\n')).toContain('secret internal detail');
  });
});
