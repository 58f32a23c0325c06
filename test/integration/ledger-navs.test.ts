/**
 * NAV maintenance (issue 31, item 4): the history read (a page or a range of days, newest first),
 * adding and correcting a day (product.manage; a correction audited with before and after), trades
 * keeping the NAV they were made at, and the rule for a product whose NAV is overdue
 * (shared/products.ts navFreshness) on the product and in the admin home's list.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { HoldingView } from '@shared/ledger';
import type { NavDayView, NavSaved, ProductView, StaleNavProductView } from '@shared/products';
import { addDays, businessDate } from '@shared/time';
import { ASSESSED_C5, crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

const today = () => businessDate(new Date());
const daysAgo = (n: number) => addDays(today(), -n);

describe.each(databaseTargets())('NAV maintenance on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  let codes = 0;
  const rows = <T extends object>(sql: string, params: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT });
  const newProduct = (category: string, extra: Record<string, unknown> = {}) =>
    api.send<ProductView>('admin', 'POST', '/api/products', { code: `NAV${++codes}`, name: `净值测试产品${codes}`, category, riskLevel: 'R2', ...extra });
  const putNavs = (productId: number, items: { date: string; nav: number; accumulatedNav?: number }[]) =>
    api.send('admin', 'PUT', `/api/products/${productId}/navs`, { items });
  const postNav = async (userid: string, productId: number, body: unknown) => (await api.as(userid)).json(`/api/products/${productId}/navs`, 'POST', body);
  const auditOf = (productId: number) =>
    rows<{ action: string; summary: string; diff: string | null }>(
      "SELECT action, summary, diff FROM audit_logs WHERE entity = 'product' AND entity_id = ? AND action LIKE 'product.nav%' ORDER BY id",
      [String(productId)],
    );

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
  });
  afterAll(() => server.close());

  describe('history', () => {
    let fund: ProductView;
    beforeAll(async () => {
      fund = await newProduct('public_fund');
      await putNavs(
        fund.id,
        [1, 2, 3, 4, 5].map((n) => ({ date: daysAgo(n), nav: 1 + n / 100, accumulatedNav: 1.5 + n / 100 })),
      );
    });

    it('reads a page of the history, newest first, with the total', async () => {
      const page = await api.get<PageOf<NavDayView>>('rep-east-1', `/api/products/${fund.id}/navs?page=2&pageSize=2`);

      expect(page).toMatchObject({ total: 5, page: 2, pageSize: 2 });
      expect(page.items).toEqual([
        { date: daysAgo(3), nav: 1.03, accumulatedNav: 1.53 },
        { date: daysAgo(4), nav: 1.04, accumulatedNav: 1.54 },
      ]);
    });

    it('reads a range of days, newest first', async () => {
      const page = await api.get<PageOf<NavDayView>>('rep-east-1', `/api/products/${fund.id}/navs?from=${daysAgo(4)}&to=${daysAgo(2)}`);

      expect(page.items.map((n) => n.date)).toEqual([daysAgo(2), daysAgo(3), daysAgo(4)]);
      expect(page.total).toBe(3);
    });

    it('refuses a range that ends before it starts, in Chinese', async () => {
      const res = await (await api.as('rep-east-1')).fetch(`/api/products/${fund.id}/navs?from=${daysAgo(1)}&to=${daysAgo(3)}`);

      expect(res.status).toBe(400);
      expect((await errorOf(res)).details).toEqual([expect.objectContaining({ field: 'from', message: '开始日期不能晚于结束日期' })]);
    });

    it('answers 404 for a product that does not exist', async () => {
      const res = await (await api.as('rep-east-1')).fetch('/api/products/999999/navs');

      expect(res.status).toBe(404);
    });
  });

  describe('adding and correcting a day', () => {
    let fund: ProductView;
    beforeEach(async () => {
      fund = await newProduct('public_fund');
    });

    it('adds a day (201) with its 累计净值, audited as an entry, and the product shows it as its latest NAV', async () => {
      const res = await postNav('admin', fund.id, { date: daysAgo(1), nav: 1.2345, accumulatedNav: 1.5345 });

      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ item: { date: daysAgo(1), nav: 1.2345, accumulatedNav: 1.5345 }, previous: null, change: 'created' });
      expect((await api.get<ProductView>('rep-east-1', `/api/products/${fund.id}`)).lastNavDate).toBe(daysAgo(1));
      expect((await auditOf(fund.id)).map((a) => a.action)).toEqual(['product.nav']);
    });

    it('corrects a day on file and audits it with the values before and after', async () => {
      await postNav('admin', fund.id, { date: daysAgo(1), nav: 1.2345, accumulatedNav: 1.5345 });

      const res = await postNav('admin', fund.id, { date: daysAgo(1), nav: 1.2354, accumulatedNav: 1.5354 });

      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        item: { date: daysAgo(1), nav: 1.2354, accumulatedNav: 1.5354 },
        previous: { date: daysAgo(1), nav: 1.2345, accumulatedNav: 1.5345 },
        change: 'corrected',
      });
      const correction = (await auditOf(fund.id)).find((a) => a.action === 'product.nav_correct')!;
      expect(JSON.parse(correction.diff!)).toEqual({
        date: daysAgo(1),
        before: { nav: 1.2345, accumulatedNav: 1.5345 },
        after: { nav: 1.2354, accumulatedNav: 1.5354 },
      });
      expect(correction.summary).toContain('1.2345');
    });

    it('keeps the day’s 累计净值 when a correction leaves it out', async () => {
      await postNav('admin', fund.id, { date: daysAgo(1), nav: 1.2345, accumulatedNav: 1.5345 });

      await postNav('admin', fund.id, { date: daysAgo(1), nav: 1.3 });

      const [day] = (await api.get<PageOf<NavDayView>>('admin', `/api/products/${fund.id}/navs`)).items;
      expect(day).toEqual({ date: daysAgo(1), nav: 1.3, accumulatedNav: 1.5345 });
    });

    it('records nothing when the day is sent as it is', async () => {
      await postNav('admin', fund.id, { date: daysAgo(1), nav: 1.2345 });

      const res = await postNav('admin', fund.id, { date: daysAgo(1), nav: 1.2345 });

      expect(res.status).toBe(200);
      expect(((await res.json()) as NavSaved).change).toBe('unchanged');
      expect((await auditOf(fund.id)).map((a) => a.action)).toEqual(['product.nav']);
    });

    it('accepts a four-decimal NAV whose float is not exact (1.0029)', async () => {
      const res = await postNav('admin', fund.id, { date: daysAgo(1), nav: 1.0029 });

      expect(res.status).toBe(201);
    });

    it.each([
      [{ nav: 0 }, 'nav', '净值必须大于 0'],
      [{ nav: 1.23456 }, 'nav', '净值最多四位小数'],
      [{ nav: 1.2, accumulatedNav: -1 }, 'accumulatedNav', '累计净值必须大于 0'],
      [{ nav: 1.2, accumulatedNav: 1.23456 }, 'accumulatedNav', '累计净值最多四位小数'],
    ])('refuses %j naming the field in Chinese', async (values, field, message) => {
      const res = await postNav('admin', fund.id, { date: daysAgo(1), ...values });

      expect(res.status).toBe(400);
      expect((await errorOf(res)).details).toEqual([expect.objectContaining({ field, message })]);
    });

    it('refuses a day after today', async () => {
      const res = await postNav('admin', fund.id, { date: addDays(today(), 1), nav: 1.1 });

      expect(res.status).toBe(400);
      expect((await errorOf(res)).details).toEqual([expect.objectContaining({ field: 'date', message: expect.stringContaining('不能晚于今天') })]);
    });
  });

  describe('permission', () => {
    it('refuses a rep without product.manage (403, in Chinese) and writes nothing, while the rep may read the history', async () => {
      const fund = await newProduct('public_fund');

      const res = await postNav('rep-east-1', fund.id, { date: daysAgo(1), nav: 1.1 });

      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toContain('管理产品');
      expect((await api.get<PageOf<NavDayView>>('rep-east-1', `/api/products/${fund.id}/navs`)).total).toBe(0);
    });

    it('refuses the bulk PUT to a rep too', async () => {
      const fund = await newProduct('public_fund');

      const res = await (await api.as('rep-east-1')).json(`/api/products/${fund.id}/navs`, 'PUT', { items: [{ date: daysAgo(1), nav: 1.1 }] });

      expect(res.status).toBe(403);
    });
  });

  describe('trades keep the NAV they used', () => {
    it('a corrected NAV moves the market value, not the shares or NAV of a trade already recorded', async () => {
      const fund = await newProduct('public_fund');
      await putNavs(fund.id, [{ date: daysAgo(3), nav: 1.25 }]);
      const customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '净值客户', ...ASSESSED_C5 });
      await api.send('rep-east-1', 'POST', '/api/trades', { kind: 'buy', customerId: customer.id, productId: fund.id, amount: 10_000, tradedOn: daysAgo(2) });

      await postNav('admin', fund.id, { date: daysAgo(3), nav: 2 });

      const [trade] = await rows<{ nav: string | number; shares_hundredths: number }>('SELECT nav, shares_hundredths FROM trades WHERE customer_id = ?', [
        customer.id,
      ]);
      expect([Number(trade!.nav), Number(trade!.shares_hundredths)]).toEqual([1.25, 800_000]);
      const [holding] = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${customer.id}/holdings`);
      expect([holding!.shares, holding!.cost, holding!.marketValue]).toEqual([8000, 10_000, 16_000]);
    });
  });

  describe('staleness', () => {
    const staleList = async () => (await api.get<{ items: StaleNavProductView[]; total: number }>('admin', '/api/products/stale-navs')).items;

    it('a public fund goes stale after 5 days without a NAV', async () => {
      const fresh = await newProduct('public_fund');
      const stale = await newProduct('public_fund');
      await putNavs(fresh.id, [{ date: daysAgo(5), nav: 1.1 }]);
      await putNavs(stale.id, [{ date: daysAgo(6), nav: 1.1 }]);

      const [f, s] = await Promise.all([fresh, stale].map((p) => api.get<ProductView>('rep-east-1', `/api/products/${p.id}`)));

      expect(f).toMatchObject({ lastNavDate: daysAgo(5), navStaleSince: null, navStaleAfterDays: 5 });
      expect(s).toMatchObject({ lastNavDate: daysAgo(6), navStaleSince: today(), navStaleAfterDays: 5 });
    });

    it('another product with NAVs (a private fund) goes stale after 10 days', async () => {
      const fresh = await newProduct('private_fund');
      const stale = await newProduct('private_fund');
      await putNavs(fresh.id, [{ date: daysAgo(10), nav: 1.1 }]);
      await putNavs(stale.id, [{ date: daysAgo(12), nav: 1.1 }]);

      const [f, s] = await Promise.all([fresh, stale].map((p) => api.get<ProductView>('rep-east-1', `/api/products/${p.id}`)));

      expect(f).toMatchObject({ navStaleSince: null, navStaleAfterDays: 10 });
      expect(s).toMatchObject({ navStaleSince: daysAgo(1), navStaleAfterDays: 10 });
    });

    it('an insurance product without NAVs is not watched', async () => {
      const insurance = await newProduct('insurance');

      expect(await api.get<ProductView>('rep-east-1', `/api/products/${insurance.id}`)).toMatchObject({
        lastNavDate: null,
        navStaleSince: null,
        navStaleAfterDays: null,
      });
    });

    it('a public fund that never had a NAV (a money fund, valued at par) is not watched, however long it has been on file', async () => {
      const fund = await newProduct('public_fund');
      await server.db.sequelize.query('UPDATE products SET created_at = ? WHERE id = ?', { replacements: [new Date(Date.now() - 60 * 86_400_000), fund.id] });

      expect(await api.get<ProductView>('rep-east-1', `/api/products/${fund.id}`)).toMatchObject({
        lastNavDate: null,
        navStaleSince: null,
        navStaleAfterDays: null,
      });
    });

    it('a closed product is never stale', async () => {
      const fund = await newProduct('public_fund', { status: 'closed' });
      await putNavs(fund.id, [{ date: daysAgo(30), nav: 1.1 }]);

      expect((await api.get<ProductView>('rep-east-1', `/api/products/${fund.id}`)).navStaleSince).toBeNull();
    });

    it('the admin home’s list has the stale products, longest overdue first, and a new NAV takes one off', async () => {
      const older = await newProduct('public_fund');
      const newer = await newProduct('public_fund');
      await putNavs(older.id, [{ date: daysAgo(20), nav: 1.1 }]);
      await putNavs(newer.id, [{ date: daysAgo(9), nav: 1.1 }]);

      const before = await staleList();
      await postNav('admin', newer.id, { date: daysAgo(1), nav: 1.2 });
      const after = await staleList();

      const ours = (list: StaleNavProductView[]) => list.filter((p) => p.id === older.id || p.id === newer.id).map((p) => p.code);
      expect(ours(before)).toEqual([older.code, newer.code]);
      expect(before.find((p) => p.id === older.id)).toMatchObject({ lastNavDate: daysAgo(20), navStaleSince: daysAgo(14), navStaleAfterDays: 5 });
      expect(ours(after)).toEqual([older.code]);
    });

    it('lists the products the product list and detail call stale, and no others', async () => {
      const list = await staleList();
      const products = (await api.get<PageOf<ProductView>>('admin', '/api/products?pageSize=100')).items;

      expect(list.map((p) => p.id).sort()).toEqual(
        products
          .filter((p) => p.navStaleSince !== null)
          .map((p) => p.id)
          .sort(),
      );
    });
  });
});
