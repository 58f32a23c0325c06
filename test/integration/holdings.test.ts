import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { FieldIssue, PageOf } from '@shared/http';
import type { HoldingView, ProductHolderView, TradeView } from '@shared/ledger';
import type { ProductView } from '@shared/products';
import { ASSESSED_C5, crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { seededRandom } from '../../scripts/wecom-simulator/demo-corp';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

describe.each(databaseTargets())('products and holdings on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  let fund: ProductView;
  let seq = 0;
  const customer = (userid = 'rep-east-1') =>
    api.send<CustomerView>(userid, 'POST', '/api/customers', {
      type: 'individual',
      name: `持仓客户${++seq}`,
      phone: `1360000${String(seq).padStart(4, '0')}`,
      ...ASSESSED_C5,
    });
  const record = (customerId: number, body: Record<string, unknown>, userid = 'rep-east-1') =>
    api.send<{ holding: HoldingView; trade: TradeView }>(userid, 'POST', `/api/customers/${customerId}/holding-records`, {
      productId: fund.id,
      tradedOn: '2026-06-01',
      ...body,
    });

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
    fund = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'HLD001', name: '价值精选混合', category: 'public_fund', riskLevel: 'R3' });
  });
  afterAll(() => server.close());

  describe('products', () => {
    it('refuses a duplicate code with 409 and an unknown category with 400', async () => {
      const browser = await api.as('admin');

      const dup = await browser.json('/api/products', 'POST', { code: 'HLD001', name: '重复', category: 'public_fund', riskLevel: 'R1' });
      const category = await browser.json('/api/products', 'POST', { code: 'HLD002', name: '类别错', category: 'crypto', riskLevel: 'R9' });

      expect(dup.status).toBe(409);
      expect(((await errorOf(category)).details as FieldIssue[]).map((d) => d.field)).toEqual(['riskLevel']);
    });

    it('names the category when only it is wrong', async () => {
      const res = await (await api.as('admin')).json('/api/products', 'POST', { code: 'HLD003', name: '类别错', category: 'crypto', riskLevel: 'R1' });

      expect(((await errorOf(res)).details as FieldIssue[]).map((d) => d.field)).toEqual(['category']);
    });

    it('is read by reps and managed only with product.manage', async () => {
      const rep = await api.as('rep-east-1');

      const list = await api.get<PageOf<ProductView>>('rep-east-1', '/api/products?keyword=HLD');
      const create = await rep.json('/api/products', 'POST', { code: 'REP001', name: '越权', category: 'wealth', riskLevel: 'R1' });

      expect(list.items.map((p) => p.code)).toContain('HLD001');
      expect(create.status).toBe(403);
    });

    it('lists its holders within the caller’s scope only', async () => {
      const product = await api.send<ProductView>('admin', 'POST', '/api/products', {
        code: 'HLD010',
        name: '持有人测试',
        category: 'wealth',
        riskLevel: 'R2',
      });
      const mine = await customer('rep-east-1');
      const theirs = await customer('rep-south-1');
      await record(mine.id, { productId: product.id, kind: 'buy', amount: 100 });
      await record(theirs.id, { productId: product.id, kind: 'buy', amount: 900 }, 'rep-south-1');

      const asRep = await api.get<PageOf<ProductHolderView>>('rep-east-1', `/api/products/${product.id}/holders`);
      const asAdmin = await api.get<PageOf<ProductHolderView>>('admin', `/api/products/${product.id}/holders`);

      expect(asRep.items.map((h) => h.customer.id)).toEqual([mine.id]);
      // No NAV on file: valued at par, one share one yuan.
      expect(asAdmin.items.map((h) => [h.customer.id, h.marketValue])).toEqual([
        [theirs.id, 900],
        [mine.id, 100],
      ]);
    });
  });

  describe('holding records', () => {
    it('opens a holding on the first buy and reduces cost proportionally on a redemption', async () => {
      const c = await customer();
      await record(c.id, { kind: 'buy', amount: 10_000, shares: 9_000 });
      await record(c.id, { kind: 'adjust', cost: 2_000, notes: '对账补记手续费' });

      const { holding } = await record(c.id, { kind: 'redeem', shares: 4_500, amount: 6_000 });

      expect(holding).toMatchObject({ shares: 4_500, cost: 6_000, realisedGain: 0, marketValue: 4_500, status: 'holding', firstBoughtOn: '2026-06-01' });
    });

    it('closes the holding on a full redemption and hides it unless asked', async () => {
      const c = await customer();
      await record(c.id, { kind: 'buy', amount: 500.5 });

      await record(c.id, { kind: 'redeem', amount: 500.5 });
      const open = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings`);
      const all = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings?includeClosed=true`);

      expect(open).toEqual([]);
      expect(all.map((h) => [h.status, h.shares, h.cost, h.marketValue])).toEqual([['closed', 0, 0, 0]]);
    });

    it('refuses to redeem more than is held, and writes nothing', async () => {
      const c = await customer();
      await record(c.id, { kind: 'buy', amount: 100 });

      const res = await (
        await api.as('rep-east-1')
      ).json(`/api/customers/${c.id}/holding-records`, 'POST', { kind: 'redeem', productId: fund.id, amount: 100.01, tradedOn: '2026-06-02' });
      const [holding] = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings`);
      const records = await api.get<PageOf<TradeView>>('rep-east-1', `/api/customers/${c.id}/holdings/${holding!.id}/records`);

      expect(res.status).toBe(400);
      // At par 100.01 元 is 100.01 shares: more than the 100 held. The cap is the shares.
      expect(((await errorOf(res)).details as FieldIssue[])[0]!.field).toBe('shares');
      expect(holding!.shares).toBe(100);
      expect(records.total).toBe(1);
    });

    it('rejects amounts with more than two decimals and impossible dates', async () => {
      const c = await customer();

      const res = await (
        await api.as('rep-east-1')
      ).json(`/api/customers/${c.id}/holding-records`, 'POST', { kind: 'buy', productId: fund.id, amount: 1.005, tradedOn: '2026-02-30' });

      expect(((await errorOf(res)).details as FieldIssue[]).map((d) => d.field).sort()).toEqual(['amount', 'tradedOn']);
    });

    it('always equals the sum of its trades after random buy / redeem / adjust sequences, back-dated ones included', async () => {
      const c = await customer();
      const next = seededRandom(20261123);
      // The trades taken so far (day, shares in hundredths): the ledger replays them in date order
      // and refuses a trade that would leave fewer than zero shares at any point.
      const taken: { day: string; shares: number }[] = [];
      const standsWith = (t: { day: string; shares: number }) => {
        let held = 0;
        for (const x of [...taken, t].sort((a, b) => a.day.localeCompare(b.day))) if ((held += x.shares) < 0) return false;
        return true;
      };
      for (let step = 0; step < 40; step++) {
        const roll = next();
        const fen = 1 + Math.floor(next() * 500_000);
        const kind = roll < 0.45 ? 'buy' : roll < 0.8 ? 'redeem' : 'adjust';
        const signed = kind === 'adjust' && next() < 0.5 ? -fen : fen;
        // Steps 28 and later go back to the start of the month: back-dated trades.
        const day = `2026-07-${String(1 + (step % 28)).padStart(2, '0')}`;
        // No NAV on file: at par an amount of N 元 is N shares.
        const body = kind === 'adjust' ? { kind, shares: signed / 100, notes: '对账调整' } : { kind, amount: fen / 100 };
        const res = await (await api.as('rep-east-1')).json(`/api/customers/${c.id}/holding-records`, 'POST', { productId: fund.id, tradedOn: day, ...body });
        const trade = { day, shares: kind === 'redeem' ? -fen : signed };
        const allowed = standsWith(trade);
        expect([step, kind, res.status]).toEqual([step, kind, allowed ? 201 : 400]);
        if (allowed) taken.push(trade);
      }

      const [holding] = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings?includeClosed=true`);
      const [sums] = await server.db.sequelize.query<{ cost: string; shares: string; realised: string }>(
        `SELECT SUM(cost_delta_fen) AS cost, SUM(shares_hundredths) AS shares, SUM(realised_gain_fen) AS realised
           FROM trades WHERE customer_id = ? AND product_id = ? AND voided_at IS NULL`,
        { replacements: [c.id, fund.id], type: QueryTypes.SELECT },
      );

      expect(Math.round(holding!.shares * 100)).toBe(taken.reduce((sum, t) => sum + t.shares, 0));
      expect(Math.round(holding!.shares * 100)).toBe(Number(sums!.shares));
      expect(Math.round(holding!.cost * 100)).toBe(Number(sums!.cost));
      expect(Math.round(holding!.realisedGain * 100)).toBe(Number(sums!.realised));
      expect(holding!.cost).toBeGreaterThanOrEqual(0);
    });

    it('keeps one holding per customer and product when two buys race', async () => {
      const c = await customer();

      const results = await Promise.all([1, 2, 3, 4].map(() => record(c.id, { kind: 'buy', amount: 250 })));
      const holdings = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings`);

      expect(new Set(results.map((r) => r.holding.id)).size).toBe(1);
      expect(holdings.map((h) => [h.shares, h.cost])).toEqual([[1000, 1000]]);
    });

    it('is 404 for another rep’s customer', async () => {
      const c = await customer('rep-south-1');

      const read = await (await api.as('rep-east-1')).fetch(`/api/customers/${c.id}/holdings`);
      const write = await (
        await api.as('rep-east-1')
      ).json(`/api/customers/${c.id}/holding-records`, 'POST', { kind: 'buy', productId: fund.id, amount: 1, tradedOn: '2026-06-01' });

      expect([read.status, write.status]).toEqual([404, 404]);
    });
  });
});
