/**
 * 销售 as a door into the trade ledger (issue 31 [ledger]): a sale is a buy — recorded once, it is
 * the sales list's row, the trade list's, the holding and the customer's AUM, to the yuan; edited
 * or deleted, all of them follow.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerDetail } from '@shared/customers';
import type { FieldIssue, PageOf } from '@shared/http';
import type { HoldingView, TradeView } from '@shared/ledger';
import type { SaleView } from '@shared/sales';
import { ASSESSED_C5, customerMaker, fundMaker } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

describe.each(databaseTargets())('the sale door of the ledger on $label', (target) => {
  const { server, api } = useCrmServer(target);
  const customer = customerMaker(api, { name: '销售门客户', phone: '1310000', fields: ASSESSED_C5 });
  const fund = fundMaker(api, { code: 'SDOOR', name: '销售门基金', riskLevel: 'R2' });
  const sell = (customerId: number, productId: number, body: Record<string, unknown> = {}) =>
    api.send<SaleView>('rep-east-1', 'POST', '/api/sales', { customerId, productId, amount: 50_000, soldOn: '2026-09-01', channel: 'direct', ...body });
  const holdingsOf = (customerId: number) => api.get<HoldingView[]>('rep-east-1', `/api/customers/${customerId}/holdings?includeClosed=true`);
  const monthly = async (productId: number) =>
    (
      await server.db.sequelize.query<{ month: string; amount_fen: number; sale_count: number }>(
        'SELECT month, amount_fen, sale_count FROM sales_monthly WHERE product_id = ? ORDER BY month',
        { replacements: [productId], type: QueryTypes.SELECT },
      )
    ).map((r) => [r.month, Number(r.amount_fen), Number(r.sale_count)]);

  it('records a sale once: the sales list, the trade list, the holding, the AUM and 销售额 agree to the yuan', async () => {
    const c = await customer();
    const p = await fund({ '2026-09-01': 1.25, '2026-10-01': 1.3 });

    const sale = await sell(c.id, p.id, { amount: 50_000.5 });
    const sales = await api.get<PageOf<SaleView>>('rep-east-1', `/api/sales?customerId=${c.id}`);
    const trades = await api.get<PageOf<TradeView>>('rep-east-1', `/api/trades?customerId=${c.id}`);
    const holdings = await holdingsOf(c.id);
    const detail = await api.get<CustomerDetail>('rep-east-1', `/api/customers/${c.id}`);

    // 50,000.50 at 1.25 is 40,000.40 shares, worth 52,000.52 at 1.30.
    expect(sale).toMatchObject({ amount: 50_000.5, shares: 40_000.4, nav: 1.25, rep: { name: '李娜' } });
    expect(sales.items.map((s) => s.id)).toEqual([sale.id]);
    expect(trades.items.map((t) => [t.id, t.kind, t.amount])).toEqual([[sale.id, 'buy', 50_000.5]]);
    expect(holdings.map((h) => [h.shares, h.cost, h.marketValue, h.gain])).toEqual([[40_000.4, 50_000.5, 52_000.52, 2_000.02]]);
    expect([detail.aum, detail.counts.sales, detail.counts.holdings]).toEqual([52_000.52, 1, 1]);
    expect(await monthly(p.id)).toEqual([['2026-09', 5_000_050, 1]]);
  });

  it('moves the holding and 销售额 with an edited sale', async () => {
    const c = await customer();
    const p = await fund({ '2026-09-01': 1, '2026-10-01': 2 });
    const sale = await sell(c.id, p.id);

    const edited = await api.send<SaleView>('rep-east-1', 'PATCH', `/api/sales/${sale.id}`, { amount: 60_000, soldOn: '2026-10-08' });

    expect(edited).toMatchObject({ amount: 60_000, shares: 30_000, nav: 2, soldOn: '2026-10-08' });
    expect((await holdingsOf(c.id)).map((h) => [h.shares, h.cost, h.firstBoughtOn])).toEqual([[30_000, 60_000, '2026-10-08']]);
    expect(await monthly(p.id)).toEqual([['2026-10', 6_000_000, 1]]);
  });

  it('keeps one holding through edits that leave the position as it was', async () => {
    const c = await customer();
    const p = await fund();
    const sale = await sell(c.id, p.id);

    // Each edit replays the position into the same figures (on MySQL an UPDATE that changes nothing reports no row).
    const edits = [];
    for (const notes of ['客户来电确认', '补充说明', '再次确认'])
      edits.push((await (await api.as('rep-east-1')).json(`/api/sales/${sale.id}`, 'PATCH', { notes })).status);
    const [holdings] = await server.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM holdings WHERE customer_id = ?', {
      replacements: [c.id],
      type: QueryTypes.SELECT,
    });

    expect(edits).toEqual([200, 200, 200]);
    expect(Number(holdings!.n)).toBe(1);
    expect((await holdingsOf(c.id)).map((h) => [h.shares, h.cost])).toEqual([[50_000, 50_000]]);
  });

  it('takes a deleted sale out of the holding and 销售额, and keeps it on file as voided', async () => {
    const c = await customer();
    const p = await fund();
    const sale = await sell(c.id, p.id);

    const deleted = await (await api.as('rep-east-1')).fetch(`/api/sales/${sale.id}`, { method: 'DELETE' });
    const [row] = await server.db.sequelize.query<{ voided_at: unknown }>('SELECT voided_at FROM trades WHERE id = ?', {
      replacements: [sale.id],
      type: QueryTypes.SELECT,
    });

    expect(deleted.status).toBe(204);
    expect((await holdingsOf(c.id)).map((h) => [h.status, h.shares, h.cost])).toEqual([['closed', 0, 0]]);
    expect(await monthly(p.id)).toEqual([]);
    expect(row!.voided_at).not.toBeNull();
  });

  it('refuses to delete a sale whose shares a later redemption took, naming shares', async () => {
    const c = await customer();
    const p = await fund();
    const sale = await sell(c.id, p.id);
    await api.send('rep-east-1', 'POST', '/api/trades', { kind: 'redeem', customerId: c.id, productId: p.id, shares: 10_000, tradedOn: '2026-09-15' });

    const res = await (await api.as('rep-east-1')).fetch(`/api/sales/${sale.id}`, { method: 'DELETE' });

    expect(res.status).toBe(400);
    expect(((await errorOf(res)).details as FieldIssue[]).map((d) => d.field)).toEqual(['shares']);
    expect((await holdingsOf(c.id)).map((h) => h.shares)).toEqual([40_000]);
    expect(await monthly(p.id)).toEqual([['2026-09', 5_000_000, 1]]);
  });

  it('refuses to move a sale onto a product that is not on sale', async () => {
    const c = await customer();
    const p = await fund();
    const suspended = await fund();
    await api.send('admin', 'PATCH', `/api/products/${suspended.id}`, { status: 'suspended' }, 200);
    const sale = await sell(c.id, p.id);

    const res = await (await api.as('rep-east-1')).json(`/api/sales/${sale.id}`, 'PATCH', { productId: suspended.id });

    expect(res.status).toBe(400);
    expect(((await errorOf(res)).details as FieldIssue[]).map((d) => d.field)).toEqual(['productId']);
    expect((await api.get<SaleView>('rep-east-1', `/api/sales/${sale.id}`)).product.id).toBe(p.id);
  });
});
