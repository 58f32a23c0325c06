/**
 * The `customer_counts` rollup (migration 0022, kept by triggers on `customers`), on SQLite and
 * on MySQL: after each write path it equals the live GROUP BY; `npm run rollups:rebuild` repairs
 * a corrupted one; the customers dashboard read from it equals the old live aggregate.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import xlsx from 'node-xlsx';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { CustomerDashboard } from '@shared/dashboard';
import type { ImportJobView } from '@shared/imports';
import type { ProductView } from '@shared/products';
import { openDatabase } from '../../server/db';
import { sqlList } from '../../server/db/dialect';
import { liveCustomerCounts, storedCustomerCounts } from '../../server/modules/customers/rollup';
import { customerDashboard, periodRange } from '../../server/modules/dashboard/service';
import { listDictionaries } from '../../server/modules/dictionaries/service';
import { descendantsOf, loadAccess, scopeSql, type Access } from '../../server/modules/roles/access';
import { rebuildRollups } from '../../scripts/rebuild-rollups';
import { ASSESSED_C5, productWithNavs } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { syncExternalContacts } from '../helpers/server';

const DAY = 86_400_000;
const ROOT = resolve(__dirname, '../..');

/** The customers dashboard's figures as computed before the rollup: one GROUP BY over live customers. */
async function liveFigures(sequelize: Sequelize, access: Access, departmentId: number | undefined, period: string, now: Date) {
  const range = periodRange(period, now);
  let scope = scopeSql(access, { owner: 'c.owner_user_id', department: 'c.department_id' });
  if (departmentId) {
    const subtree = await descendantsOf(sequelize, [departmentId]);
    scope = { sql: `${scope.sql} AND c.department_id IN (${sqlList(subtree)})`, params: [...scope.params, ...subtree] };
  }
  const groups = await sequelize.query<{ source: string | null; stage: string; level: string | null; n: number; fresh: number; stale: number }>(
    `SELECT c.source AS source, c.lifecycle_stage AS stage, c.level AS level, COUNT(*) AS n,
            SUM(CASE WHEN c.created_at >= ? AND c.created_at < ? THEN 1 ELSE 0 END) AS fresh,
            SUM(CASE WHEN c.last_follow_up_at IS NULL OR c.last_follow_up_at < ? THEN 1 ELSE 0 END) AS stale
       FROM customers c WHERE c.deleted_at IS NULL AND ${scope.sql}
      GROUP BY c.source, c.lifecycle_stage, c.level`,
    {
      replacements: [
        new Date(`${range.from}T00:00:00+08:00`),
        new Date(new Date(`${range.to}T00:00:00+08:00`).getTime() + DAY),
        new Date(now.getTime() - 30 * DAY),
        ...scope.params,
      ],
      type: QueryTypes.SELECT,
    },
  );
  const labels = await listDictionaries(sequelize);
  const tally = (pick: (g: (typeof groups)[number]) => string | null, dictionary: { code: string; label: string }[]) => {
    const counts = new Map<string | null, number>();
    for (const g of groups) counts.set(pick(g), (counts.get(pick(g)) ?? 0) + Number(g.n));
    return [...counts]
      .map(([code, count]) => ({ code, label: dictionary.find((v) => v.code === code)?.label ?? (code === null ? '未填写' : code), count }))
      .sort((a, b) => b.count - a.count || (a.code ?? '\uffff').localeCompare(b.code ?? '\uffff'));
  };
  const sum = (k: 'n' | 'fresh' | 'stale') => groups.reduce((s, g) => s + Number(g[k]), 0);
  return {
    total: sum('n'),
    newInPeriod: sum('fresh'),
    noFollowUp30Days: sum('stale'),
    bySource: tally((g) => g.source, labels.customer_source),
    byStage: tally((g) => g.stage, labels.lifecycle_stage),
    byLevel: tally((g) => g.level, labels.customer_level),
  };
}

