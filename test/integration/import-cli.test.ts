import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import { openDatabase } from '../../server/db';

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

/** `npm run import` against a database file: the same job, a progress bar and the summary. */
describe('the import CLI', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (script: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wcrm-import-cli-'));
    env = { PATH: process.env.PATH, DATABASE_URL: `sqlite:${join(dir, 'crm.sqlite')}`, LOG_LEVEL: 'warn' };
    await cli('scripts/sync.ts', 'org');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports as the given person and prints the summary with row errors', async () => {
    const { stdout } = await cli('scripts/import.ts', 'customers', 'test/fixtures/imports/messy-customers.xlsx', '--as', 'admin');
    const db = await openDatabase({ dialect: 'sqlite', storage: join(dir, 'crm.sqlite'), url: env.DATABASE_URL! });
    const [row] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM customers WHERE name IN ('张三', '钱七', '孙八')", { type: QueryTypes.SELECT });
    await db.close();

    expect(stdout).toContain('导入客户：messy-customers.xlsx，共 7 行数据');
    expect(stdout).toContain('完成');
    expect(stdout).toContain('新增 3，更新 0，跳过 1，失败 3');
    expect(stdout).toContain('第 9 行【客户等级】：不是有效的客户等级');
    expect(Number(row!.n)).toBe(3);
  }, 60_000);

  it('exits non-zero with a clear message for someone without the import permission', async () => {
    const failure = await cli('scripts/import.ts', 'customers', 'test/fixtures/imports/messy-customers.xlsx', '--as', 'rep-east-1').catch(
      (err: { code: number; stderr: string }) => err,
    );

    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('没有导入权限') });
  }, 60_000);
});
