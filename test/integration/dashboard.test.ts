/**
 * Dashboards over a hand-built dataset whose figures are computed by hand below, for each scope,
 * on SQLite and on MySQL. Period 2026-Q3 (China days 2026-07-01 … 2026-09-30).
 */
import type { MyPeriod } from '@shared/dashboard';
import { businessDate } from '@shared/time';
import type { ConsignmentDashboard, CustomerDashboard, SalesDashboard, TargetDashboard } from '@shared/dashboard';
import { rebuildFollowUpRollup } from '../../server/modules/follow-ups/rollup';
import { rebuildSalesRollup } from '../../server/modules/trades/rollup';
import { crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

const DAY = 86_400_000;

describe.each(databaseTargets())('dashboards on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  const board = <T>(userid: string, name: string, query = 'period=2026-Q3') => api.get<T>(userid, `/api/dashboard/${name}?${query}`);

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
    const db = server.db.sequelize;
    const [east1, east3, south1] = (await Promise.all(['rep-east-1', 'rep-east-3', 'rep-south-1'].map((u) => api.userId(u)))) as [number, number, number];
    const now = Date.now();
    const insert = async (table: string, row: Record<string, unknown>) => {
      const at = new Date();
      const full = { created_at: at, updated_at: at, ...row };
      await db.query(
        `INSERT INTO ${table} (${Object.keys(full).join(', ')}) VALUES (${Object.keys(full)
          .map(() => '?')
          .join(', ')})`,
        { replacements: Object.values(full) },
      );
    };
    const customer = (
      id: number,
      owner: number,
      department: number,
      source: string,
      stage: string,
      level: string | null,
      created: string,
      lastFollowUp: Date | null,
      deleted = false,
    ) =>
      insert('customers', {
        id,
        type: 'individual',
        name: `看板客户${id}`,
        status: 'active',
        lifecycle_stage: stage,
        source,
        level,
        owner_user_id: owner,
        department_id: department,
        version: 1,
        created_at: new Date(created),
        last_follow_up_at: lastFollowUp,
        deleted_at: deleted ? new Date() : null,
      });
    await customer(101, east1, 2, 'referral', 'customer', 'vip', '2026-08-10T10:00:00+08:00', new Date(now - 5 * DAY));
    await customer(102, east1, 2, 'wecom', 'lead', null, '2026-05-01T10:00:00+08:00', null);
    await customer(103, east3, 6, 'wecom', 'customer', 'normal', '2026-09-30T20:00:00+08:00', new Date(now - 40 * DAY));
    await customer(104, south1, 3, 'event', 'intent', 'vip', '2026-10-01T01:00:00+08:00', new Date(now - DAY));
    await customer(105, east1, 2, 'wecom', 'lead', null, '2026-08-01T10:00:00+08:00', null, true);
    await insert('products', { id: 201, code: 'DB-P1', name: '看板产品一', category: 'wealth', risk_level: 'R2', status: 'on_sale' });
    await insert('products', { id: 202, code: 'DB-P2', name: '看板产品二', category: 'public_fund', risk_level: 'R3', status: 'on_sale' });
    const partner = (id: number, name: string, owner: number, department: number, status: string, last: Date | null) =>
      insert('consignment_partners', { id, name, type: 'bank', status, owner_user_id: owner, department_id: department, last_follow_up_at: last, version: 1 });
    await partner(301, '看板银行甲', east1, 2, 'active', null);
    await partner(302, '看板券商乙', south1, 3, 'signed', new Date(now - 2 * DAY));
    const sale = (
      product: number,
      customerId: number,
      rep: number,
      department: number,
      yuan: number,
      soldOn: string,
      partnerId: number | null = null,
      deleted = false,
    ) =>
      // A buy of the trade ledger (at par: no NAV on file); a deleted sale is a voided buy.
      insert('trades', {
        product_id: product,
        customer_id: customerId,
        kind: 'buy',
        rep_user_id: rep,
        department_id: department,
        amount_fen: Math.round(yuan * 100),
        shares_hundredths: Math.round(yuan * 100),
        nav: 1,
        cost_delta_fen: Math.round(yuan * 100),
        realised_gain_fen: 0,
        traded_on: soldOn,
        channel: partnerId ? 'consignment' : 'direct',
        partner_id: partnerId,
        voided_at: deleted ? new Date() : null,
      });
    await sale(201, 101, east1, 2, 1000, '2026-07-15');
    await sale(202, 101, east1, 2, 500.5, '2026-09-30');
    await sale(201, 103, east3, 6, 2000, '2026-08-01');
    await sale(201, 104, south1, 3, 3000, '2026-08-20');
    await sale(202, 101, east1, 2, 700, '2026-08-05', 301);
    await sale(201, 104, south1, 3, 800, '2026-09-01', 302);
    await sale(201, 101, east1, 2, 9999, '2026-10-01');
    await sale(201, 101, east1, 2, 123, '2026-08-08', null, true);
    // Written around the sales service, as a bulk load would be: sum the monthly rollup again.
    await rebuildSalesRollup(db);
    const followUp = (customerId: number, user: number, at: string) =>
      insert('follow_ups', { customer_id: customerId, user_id: user, followed_at: new Date(at), channel: 'phone', content: '看板跟进' });
    await followUp(101, east1, '2026-07-02T10:00:00+08:00');
    await followUp(101, east1, '2026-09-30T23:00:00+08:00');
    await followUp(101, east1, '2026-10-01T00:30:00+08:00');
    await followUp(103, east3, '2026-08-15T10:00:00+08:00');
    await rebuildFollowUpRollup(db);
    await api.send('admin', 'PUT', '/api/targets', { period: '2026-Q3', scopeType: 'user', scopeId: east1, metric: 'sales_amount', value: 2000 });
    await api.send('admin', 'PUT', '/api/targets', { period: '2026-Q3', scopeType: 'user', scopeId: east1, metric: 'follow_ups', value: 4 });
    await api.send('admin', 'PUT', '/api/targets', { period: '2026-Q3', scopeType: 'department', scopeId: 2, metric: 'new_customers', value: 4 });
    await api.send('admin', 'PUT', '/api/targets', { period: '2026-Q3', scopeType: 'department', scopeId: 3, metric: 'sales_amount', value: 1000 });
  });
  afterAll(() => server.close());

  describe('customers', () => {
    it('counts everything for an admin, new customers by China day', async () => {
      const d = await board<CustomerDashboard>('admin', 'customers');

      expect(d.period).toEqual({ period: '2026-Q3', kind: 'quarter', from: '2026-07-01', to: '2026-09-30' });
      expect([d.total, d.newInPeriod, d.noFollowUp30Days]).toEqual([4, 2, 2]);
      expect(d.bySource).toEqual([
        { code: 'wecom', label: '企业微信', count: 2 },
        { code: 'event', label: '活动', count: 1 },
        { code: 'referral', label: '转介绍', count: 1 },
      ]);
    });

    it('covers the department tree for a manager', async () => {
      const d = await board<CustomerDashboard>('mgr-east', 'customers');

      expect([d.total, d.newInPeriod, d.noFollowUp30Days]).toEqual([3, 2, 2]);
      expect(d.byStage.map((s) => [s.label, s.count])).toEqual([
        ['成交客户', 2],
        ['线索', 1],
      ]);
      expect(d.byLevel.map((s) => [s.label, s.count]).sort()).toEqual(
        [
          ['普通', 1],
          ['未填写', 1],
          ['高净值', 1],
        ].sort(),
      );
    });

    it('shows another manager only their department', async () => {
      const d = await board<CustomerDashboard>('mgr-south', 'customers');

      expect([d.total, d.newInPeriod, d.noFollowUp30Days]).toEqual([1, 0, 0]);
    });

    it('narrows to a department subtree, and refuses one outside the scope', async () => {
      const narrowed = await board<CustomerDashboard>('admin', 'customers', 'period=2026-Q3&departmentId=6');
      const outside = await (await api.as('mgr-east')).fetch('/api/dashboard/customers?departmentId=3');

      expect(narrowed.total).toBe(1);
      expect(outside.status).toBe(404);
    });

    it('is not for reps', async () => {
      expect((await (await api.as('rep-east-1')).fetch('/api/dashboard/customers')).status).toBe(403);
    });
  });

  describe('direct sales', () => {
    it('sums the period, twelve months and the top products and reps', async () => {
      const d = await board<SalesDashboard>('admin', 'sales', 'period=2026-Q3&channel=direct');

      expect([d.total, d.count]).toEqual([6500.5, 4]);
      expect(d.byMonth.map((m) => m.month)).toEqual([
        '2025-10',
        '2025-11',
        '2025-12',
        '2026-01',
        '2026-02',
        '2026-03',
        '2026-04',
        '2026-05',
        '2026-06',
        '2026-07',
        '2026-08',
        '2026-09',
      ]);
      expect(d.byMonth.slice(-3).map((m) => m.amount)).toEqual([1000, 5000, 500.5]);
      expect(d.topProducts.map((p) => [p.name, p.amount, p.count])).toEqual([
        ['看板产品一', 6000, 3],
        ['看板产品二', 500.5, 1],
      ]);
      expect(d.topReps.map((r) => [r.name, r.amount])).toEqual([
        ['刘洋', 3000],
        ['赵敏', 2000],
        ['李娜', 1500.5],
      ]);
    });

    it('keeps a manager to their subtree', async () => {
      const d = await board<SalesDashboard>('mgr-east', 'sales', 'period=2026-Q3&channel=direct');

      expect(d.total).toBe(3500.5);
      expect(d.topReps.map((r) => r.name)).toEqual(['赵敏', '李娜']);
    });
  });

  describe('consignment', () => {
    it('groups partners by status and consignment sales by partner, and lists partners gone quiet', async () => {
      const d = await board<ConsignmentDashboard>('admin', 'consignment');

      expect(d.partnersByStatus.map((s) => [s.label, s.count])).toEqual([
        ['合作中', 1],
        ['已签约', 1],
      ]);
      expect(d.salesByPartner.map((p) => [p.name, p.amount])).toEqual([
        ['看板券商乙', 800],
        ['看板银行甲', 700],
      ]);
      expect(d.total).toBe(1500);
      expect(d.partnersNoFollowUp30Days).toEqual({ count: 1, names: ['看板银行甲'] });
    });

    it('keeps a manager to their partners and sales', async () => {
      const d = await board<ConsignmentDashboard>('mgr-east', 'consignment');

      expect(d.salesByPartner.map((p) => [p.name, p.amount])).toEqual([['看板银行甲', 700]]);
      expect(d.partnersByStatus.map((s) => s.code)).toEqual(['active']);
    });
  });

  describe('my period', () => {
    it('gives a rep without dashboard.view their own month: a customer and a follow-up written now count', async () => {
      const month = businessDate(new Date()).slice(0, 7);
      const before = await api.get<MyPeriod>('rep-east-2', `/api/dashboard/mine?period=${month}`);
      const c = await api.send<{ id: number }>('rep-east-2', 'POST', '/api/customers', { type: 'individual', name: '本月新客户' });
      await api.send('rep-east-2', 'POST', `/api/customers/${c.id}/follow-ups`, { channel: 'phone', content: '首次电话' });

      const after = await api.get<MyPeriod>('rep-east-2', `/api/dashboard/mine?period=${month}`);
      const forbidden = await (await api.as('rep-east-2')).fetch('/api/dashboard/customers');

      expect(forbidden.status).toBe(403);
      expect(after.newCustomers).toBe(before.newCustomers + 1);
      expect(after.followUps).toBe(before.followUps + 1);
      expect(after.sales).toEqual(before.sales);
    });
  });

  describe('targets', () => {
    it('sets actual against target with the completion for each target of the period', async () => {
      const d = await board<TargetDashboard>('admin', 'targets');
      const line = (metric: string, scope: string) => d.items.find((i) => i.metric === metric && i.scope.name === scope);

      expect(line('sales_amount', '李娜')).toMatchObject({ target: 2000, actual: 2200.5, completion: 110 });
      expect(line('follow_ups', '李娜')).toMatchObject({ target: 4, actual: 2, completion: 50 });
      expect(line('new_customers', '华东销售部')).toMatchObject({ target: 4, actual: 2, completion: 50 });
      expect(line('sales_amount', '华南销售部')).toMatchObject({ target: 1000, actual: 3800, completion: 380 });
    });

    it('counts a follow-up written through the API in its China month, and stops counting it once deleted', async () => {
      const progress = async () =>
        (await board<TargetDashboard>('admin', 'targets')).items.find((i) => i.metric === 'follow_ups' && i.scope.name === '李娜')!.actual;
      const written = await api.send<{ id: number }>('rep-east-1', 'POST', '/api/customers/101/follow-ups', {
        channel: 'phone',
        content: '补记九月底的电话',
        followedAt: '2026-09-30T23:30:00+08:00',
      });
      const afterWriting = await progress();
      const deleted = await (await api.as('rep-east-1')).fetch(`/api/customers/101/follow-ups/${written.id}`, { method: 'DELETE' });

      expect(afterWriting).toBe(3);
      expect(deleted.status).toBe(204);
      expect(await progress()).toBe(2);
    });

    it('sums the quarter targets in a year view that has no year target of its own', async () => {
      await api.send('admin', 'PUT', '/api/targets', {
        period: '2026-Q4',
        scopeType: 'user',
        scopeId: await api.userId('rep-east-1'),
        metric: 'sales_amount',
        value: 3000,
      });
      await api.send('admin', 'PUT', '/api/targets', { period: '2026', scopeType: 'department', scopeId: 3, metric: 'sales_amount', value: 9000 });

      const d = await board<TargetDashboard>('admin', 'targets', 'period=2026');
      const line = (metric: string, scope: string) => d.items.find((i) => i.metric === metric && i.scope.name === scope);

      expect(line('sales_amount', '李娜')).toMatchObject({ target: 5000, summedFrom: 'quarters', summedQuarters: ['2026-Q3', '2026-Q4'] });
      expect(line('sales_amount', '华南销售部')).toMatchObject({ target: 9000, actual: 3800 });
      expect(line('sales_amount', '华南销售部')!.summedFrom).toBeUndefined();
    });

    it('shows a manager the targets inside their scope only', async () => {
      const d = await board<TargetDashboard>('mgr-east', 'targets');

      expect(d.items.map((i) => i.scope.name).sort()).toEqual(['华东销售部', '李娜', '李娜']);
    });
  });
});