const figuresOf = (d: CustomerDashboard) => ({
  total: d.total,
  newInPeriod: d.newInPeriod,
  noFollowUp30Days: d.noFollowUp30Days,
  bySource: d.bySource,
  byStage: d.byStage,
  byLevel: d.byLevel,
});

describe.each(databaseTargets())('the customer counts rollup on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let db: Sequelize;
  let seq = 0;
  const customer = (userid: string, body: Record<string, unknown> = {}) =>
    api.send<CustomerView>(userid, 'POST', '/api/customers', {
      type: 'individual',
      name: `汇总客户${++seq}`,
      phone: `1360000${String(seq).padStart(4, '0')}`,
      ...body,
    });
  const patch = (userid: string, c: CustomerView, body: Record<string, unknown>) =>
    api.send<CustomerView>(userid, 'PATCH', `/api/customers/${c.id}`, { version: c.version, ...body });
  const inStep = async () => expect(await storedCustomerCounts(db)).toEqual(await liveCustomerCounts(db));
  const raw = (sql: string, replacements: unknown[] = []) => db.query(sql, { replacements });

  beforeAll(async () => {
    db = server.db.sequelize;
  });

  it('counts a customer created through the API', async () => {
    await customer('rep-east-1', { source: 'referral', level: 'vip', lifecycleStage: 'intent' });
    await customer('rep-east-2');

    await inStep();
    expect((await storedCustomerCounts(db)).reduce((n, r) => n + r.customer_count, 0)).toBe(2);
  });

  it('moves the count when the stage, level and source change, and to none', async () => {
    let c = await customer('rep-east-1', { source: 'wecom', level: 'normal' });

    c = await patch('rep-east-1', c, { lifecycleStage: 'opportunity' });
    c = await patch('rep-east-1', c, { level: 'important', source: 'event' });
    await patch('rep-east-1', c, { level: null, source: null });

    await inStep();
  });

  it('takes a deleted customer out', async () => {
    const c = await customer('rep-east-3', { source: 'phone' });

    const res = await (await api.as('rep-east-3')).fetch(`/api/customers/${c.id}`, { method: 'DELETE' });

    expect(res.status).toBeLessThan(300);
    await inStep();
  });

  it('moves customers to the new owner and department on a transfer', async () => {
    const a = await customer('rep-east-1', { source: 'website' });
    const b = await customer('rep-east-1', { source: 'website' });

    await api.send('mgr-east', 'POST', '/api/transfers', { customerIds: [a.id, b.id], toUserId: await api.userId('rep-east-3') }, 200);

    await inStep();
  });

  it('drops the merged-away customer on a merge', async () => {
    const keep = await customer('rep-east-1', { level: 'vip' });
    const dup = await customer('rep-east-2', { level: 'potential', source: 'event' });

    await api.send('admin', 'POST', `/api/customers/${keep.id}/merge`, { sourceIds: [dup.id] }, 200);

    await inStep();
  });

  it('counts an Excel import', async () => {
    const file = xlsx.build([
      {
        name: 'Sheet1',
        data: [
          ['客户名称', '手机号', '客户等级'],
          ['导入汇总甲', '13955550001', 'vip'],
          ['导入汇总乙', '13955550002', null],
        ],
        options: {},
      },
    ]);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)]), 'customers.xlsx');
    const res = await (await api.as('admin')).fetch('/api/imports?kind=customers&mode=create&dryRun=false', { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as ImportJobView;
    let job: ImportJobView;
    do {
      await new Promise((r) => setTimeout(r, 25));
      job = await api.get<ImportJobView>('admin', `/api/imports/${id}`);
    } while (job.status !== 'succeeded' && job.status !== 'failed');

    expect(job).toMatchObject({ status: 'succeeded', created: 2 });
    await inStep();
  });

  it('counts the leads the external-contact sync creates', async () => {
    await api.send('admin', 'PATCH', '/api/admin/settings', { autoCreateLeads: true });
    for (const [i, userid] of ['rep-east-1', 'rep-east-2', 'rep-south-1'].entries()) {
      server.simulator.state.addExternalContact(
        { external_userid: `wmROLLUP${i}`, type: 1, name: `汇总线索${i}` },
        { userid, remark: '', description: '', add_way: 1, tag_ids: [], remark_mobiles: [`1380013900${i}`] },
      );
    }

    const run = await syncExternalContacts(server);
    const [leads] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM customers WHERE name LIKE '汇总线索%'", { type: QueryTypes.SELECT });

    expect(run.status).toBe('succeeded');
    expect(Number(leads!.n)).toBe(3);
    await inStep();
  });

  it('stays in step through a sale (a sale writes no counted column)', async () => {
    const product = await productWithNavs<ProductView>(api, { code: 'ROLL001', name: '汇总测试产品', category: 'public_fund', riskLevel: 'R2' });
    const c = await customer('rep-east-2', { ...ASSESSED_C5, lifecycleStage: 'opportunity' });

    await api.send('rep-east-2', 'POST', '/api/sales', { productId: product.id, customerId: c.id, amount: 1000, soldOn: '2026-03-02', channel: 'direct' });

    await inStep();
  });

  it('leaves the rollup alone on a follow-up, which only ends "no follow-up for 30 days"', async () => {
    const c = await customer('rep-east-1', { source: 'referral' });
    const admin = await loadAccess(db, await api.userId('admin'));
    const before = await customerDashboard(db, admin, {});
    const [stamp] = await db.query<{ at: string }>('SELECT MAX(updated_at) AS at FROM customer_counts', { type: QueryTypes.SELECT });

    await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/follow-ups`, { channel: 'phone', content: '电话沟通' });
    const after = await customerDashboard(db, admin, {});
    const [again] = await db.query<{ at: string }>('SELECT MAX(updated_at) AS at FROM customer_counts', { type: QueryTypes.SELECT });

    expect([after.total, after.noFollowUp30Days]).toEqual([before.total, before.noFollowUp30Days - 1]);
    expect(again).toEqual(stamp);
    await inStep();
  });

  it('follows bulk SQL around the services: a multi-row insert, updates and a hard delete', async () => {
    const [east1, south1] = [await api.userId('rep-east-1'), await api.userId('rep-south-1')];
    const at = new Date();
    const row = (n: number, owner: number, department: number, source: string | null, deleted: Date | null) => [
      `批量客户${n}`,
      'individual',
      'active',
      'lead',
      source,
      owner,
      department,
      deleted,
      new Date(`2026-0${(n % 9) + 1}-15T12:00:00+08:00`),
      at,
    ];
    const rows = [row(1, east1, 2, 'wecom', null), row(2, east1, 2, null, null), row(3, south1, 3, 'event', null), row(4, south1, 3, 'event', at)];
    await raw(
      `INSERT INTO customers (name, type, status, lifecycle_stage, source, owner_user_id, department_id, deleted_at, created_at, updated_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      rows.flat(),
    );
    await inStep();

    await raw("UPDATE customers SET lifecycle_stage = 'intent', department_id = 6 WHERE name LIKE '批量客户%'");
    await raw("UPDATE customers SET deleted_at = NULL WHERE name = '批量客户4'");
    await raw("UPDATE customers SET deleted_at = ? WHERE name = '批量客户1'", [at]);
    await inStep();

    await raw("DELETE FROM customers WHERE name IN ('批量客户1', '批量客户2')");
    await inStep();
  });

  it('is rebuilt from the live customers by the rebuild command, reporting the drift', async () => {
    await raw('UPDATE customer_counts SET customer_count = customer_count + 5 WHERE owner_user_id = ?', [await api.userId('rep-east-1')]);
    await raw(`DELETE FROM customer_counts WHERE owner_user_id = ?`, [await api.userId('rep-east-2')]);
    await raw(
      "INSERT INTO customer_counts (department_id, owner_user_id, source, lifecycle_stage, level, acquisition_channel, created_month, customer_count, created_at, updated_at) VALUES (999, 999, '', 'lead', '', '', '2020-01', 7, ?, ?)",
      [new Date(), new Date()],
    );
    expect(await storedCustomerCounts(db)).not.toEqual(await liveCustomerCounts(db));

    const drift = await rebuildRollups(db);

    expect(drift).toBeGreaterThan(2);
    await inStep();
    expect(await rebuildRollups(db)).toBe(0);
  });

  it('gives the dashboard the figures of the live aggregate, for every scope, department and period', async () => {
    const now = new Date();
    // Around the China month boundaries of 2026-Q3, followed up on both sides of the 30-day cutoff.
    const edges: [string, string | null, number | null][] = [
      ['2026-06-30T23:59:00+08:00', 'wecom', 31],
      ['2026-07-01T00:01:00+08:00', null, 29],
      ['2026-09-30T23:59:00+08:00', 'event', null],
      ['2026-10-01T00:00:00+08:00', 'referral', 1],
    ];
    for (const [i, [created, source, followedDaysAgo]] of edges.entries()) {
      await raw(
        `INSERT INTO customers (name, type, status, lifecycle_stage, source, level, owner_user_id, department_id, last_follow_up_at, created_at, updated_at)
         VALUES (?, 'individual', 'active', 'customer', ?, ?, ?, ?, ?, ?, ?)`,
        [
          `边界客户${i}`,
          source,
          i % 2 ? 'vip' : null,
          await api.userId(i < 2 ? 'rep-east-3' : 'rep-south-1'),
          i < 2 ? 6 : 3,
          followedDaysAgo === null ? null : new Date(now.getTime() - followedDaysAgo * DAY),
          new Date(created),
          now,
        ],
      );
    }
    const thisMonth = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
    const cases: [string, number | undefined][] = [
      ['admin', undefined],
      ['admin', 6],
      ['admin', 3],
      ['mgr-east', undefined],
      ['mgr-east', 2],
      ['mgr-south', undefined],
    ];
    for (const [userid, departmentId] of cases) {
      const access = await loadAccess(db, await api.userId(userid));
      for (const period of ['2026-Q3', '2026-07', '2026-09', '2026', thisMonth]) {
        const board = await customerDashboard(db, access, { period, departmentId }, now);

        expect({ userid, departmentId, period, ...figuresOf(board) }).toEqual({
          userid,
          departmentId,
          period,
          ...(await liveFigures(db, access, departmentId, period, now)),
        });
      }
    }
    const d = await api.get<CustomerDashboard>('mgr-east', '/api/dashboard/customers?period=2026-Q3');
    expect(figuresOf(d)).toEqual(await liveFigures(db, await loadAccess(db, await api.userId('mgr-east')), undefined, '2026-Q3', new Date()));
  });
});

