/**
 * Issue 29 (hardening): one request must never stop the server nor answer 500. A multipart body
 * cut off before its closing boundary made busboy's file stream emit an 'error' nobody listened
 * to, which ended the process; deeply nested JSON overflowed the stack of the input walk, and a
 * lone UTF-16 surrogate reached the database. Every test here failed on the code before the fix.
 */
import { request } from 'node:http';
import xlsx from 'node-xlsx';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { FieldIssue } from '@shared/http';
import type { ImportJobView } from '@shared/imports';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { bootMain, freePort, useCrashHarness, waitFor } from '../helpers/process';
import { Browser, loggedIn } from '../helpers/session';
import { SESSION_COOKIE } from '../../server/modules/auth/session';

/** A form whose file part starts (an xlsx's magic bytes) and never reaches `--X--`. */
const TRUNCATED_FORM = Buffer.concat([
  Buffer.from('--X\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n'),
  Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  Buffer.from('abc'),
]);

/**
 * POSTs `body` exactly as given with node:http (fetch would refuse to send a malformed form) and
 * ends the request there, so the server really reads a body that stops mid-file.
 */
function postRaw(base: string, path: string, cookie: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request(`${base}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'multipart/form-data; boundary=X', 'content-length': String(body.length) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode!, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('the server process under requests that used to stop it', () => {
  const harness = useCrashHarness({ label: 'sqlite' });
  let base: string;
  let cookie: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    harness.main = await bootMain({
      PORT: String(port),
      PUBLIC_URL: base,
      DATABASE_URL: harness.url,
      SESSION_SECRET: 'hardening-requests-session-secret-0123456789',
      IMPORT_BATCH_SIZE: '20',
      LOG_LEVEL: 'info',
    });
    const db = await harness.db();
    await waitFor(async () => (await count(db, "SELECT COUNT(*) AS n FROM users WHERE wecom_userid = 'admin'")) === 1, 30_000, 'the demo org');
    const admin = new Browser(base);
    await admin.login('admin');
    cookie = [SESSION_COOKIE, `${SESSION_COOKIE}.sig`]
      .filter((name) => admin.cookie(name) !== undefined)
      .map((name) => `${name}=${admin.cookie(name)}`)
      .join('; ');
  }, 120_000);

  afterAll(async () => {
    harness.main?.child.kill('SIGTERM');
    await harness.main?.exited;
    harness.main = undefined;
  });

  it.each(['/api/imports?kind=customers&dryRun=true', '/api/media'])('answers %s with a Chinese 400 and keeps serving', async (path) => {
    const res = await postRaw(base, path, cookie, TRUNCATED_FORM);
    const health = await fetch(`${base}/healthz`);

    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'validation_failed', message: '上传的内容不完整或格式不正确，请重新上传' } });
    expect(health.status).toBe(200);
    expect(harness.main!.child.exitCode).toBeNull();
  });

  it('keeps serving when a background import ends in an error nobody waits for', async () => {
    const admin = new Browser(base);
    await admin.login('admin');
    const rows = Array.from({ length: 3000 }, (_, i) => [`后台客户${i}`, `135000${String(i).padStart(5, '0')}`]);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(xlsx.build([{ name: 'Sheet1', data: [['客户名称', '手机号'], ...rows], options: {} }]))]), 'many.xlsx');
    const started = (await (await admin.fetch('/api/imports?kind=customers&dryRun=false', { method: 'POST', body: form })).json()) as ImportJobView;
    const db = await harness.db();
    await waitFor(async () => (await count(db, `SELECT processed AS n FROM import_jobs WHERE id = ${started.id}`)) > 0, 30_000, 'the first batch');

    // The job vanishes under its runner (as it would if the database went away): reading it back
    // for the background task's result fails, and nobody awaits that task.
    await retryWhileBusy(() => db.query('DELETE FROM import_jobs WHERE id = ?', { replacements: [started.id] }));
    await waitFor(() => harness.main!.output().includes('import job failed'), 30_000, 'the import to fail');
    await new Promise((r) => setTimeout(r, 300));
    const health = await fetch(`${base}/healthz`).catch(() => null);

    expect(health?.status).toBe(200);
    expect(harness.main!.child.exitCode).toBeNull();
  }, 90_000);

  it('settles an upload whose client hangs up mid-file instead of waiting for the rest forever', async () => {
    const answered = () =>
      harness
        .main!.output()
        .split('\n')
        .filter((line) => line.includes('"path":"/api/media"')).length;
    const before = answered();

    await abandonUpload(base, '/api/media', cookie, TRUNCATED_FORM);
    await waitFor(() => answered() > before, 5_000, 'the abandoned upload to be answered');
    const health = await fetch(`${base}/healthz`);

    expect(health.status).toBe(200);
  });
});

/**
 * Starts a POST announcing a bigger body than it sends, sends `body`, then hangs up: a client gone
 * mid-upload (a phone losing its network).
 */
function abandonUpload(base: string, path: string, cookie: string, body: Buffer): Promise<void> {
  return new Promise((done) => {
    const req = request(`${base}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'multipart/form-data; boundary=X', 'content-length': String(body.length + 100_000) },
    });
    req.on('error', () => done());
    req.write(body, () => setTimeout(() => req.destroy(), 200));
    req.on('close', () => done());
  });
}

describe.each(databaseTargets())('request bodies no parser or walk should choke on, on $label', (target) => {
  const { server } = useCrmServer(target);
  let rep: Browser;

  beforeAll(async () => {
    rep = await loggedIn(server, 'rep-east-1');
  });

  const postCustomer = (body: string) => rep.fetch('/api/customers', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers JSON nested thousands deep with a 400, not a stack overflow', async () => {
    const res = await postCustomer(`{"type":"individual","name":"深层客户","tags":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);

    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect((error.details as FieldIssue[])[0]).toMatchObject({ field: expect.stringMatching(/^tags\.0\.0/), message: expect.stringContaining('嵌套层级过深') });
  });

  it('answers a gzip-encoded body that is not gzip with a 400, not a 500', async () => {
    const res = await rep.fetch('/api/customers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"type":"individual","name":"不是压缩包"}',
    });

    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe('请求内容不是有效的 JSON');
  });

  it('says in Chinese that a JSON body is over the limit', async () => {
    const res = await postCustomer(JSON.stringify({ type: 'individual', name: '大', notes: 'x'.repeat(1_100_000) }));

    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toBe('请求内容过大（JSON 不能超过 1 MB）');
  });

  it('answers a string holding a lone UTF-16 surrogate with a 400 naming the field, and stores nothing', async () => {
    const res = await postCustomer('{"type":"individual","name":"半个\\ud800字"}');

    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toEqual([{ field: 'name', message: '包含无法识别的字符（不完整的 Unicode 编码）' }]);
    expect(await count(server.db.sequelize, "SELECT COUNT(*) AS n FROM customers WHERE name LIKE '半个%'")).toBe(0);
  });

  it('still takes a character outside the BMP (a proper surrogate pair)', async () => {
    const res = await postCustomer('{"type":"individual","name":"生僻字\\ud840\\udc0b客户"}');

    expect(res.status).toBe(201);
  });
});

async function count(db: Sequelize, sql: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, { type: QueryTypes.SELECT });
  return Number(row?.n ?? 0);
}

/** Runs `statement` again while the server process holds SQLite's write lock. */
async function retryWhileBusy<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (err) {
      if (attempt >= 100 || !/SQLITE_BUSY/.test(String((err as Error).message))) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
