/**
 * 冷静期 and 回访 (server/modules/trades/cooling-off.ts): a buy of a private product waits in its
 * 冷静期, the customer may cancel it then (the holding goes), after it someone other than the seller
 * records the 回访 — confirmed only with the 双录 reference the product needs — and 合规 lists the
 * buys waiting for one.
 */
import { QueryTypes } from 'sequelize';
import type { CallbackItem } from '@shared/cooling-off';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { HoldingView } from '@shared/ledger';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import { businessDate } from '@shared/time';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

const TODAY = businessDate(new Date());

describe.each(databaseTargets())('cooling-off and 回访 on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let seq = 0;
  let fund: ProductView;
  const qualifiedCustomer = async () => {
    const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: `冷静期客户${++seq}`, ...ASSESSED_C5 });
    await api.send(
      'rep-east-1',
      'PUT',
      `/api/customers/${c.id}/qualification`,
      { basis: 'financial_assets', evidenceOn: TODAY, validUntil: '2035-12-31' },
      200,
    );
    return c;
  };
  const buy = (customerId: number) =>
    api.send<SaleView>('rep-east-1', 'POST', '/api/sales', { productId: fund.id, customerId, amount: 1_000_000, soldOn: TODAY, channel: 'direct' });
  const endCoolingOff = (tradeId: number) =>
    server.db.sequelize.query('UPDATE trades SET cooling_off_ends_at = ? WHERE id = ?', { replacements: [new Date(Date.now() - 60_000), tradeId] });
  const callback = async (userid: string, tradeId: number, body: object) => (await api.as(userid)).json(`/api/trades/${tradeId}/callback`, 'POST', body);

  beforeAll(async () => {
    fund = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'COOL01',
      name: '私募稳进一号',
      category: 'private_fund',
      riskLevel: 'R3',
      qualifiedOnly: true,
      minSubscription: 1_000_000,
      recordingRequired: true,
    });
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
  });

  it('puts a private product’s buy into a 24-hour 冷静期 waiting for its 回访', async () => {
    const sale = await buy((await qualifiedCustomer()).id);

    expect(sale.callbackStatus).toBe('pending');
    const hours = (Date.parse(sale.coolingOffEndsAt!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it('lets the customer cancel in the 冷静期: the buy is voided and the holding reversed', async () => {
    const c = await qualifiedCustomer();
    const sale = await buy(c.id);
    const before = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings`);
    expect(before.filter((h) => h.shares > 0)).toHaveLength(1);

    const res = await (await api.as('rep-east-1')).json(`/api/trades/${sale.id}/cooling-off-cancel`, 'POST', { reason: '客户改变主意' });

    expect(res.status).toBe(204);
    const holdings = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings`);
    expect(holdings.filter((h) => h.shares > 0)).toEqual([]);
    const [row] = await server.db.sequelize.query<{ voided: number; status: string }>(
      'SELECT CASE WHEN voided_at IS NULL THEN 0 ELSE 1 END AS voided, callback_status AS status FROM trades WHERE id = ?',
      { replacements: [sale.id], type: QueryTypes.SELECT },
    );
    expect(row).toEqual({ voided: 1, status: 'cancelled' });
  });

  it('refuses a cancellation once the 冷静期 is over', async () => {
    const sale = await buy((await qualifiedCustomer()).id);
    await endCoolingOff(sale.id);

    const res = await (await api.as('rep-east-1')).json(`/api/trades/${sale.id}/cooling-off-cancel`, 'POST', { reason: '太晚了' });

    expect(res.status).toBe(409);
  });

  it('refuses a 回访 during the 冷静期', async () => {
    const sale = await buy((await qualifiedCustomer()).id);

    expect((await callback('risk-1', sale.id, { outcome: 'confirmed', recordingRef: 'REC-1' })).status).toBe(409);
  });

  it('does not let the selling rep record the 回访', async () => {
    const sale = await buy((await qualifiedCustomer()).id);
    await endCoolingOff(sale.id);

    const res = await callback('rep-east-1', sale.id, { outcome: 'confirmed', recordingRef: 'REC-2' });

    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('callback_by_seller');
  });

  it('confirms only with the 双录 reference the product needs, and then leaves 合规’s list', async () => {
    const sale = await buy((await qualifiedCustomer()).id);
    await endCoolingOff(sale.id);
    const waiting = await api.get<PageOf<CallbackItem>>('risk-1', '/api/trades/callbacks?pageSize=100');
    expect(waiting.items.find((i) => i.id === sale.id)).toMatchObject({ inCoolingOff: false, callbackStatus: 'pending', product: { recordingRequired: true } });

    const without = await callback('risk-1', sale.id, { outcome: 'confirmed' });
    expect((await errorOf(without)).code).toBe('recording_required');
    expect((await callback('risk-1', sale.id, { outcome: 'confirmed', note: '客户确认', recordingRef: 'REC-2026-001' })).status).toBe(204);

    const after = await api.get<PageOf<CallbackItem>>('risk-1', '/api/trades/callbacks?pageSize=100');
    expect(after.items.map((i) => i.id)).not.toContain(sale.id);
    expect((await api.get<SaleView>('rep-east-1', `/api/sales/${sale.id}`)).callbackStatus).toBe('confirmed');
  });

  it('voids the buy when the customer cancels at the 回访', async () => {
    const c = await qualifiedCustomer();
    const sale = await buy(c.id);
    await endCoolingOff(sale.id);

    expect((await callback('risk-1', sale.id, { outcome: 'cancelled', note: '客户要求撤销' })).status).toBe(204);

    const holdings = await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings`);
    expect(holdings.filter((h) => h.shares > 0)).toEqual([]);
  });
});