describe('npm run rollups:rebuild', () => {
  it('repairs the rollups of DATABASE_URL and says how many keys were off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wcrm-rollups-'));
    const url = `sqlite:${join(dir, 'crm.sqlite')}`;
    const run = (script: string) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_URL: url, LOG_LEVEL: 'warn' } });
    try {
      await run('scripts/migrate.ts');
      const db = await openDatabase({ dialect: 'sqlite', storage: join(dir, 'crm.sqlite'), url });
      const at = new Date();
      await db.query("INSERT INTO users (wecom_userid, name, status, created_at, updated_at) VALUES ('u1', '甲', 'active', ?, ?)", { replacements: [at, at] });
      await db.query(
        "INSERT INTO customers (name, type, status, lifecycle_stage, owner_user_id, department_id, created_at, updated_at) VALUES ('甲客户', 'individual', 'active', 'lead', 1, 1, ?, ?)",
        { replacements: [at, at] },
      );
      await db.query('UPDATE customer_counts SET customer_count = 40');

      const { stdout } = await run('scripts/rebuild-rollups.ts');
      const counts = await storedCustomerCounts(db);
      await db.close();

      expect(stdout).toContain('客户计数有 1 组不一致，已修正');
      expect(counts.map((c) => c.customer_count)).toEqual([1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
