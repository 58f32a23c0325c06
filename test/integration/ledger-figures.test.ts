/**
 * Figures that agree (issue 31 [ledger]): a buy recorded once through the sale form's door
 * (`POST /api/sales`) shows once, to the yuan, in the sales list, the customer's holdings (市值 at
 * the latest NAV, or at par for a product without one), 资产规模 (total, by department with the
 * parent department rolling up its sub-team, by rep, 本期申购) and 看板 (销售额, 销售排行, 目标完成);
 * and 资产规模's 本期申购 is 看板's 销售额 for every period and scope. On SQLite and MySQL.
 *
 * Two buys, two sides of the org: 赵敏 (rep-east-3, 上海财富团队 under 华东销售部) sells her
 * customer a fund at NAV, directly; 刘洋 (rep-south-1, 华南销售部) sells his customer a wealth
 * product with no NAV (valued at par) through a consignment partner.
 */
import type { AumDashboard, SalesDashboard, TargetDashboard } from '@shared/dashboard';
import type { HoldingView } from '@shared/ledger';
import type { PageOf } from '@shared/http';
import type { SaleView } from '@shared/sales';
import { addDays, businessDate } from '@shared/time';
import { quarterOf } from '@shared/targets';
import { ASSESSED_C5, crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

/** The buy's day: two days ago, so a later NAV (yesterday) moves its market value. */
const SOLD_ON = addDays(businessDate(new Date()), -2);
const PERIOD = quarterOf(SOLD_ON);
const FUND_AMOUNT = 123_456.78;
const FUND_NAV_ON_SALE = 1.25;
const FUND_NAV_NOW = 1.3125;
const PAR_AMOUNT = 50_000.5;
const CREDITED_ELSEWHERE = 1_000;

/** Fen arithmetic as the ledger does it (shared/ledger.ts sharesAt / valueAt). */
const fen = (yuan: number) => Math.round(yuan * 100);
const sum = (...yuan: number[]) => yuan.reduce((total, y) => total + fen(y), 0) / 100;
const FUND_SHARES = Math.round(fen(FUND_AMOUNT) / FUND_NAV_ON_SALE);
const FUND_VALUE = Math.round(FUND_SHARES * FUND_NAV_NOW) / 100;

describe.each(databaseTargets())('one buy, every figure, on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  let fundSale: SaleView;
  let parSale: SaleView;
  let east: { customer: number; product: number };
  let south: { customer: number; product: number };
  const dashboard = <T>(userid: string, name: string, query = '') => api.get<T>(userid, `/api/dashboard/${name}?period=${PERIOD}${query}`);

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
    const product = (code: string, name: string, category: string, riskLevel: string) =>
      api.send<{ id: number }>('admin', 'POST', '/api/products', { code, name, category, riskLevel });
    const fund = await product('LF-FUND', '账本净值基金', 'public_fund', 'R3');
    const wealth = await product('LF-PAR', '账本面值理财', 'wealth', 'R2');
    await api.send('admin', 'PUT', `/api/products/${fund.id}/navs`, {
      items: [
        { date: SOLD_ON, nav: FUND_NAV_ON_SALE },
        { date: addDays(SOLD_ON, 1), nav: FUND_NAV_NOW },
      ],
    });
    const customer = (userid: string, name: string) => api.send<{ id: number }>(userid, 'POST', '/api/customers', { type: 'individual', name, ...ASSESSED_C5 });
    east = { customer: (await customer('rep-east-3', '账本客户东')).id, product: fund.id };
    south = { customer: (await customer('rep-south-1', '账本客户南')).id, product: wealth.id };
    const partner = await api.send<{ id: number }>('rep-south-1', 'POST', '/api/partners', { name: '账本代销银行', type: 'bank' });
    fundSale = await api.send<SaleView>('rep-east-3', 'POST', '/api/sales', {
      productId: fund.id,
      customerId: east.customer,
      amount: FUND_AMOUNT,
      soldOn: SOLD_ON,
      channel: 'direct',
    });
    parSale = await api.send<SaleView>('rep-south-1', 'POST', '/api/sales', {
      productId: wealth.id,
      customerId: south.customer,
      amount: PAR_AMOUNT,
      soldOn: SOLD_ON,
      channel: 'consignment',
      partnerId: partner.id,
    });
    const eastRep = await api.userId('rep-east-3');
    for (const [scopeType, scopeId, value] of [
      ['user', eastRep, 200_000],
      ['department', 2, 1_000_000],
      ['department', 6, 500_000],
    ] as const) {
      await api.send('admin', 'PUT', '/api/targets', { period: PERIOD, scopeType, scopeId, metric: 'sales_amount', value });
    }
  }, 120_000);
  afterAll(() => server.close());

  it('lists the buy once in GET /api/sales, at the day’s NAV', async () => {
    const list = await api.get<PageOf<SaleView> & { totalAmount: number }>('mgr-east', `/api/sales?customerId=${east.customer}`);

    expect(list.items.map((s) => [s.id, s.amount, s.shares, s.nav, s.channel, s.rep.name])).toEqual([
      [fundSale.id, FUND_AMOUNT, FUND_SHARES / 100, FUND_NAV_ON_SALE, 'direct', '赵敏'],
    ]);
    expect(list.totalAmount).toBe(FUND_AMOUNT);
  });

  it('holds the fund at its cost, 市值 at the latest NAV', async () => {
    const holdings = await api.get<HoldingView[]>('rep-east-3', `/api/customers/${east.customer}/holdings`);

    expect(holdings.map((h) => [h.product.id, h.shares, h.cost, h.nav?.nav, h.marketValue, h.gain])).toEqual([
      [east.product, FUND_SHARES / 100, FUND_AMOUNT, FUND_NAV_NOW, FUND_VALUE, (fen(FUND_VALUE) - fen(FUND_AMOUNT)) / 100],
    ]);
  });

  it('holds the product without a NAV at par: 市值 is what was paid', async () => {
    const holdings = await api.get<HoldingView[]>('rep-south-1', `/api/customers/${south.customer}/holdings`);

    expect(holdings.map((h) => [h.product.id, h.shares, h.cost, h.nav, h.marketValue, h.gain])).toEqual([
      [south.product, PAR_AMOUNT, PAR_AMOUNT, null, PAR_AMOUNT, 0],
    ]);
  });

  it('counts it in 资产规模: the total, the team and its parent department, the rep, 本期申购', async () => {
    const aum = await dashboard<AumDashboard>('admin', 'aum');
    const department = (name: string) => aum.byDepartment.find((d) => d.name === name);

    expect(aum.total).toBe(sum(FUND_VALUE, PAR_AMOUNT));
    expect(aum.customers).toBe(2);
    expect(aum.byDepartment.map((d) => [d.name, d.amount, d.own, d.depth, d.count])).toEqual([
      ['总部', aum.total, 0, 0, 2],
      ['华东销售部', FUND_VALUE, 0, 1, 1],
      ['上海财富团队', FUND_VALUE, FUND_VALUE, 2, 1],
      ['华南销售部', PAR_AMOUNT, PAR_AMOUNT, 1, 1],
    ]);
    expect(department('上海财富团队')!.parentId).toBe(department('华东销售部')!.id);
    expect(aum.byRep.map((r) => [r.name, r.amount, r.count])).toEqual([
      ['赵敏', FUND_VALUE, 1],
      ['刘洋', PAR_AMOUNT, 1],
    ]);
    expect([aum.inflow, aum.inflowByChannel, aum.outflow, aum.netInflow]).toEqual([
      sum(FUND_AMOUNT, PAR_AMOUNT),
      { direct: FUND_AMOUNT, consignment: PAR_AMOUNT },
      0,
      sum(FUND_AMOUNT, PAR_AMOUNT),
    ]);
  });

  it('rolls the team up into 华东销售部 for its manager, and leaves 华南 out', async () => {
    const aum = await dashboard<AumDashboard>('mgr-east', 'aum');

    expect(aum.byDepartment.map((d) => [d.name, d.amount, d.depth])).toEqual([
      ['华东销售部', FUND_VALUE, 0],
      ['上海财富团队', FUND_VALUE, 1],
    ]);
    expect([aum.total, aum.inflow]).toEqual([FUND_VALUE, FUND_AMOUNT]);
  });

  it('counts it once in 看板: 销售额 by channel, the product and the 销售排行', async () => {
    const all = await dashboard<SalesDashboard>('mgr-east', 'sales');
    const consignment = await dashboard<SalesDashboard>('admin', 'sales', '&channel=consignment');

    expect([all.channel, all.total, all.count]).toEqual(['all', FUND_AMOUNT, 1]);
    expect(all.byChannel).toEqual({ direct: { amount: FUND_AMOUNT, count: 1 }, consignment: { amount: 0, count: 0 } });
    expect(all.topProducts.map((p) => [p.name, p.amount, p.count])).toEqual([['账本净值基金', FUND_AMOUNT, 1]]);
    expect(all.topReps.map((r) => [r.name, r.amount, r.count])).toEqual([['赵敏', FUND_AMOUNT, 1]]);
    expect(all.byMonth.find((m) => m.month === SOLD_ON.slice(0, 7))!.amount).toBe(FUND_AMOUNT);
    expect([consignment.channel, consignment.total, consignment.topReps.map((r) => r.name)]).toEqual(['consignment', PAR_AMOUNT, ['刘洋']]);
  });

  it('counts it once in 目标完成: the rep, her team and the parent department', async () => {
    const targets = await dashboard<TargetDashboard>('admin', 'targets');
    const actual = (name: string) => targets.items.find((t) => t.metric === 'sales_amount' && t.scope.name === name)?.actual;

    expect([actual('赵敏'), actual('上海财富团队'), actual('华东销售部')]).toEqual([FUND_AMOUNT, FUND_AMOUNT, FUND_AMOUNT]);
  });

  it('makes 资产规模’s 本期申购 看板’s 销售额 (all channels) for every scope and period, a buy credited to another rep included', async () => {
    // 陈建国 records a buy for 赵敏's customer on 李娜's behalf: it is 李娜's sale (华东销售部), not 上海财富团队's.
    await api.send('mgr-east', 'POST', '/api/sales', {
      productId: east.product,
      customerId: east.customer,
      repUserId: await api.userId('rep-east-1'),
      amount: CREDITED_ELSEWHERE,
      soldOn: SOLD_ON,
      channel: 'direct',
    });
    const scopes = [
      ['admin', ''],
      ['admin', '&departmentId=2'],
      ['admin', '&departmentId=6'],
      ['admin', '&departmentId=3'],
      ['mgr-east', ''],
      ['mgr-south', ''],
    ] as const;
    const periods = [PERIOD, SOLD_ON.slice(0, 7), SOLD_ON.slice(0, 4)];
    const pairs = [];
    for (const [userid, query] of scopes)
      for (const period of periods) {
        const aum = await api.get<AumDashboard>(userid, `/api/dashboard/aum?period=${period}${query}`);
        const sales = await api.get<SalesDashboard>(userid, `/api/dashboard/sales?period=${period}${query}`);
        pairs.push({
          userid,
          query,
          period,
          inflow: aum.inflow,
          sales: sales.total,
          direct: aum.inflowByChannel.direct,
          salesDirect: sales.byChannel.direct.amount,
        });
      }

    expect(pairs.filter((p) => p.inflow !== p.sales || p.direct !== p.salesDirect)).toEqual([]);
    expect(new Set(pairs.map((p) => `${p.userid}${p.query}: ${p.sales}`))).toEqual(
      new Set([
        `admin: ${sum(FUND_AMOUNT, PAR_AMOUNT, CREDITED_ELSEWHERE)}`,
        `admin&departmentId=2: ${sum(FUND_AMOUNT, CREDITED_ELSEWHERE)}`,
        `admin&departmentId=6: ${FUND_AMOUNT}`,
        `admin&departmentId=3: ${PAR_AMOUNT}`,
        `mgr-east: ${sum(FUND_AMOUNT, CREDITED_ELSEWHERE)}`,
        `mgr-south: ${PAR_AMOUNT}`,
      ]),
    );
  });

  it('still agrees after the fund buy is amended and the par buy voided', async () => {
    await api.send('rep-east-3', 'PATCH', `/api/sales/${fundSale.id}`, { amount: 100_000 });
    expect((await (await api.as('rep-south-1')).fetch(`/api/sales/${parSale.id}`, { method: 'DELETE' })).status).toBe(204);

    const aum = await dashboard<AumDashboard>('admin', 'aum');
    const sales = await dashboard<SalesDashboard>('admin', 'sales');
    const holdings = await api.get<HoldingView[]>('rep-south-1', `/api/customers/${south.customer}/holdings`);

    expect([aum.inflow, sales.total, sales.count]).toEqual([100_000 + CREDITED_ELSEWHERE, 100_000 + CREDITED_ELSEWHERE, 2]);
    expect(aum.byRep.map((r) => r.name)).toEqual(['赵敏']);
    expect(holdings).toEqual([]);
  });
});
