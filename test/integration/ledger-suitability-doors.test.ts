/**
 * Suitability on every buy (issue 31 [ledger]): whichever door a buy comes through — the sale
 * form, the trade API, the holding sheet, the sales and holding-trade imports — a customer whose
 * assessment does not allow the product is refused and nothing is written: C1 buying R3, a level
 * without an assessment date, an expired assessment, one past the default year of validity.
 */
import type { CustomerView } from '@shared/customers';
import type { ProductView } from '@shared/products';
import { addDays, businessDate } from '@shared/time';
import { customerMaker, finishedJob, uploadImport } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

const TODAY = businessDate(new Date());

/** The doors of the API that record a buy, each as (customer, product) → the response. */
const DOORS = {
  'POST /api/sales': (customerId: number, productId: number) => ({
    path: '/api/sales',
    body: { customerId, productId, amount: 10_000, soldOn: TODAY, channel: 'direct' },
  }),
  'POST /api/trades': (customerId: number, productId: number) => ({
    path: '/api/trades',
    body: { kind: 'buy', customerId, productId, amount: 10_000, tradedOn: TODAY },
  }),
  'POST /api/customers/:id/holding-records': (customerId: number, productId: number) => ({
    path: `/api/customers/${customerId}/holding-records`,
    body: { kind: 'buy', productId, amount: 10_000, tradedOn: TODAY },
  }),
};

/** Risk profiles that allow no buy of the product named, and the problem the refusal names. */
const PROFILES = [
  { label: 'a C1 customer buying R3', product: 'R3', profile: { riskLevel: 'C1', riskAssessedOn: TODAY }, problem: 'level' },
  { label: 'a level without an assessment date', product: 'R1', profile: { riskLevel: 'C5' }, problem: 'missing_assessment' },
  {
    label: 'an expired assessment',
    product: 'R1',
    profile: { riskLevel: 'C5', riskAssessedOn: '2024-01-01', riskAssessmentExpiresOn: '2025-01-01' },
    problem: 'expired_assessment',
  },
  {
    label: 'an assessment past the default year, with no expiry of its own',
    product: 'R1',
    profile: { riskLevel: 'C5', riskAssessedOn: addDays(TODAY, -366) },
    problem: 'expired_assessment',
  },
] as const;

describe.each(databaseTargets())('suitability on every door on $label', (target) => {
  const { api, count } = useCrmServer(target);
  const products: Record<string, ProductView> = {};
  const customer = customerMaker(api, { name: '适当性门客户', phone: '1340000' });
  /** What a buy would have written for the customer: trades, holdings, audited trades, and 销售额 as a whole. */
  const written = async (c: CustomerView) => ({
    trades: await count('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', [c.id]),
    holdings: await count('SELECT COUNT(*) AS n FROM holdings WHERE customer_id = ?', [c.id]),
    audited: await count("SELECT COUNT(*) AS n FROM audit_logs WHERE action LIKE 'trade.%' AND summary LIKE ?", [`%：${c.name} %`]),
    salesMonthly: await count('SELECT COALESCE(SUM(sale_count), 0) AS n FROM sales_monthly'),
  });

  beforeAll(async () => {
    for (const level of ['R1', 'R3']) {
      products[level] = await api.send<ProductView>('admin', 'POST', '/api/products', {
        code: `DOOR${level}`,
        name: `${level}适当性门产品`,
        category: 'public_fund',
        riskLevel: level,
      });
    }
  });

  describe.each(PROFILES)('$label', ({ product, profile, problem }) => {
    it.each(Object.keys(DOORS) as (keyof typeof DOORS)[])('is refused through %s, and nothing is written', async (door) => {
      const c = await customer(profile);
      const before = await written(c);
      const { path, body } = DOORS[door](c.id, products[product]!.id);

      const res = await (await api.as('rep-east-1')).json(path, 'POST', body);

      expect(res.status).toBe(409);
      expect(await errorOf(res)).toMatchObject({ code: 'suitability_mismatch', details: { problem, overridable: false } });
      expect(await written(c)).toEqual({ ...before, trades: 0, holdings: 0, audited: 0 });
    });
  });

  it.each([
    {
      kind: 'sales',
      header: ['客户手机号', '产品代码', '销售日期', '销售金额（元）'],
      row: (phone: string) => [phone, 'DOORR3', TODAY, 10_000],
    },
    {
      kind: 'holding_records',
      header: ['客户手机号', '产品代码', '交易类型', '交易日期', '交易金额（元）'],
      row: (phone: string) => [phone, 'DOORR3', '申购', TODAY, 10_000],
    },
  ])('is refused for a C1 customer in a $kind import: the dry run shows the row’s error, the commit writes nothing', async ({ kind, header, row }) => {
    const c = await customer({ riskLevel: 'C1', riskAssessedOn: TODAY });
    const before = await written(c);

    const dry = await finishedJob(api, 'admin', uploadImport(api, 'admin', kind, [header, row(c.phone!)], 'mode=create&dryRun=true'));
    const committed = await finishedJob(api, 'admin', (await api.as('admin')).json(`/api/imports/${dry.id}/commit`, 'POST'));

    expect(dry).toMatchObject({ status: 'succeeded', created: 0, failed: 1 });
    expect(dry.errors).toEqual([expect.objectContaining({ row: 2, column: '产品代码', message: expect.stringContaining('适当性不匹配') })]);
    expect(committed).toMatchObject({ status: 'succeeded', created: 0, failed: 1 });
    expect(await written(c)).toEqual({ ...before, trades: 0, holdings: 0, audited: 0 });
  });
});
