/**
 * Redemption by shares at NAV (issue 31 [ledger]): by amount converted at the NAV of the trade
 * date or by the slip's shares; the cap is the shares held; cost leaves at average cost and the
 * realised gain is what came back less that cost; a back-dated trade is replayed in date order.
 */
import { QueryTypes } from 'sequelize';
import type { FieldIssue, PageOf } from '@shared/http';
import type { HoldingView, TradeView } from '@shared/ledger';
import { ASSESSED_C5, customerMaker, fundMaker } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

describe.each(databaseTargets())('redemption by shares at NAV on $label', (target) => {
  const { server, api } = useCrmServer(target);
  const customer = customerMaker(api, { name: '赎回客户', phone: '1350000', fields: ASSESSED_C5 });
  /** A fund of its own for each test, with the NAVs given (date → NAV). */
  const fund = fundMaker(api, { code: 'RDM', name: '赎回测试基金', riskLevel: 'R3' });
  const trade = (body: Record<string, unknown>) => api.send<TradeView>('rep-east-1', 'POST', '/api/trades', body);
  const holdingOf = async (customerId: number, productId: number) =>
    (await api.get<HoldingView[]>('rep-east-1', `/api/customers/${customerId}/holdings?includeClosed=true`)).find((h) => h.product.id === productId);
  const tradesOf = async (customerId: number, holdingId: number) =>
    (await api.get<PageOf<TradeView>>('rep-east-1', `/api/customers/${customerId}/holdings/${holdingId}/records`)).items;

  it('converts an amount at the NAV of the trade date: shares out at that NAV, cost out at average cost, the rest realised', async () => {
    const c = await customer();
    const p = await fund({ '2026-06-01': 1, '2026-06-10': 1.2422 });
    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 100_000, tradedOn: '2026-06-01' });

    const redeemed = await trade({ kind: 'redeem', customerId: c.id, productId: p.id, amount: 40_000, tradedOn: '2026-06-10' });
    const holding = await holdingOf(c.id, p.id);

    // 40,000 / 1.2422 = 32,200.93 shares; they cost 1.0000 each.
    expect(redeemed).toMatchObject({ kind: 'redeem', amount: 40_000, nav: 1.2422, shares: -32_200.93, costDelta: -32_200.93, realisedGain: 7_799.07 });
    expect(holding).toMatchObject({
      shares: 67_799.07,
      cost: 67_799.07,
      realisedGain: 7_799.07,
      nav: { date: '2026-06-10', nav: 1.2422 },
      marketValue: 84_220,
      gain: 16_420.93,
      status: 'holding',
    });
  });

  it('takes the shares of a confirmation slip and values them at the NAV of the trade date', async () => {
    const c = await customer();
    const p = await fund({ '2026-06-01': 1, '2026-06-10': 1.2422 });
    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 100_000, tradedOn: '2026-06-01' });

    const { holding, trade: redeemed } = await api.send<{ holding: HoldingView; trade: TradeView }>(
      'rep-east-1',
      'POST',
      `/api/customers/${c.id}/holding-records`,
      { kind: 'redeem', productId: p.id, shares: 20_000, tradedOn: '2026-06-10' },
    );

    expect(redeemed).toMatchObject({ amount: 24_844, nav: 1.2422, shares: -20_000, costDelta: -20_000, realisedGain: 4_844 });
    expect(holding).toMatchObject({ shares: 80_000, cost: 80_000, realisedGain: 4_844, marketValue: 99_376 });
  });

  it('refuses more shares than are held with 400 naming shares, by shares or by amount, and writes nothing', async () => {
    const c = await customer();
    const p = await fund({ '2026-06-01': 1, '2026-06-10': 1.2422 });
    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 10_000, tradedOn: '2026-06-01' });
    const rep = await api.as('rep-east-1');

    const bySlip = await rep.json('/api/trades', 'POST', { kind: 'redeem', customerId: c.id, productId: p.id, shares: 10_000.01, tradedOn: '2026-06-10' });
    // 12,422.02 at 1.2422 is 10,000.02 shares: more than the 10,000 held, although the market value is 12,422.
    const byAmount = await rep.json('/api/trades', 'POST', { kind: 'redeem', customerId: c.id, productId: p.id, amount: 12_422.02, tradedOn: '2026-06-10' });
    const [written] = await server.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', {
      replacements: [c.id],
      type: QueryTypes.SELECT,
    });

    expect([bySlip.status, byAmount.status]).toEqual([400, 400]);
    expect(((await errorOf(bySlip)).details as FieldIssue[]).map((d) => d.field)).toEqual(['shares']);
    expect(((await errorOf(byAmount)).details as FieldIssue[]).map((d) => d.field)).toEqual(['shares']);
    expect(Number(written!.n)).toBe(1);
    expect(await holdingOf(c.id, p.id)).toMatchObject({ shares: 10_000, cost: 10_000, realisedGain: 0 });
  });

  it('replays a back-dated redemption in date order: its cost is the average cost of its day', async () => {
    const c = await customer();
    const p = await fund({ '2026-06-01': 1, '2026-06-20': 2 });
    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 10_000, tradedOn: '2026-06-01' });
    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 10_000, tradedOn: '2026-06-20' });

    // On 06-10 the customer held 10,000 shares that cost 10,000 (today: 15,000 shares, 20,000).
    const redeemed = await trade({ kind: 'redeem', customerId: c.id, productId: p.id, shares: 5_000, tradedOn: '2026-06-10' });
    const holding = await holdingOf(c.id, p.id);

    expect(redeemed).toMatchObject({ amount: 5_000, nav: 1, shares: -5_000, costDelta: -5_000, realisedGain: 0 });
    expect(holding).toMatchObject({ shares: 10_000, cost: 15_000, realisedGain: 0, lastChangedOn: '2026-06-20' });
  });

  it('rewrites a later redemption’s cost and realised gain when a buy is back-dated before it', async () => {
    const c = await customer();
    const p = await fund({ '2026-06-01': 1, '2026-06-10': 1.25, '2026-06-20': 2 });
    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 10_000, tradedOn: '2026-06-01' });
    const redeemed = await trade({ kind: 'redeem', customerId: c.id, productId: p.id, shares: 5_000, tradedOn: '2026-06-20' });

    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 10_000, tradedOn: '2026-06-10' });
    const holding = await holdingOf(c.id, p.id);
    const after = (await tradesOf(c.id, holding!.id)).find((t) => t.id === redeemed.id);

    // Before the back-dated buy the redemption took 5,000 of cost (gain 5,000); after it the
    // position held 18,000 shares costing 20,000, so 5,000 shares took 5,555.56.
    expect(redeemed).toMatchObject({ costDelta: -5_000, realisedGain: 5_000 });
    expect(after).toMatchObject({ amount: 10_000, shares: -5_000, costDelta: -5_555.56, realisedGain: 4_444.44 });
    expect(holding).toMatchObject({ shares: 13_000, cost: 14_444.44, realisedGain: 4_444.44 });
  });

  it('refuses a back-dated redemption of shares bought only later, and writes nothing', async () => {
    const c = await customer();
    const p = await fund({ '2026-06-01': 1 });
    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 10_000, tradedOn: '2026-06-01' });
    await trade({ kind: 'buy', customerId: c.id, productId: p.id, amount: 10_000, tradedOn: '2026-06-20' });

    const res = await (
      await api.as('rep-east-1')
    ).json('/api/trades', 'POST', { kind: 'redeem', customerId: c.id, productId: p.id, shares: 15_000, tradedOn: '2026-06-10' });

    expect(res.status).toBe(400);
    expect(((await errorOf(res)).details as FieldIssue[]).map((d) => d.field)).toEqual(['shares']);
    expect(await holdingOf(c.id, p.id)).toMatchObject({ shares: 20_000, cost: 20_000, realisedGain: 0 });
  });
});
