/**
 * 合格投资者 (shared/qualification.ts, trades/ledger.ts assertQualified): a product sold only to
 * qualified investors refuses a buy from a customer without a valid qualification, and a product
 * with a 最低认购金额 refuses a buy below it — on the API and in the sales import, in the ledger's
 * transaction beside the suitability check.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { ProductView } from '@shared/products';
import { businessDate } from '@shared/time';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { importSales } from '../helpers/sales-import';
import { errorOf } from '../helpers/http';

const TODAY = businessDate(new Date());
const QUALIFIED = { basis: 'financial_assets', evidenceOn: TODAY, validUntil: '2035-12-31' };

describe.each(databaseTargets())('qualified investors on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let seq = 0;
  let privateFund: ProductView;
  const customer = async (qualification?: object) => {
    const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: `合格投资者客户${++seq}`, ...ASSESSED_C5 });
    return qualification ? api.send<CustomerView>('rep-east-1', 'PUT', `/api/customers/${c.id}/qualification`, qualification) : c;
  };
  const buy = (customerId: number, amount: number) =>
    api.as('rep-east-1').then((b) => b.json('/api/sales', 'POST', { productId: privateFund.id, customerId, amount, soldOn: TODAY, channel: 'direct' }));
  const tradesOf = async (customerId: number) =>
    Number(
      (
        await server.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', {
          replacements: [customerId],
          type: QueryTypes.SELECT,
        })
      )[0]!.n,
    );

  beforeAll(async () => {
    privateFund = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'PEF001',
      name: '私募成长一号',
      category: 'private_fund',
      riskLevel: 'R4',
      qualifiedOnly: true,
      minSubscription: 1_000_000,
    });
  });

  it('carries 仅限合格投资者 and the minimum on the product', () => {
    expect(privateFund).toMatchObject({ qualifiedOnly: true, minSubscription: 1_000_000 });
  });

  it('refuses a buy from a customer without a qualification', async () => {
    const c = await customer();
    const res = await buy(c.id, 1_000_000);

    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('qualification_required');
    expect(await tradesOf(c.id)).toBe(0);
  });

  it('refuses a buy from a customer whose qualification has lapsed', async () => {
    const c = await customer({ basis: 'income', evidenceOn: '2024-01-01', validUntil: '2025-01-01' });
    const res = await buy(c.id, 1_000_000);

    expect((await errorOf(res)).message).toContain('已于 2025-01-01 过期');
  });

  it('refuses a qualified customer’s buy below the minimum', async () => {
    const c = await customer(QUALIFIED);
    const res = await buy(c.id, 500_000);

    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('below_minimum_subscription');
    expect(await tradesOf(c.id)).toBe(0);
  });

  it('takes a qualified customer’s buy at the minimum', async () => {
    const c = await customer(QUALIFIED);

    expect((await buy(c.id, 1_000_000)).status).toBe(201);
  });

  it('keeps the qualification on the customer, audited', async () => {
    const c = await customer(QUALIFIED);

    expect(c.qualification).toEqual({ basis: 'financial_assets', evidenceOn: TODAY, validUntil: '2035-12-31' });
    const [row] = await server.db.sequelize.query<{ summary: string }>(
      "SELECT summary FROM audit_logs WHERE action = 'customer.qualification' AND entity_id = ?",
      {
        replacements: [String(c.id)],
        type: QueryTypes.SELECT,
      },
    );
    expect(row!.summary).toContain('金融资产不低于 300 万元');
  });

  it('refuses a qualification without its evidence date', async () => {
    const c = await customer();
    const res = await (
      await api.as('rep-east-1')
    ).json(`/api/customers/${c.id}/qualification`, 'PUT', { basis: 'income', evidenceOn: null, validUntil: '2030-01-01' });

    expect(res.status).toBe(400);
  });

  it('refuses the unqualified and the below-minimum rows of a sales import, each as its row’s error', async () => {
    const [unqualified, qualified] = [await customer(), await customer(QUALIFIED)];
    const job = await importSales(api, [
      [unqualified.id, 'PEF001', 1_000_000, TODAY],
      [qualified.id, 'PEF001', 300_000, TODAY],
      [qualified.id, 'PEF001', 1_200_000, TODAY],
    ]);

    expect(job).toMatchObject({ created: 1, failed: 2 });
    expect(job.errors).toEqual([
      expect.objectContaining({ row: 2, column: '产品代码', message: expect.stringContaining('仅限合格投资者') }),
      expect.objectContaining({ row: 3, message: expect.stringContaining('最低认购金额') }),
    ]);
    expect(await tradesOf(unqualified.id)).toBe(0);
  });
});
