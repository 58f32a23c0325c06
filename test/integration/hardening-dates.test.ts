/**
 * Issue 29 (hardening): dates were taken from year 0 to 9999 — a trade dated 9999-12-31 matured
 * in year 100, a follow-up in year −1 made a month key no report reads. Every date the API and the
 * imports take is now between 1900 and ten years ahead, and what has happened (a sale, a trade,
 * an assessment) not after today, China time — in the shared schemas, so every
 * endpoint and every import row gets the same rule. Every refusal here was a 201 before the fix.
 */
import xlsx from 'node-xlsx';
import type { CustomerView } from '@shared/customers';
import type { FieldIssue } from '@shared/http';
import type { ImportJobView } from '@shared/imports';
import type { ProductView } from '@shared/products';
import { addDays, businessDate } from '@shared/time';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

describe.each(databaseTargets())('the range of dates on $label', (target) => {
  const { api } = useCrmServer(target);
  let customer: CustomerView;
  let product: ProductView;
  const today = () => businessDate(new Date());

  /** The field and message of each issue of a refused request. */
  const issuesOf = async (res: Response) => {
    expect(res.status).toBe(400);
    return ((await errorOf(res)).details as FieldIssue[]).map(({ field, message }) => ({ field, message }));
  };
  const post = async (path: string, body: unknown) => (await api.as('rep-east-1')).json(path, 'POST', body);
  const importRows = async (kind: string, rows: (string | number)[][]): Promise<ImportJobView> => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(xlsx.build([{ name: 'Sheet1', data: rows, options: {} }]))]), `${kind}.xlsx`);
    const res = await (await api.as('admin')).fetch(`/api/imports?kind=${kind}&dryRun=true`, { method: 'POST', body: form });
    const { id } = (await res.json()) as ImportJobView;
    for (;;) {
      const job = await api.get<ImportJobView>('admin', `/api/imports/${id}`);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '日期范围客户', ...ASSESSED_C5 });
    product = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'DATE01',
      name: '定期理财',
      category: 'public_fund',
      riskLevel: 'R2',
      termDays: 90,
    });
  });

  describe('trades', () => {
    const trade = (tradedOn: string) => post(`/api/customers/${customer.id}/holding-records`, { kind: 'buy', productId: product.id, amount: 1000, tradedOn });

    it('refuses 9999-12-31, the date that matured in year 100', async () => {
      expect(await issuesOf(await trade('9999-12-31'))).toEqual([{ field: 'tradedOn', message: `日期不能晚于今天（${today()}）` }]);
    });

    it('refuses tomorrow, China time', async () => {
      expect(await issuesOf(await trade(addDays(today(), 1)))).toEqual([{ field: 'tradedOn', message: `日期不能晚于今天（${today()}）` }]);
    });

    it('refuses a year before 1900', async () => {
      expect(await issuesOf(await trade('0001-01-01'))).toEqual([{ field: 'tradedOn', message: '日期不能早于 1900-01-01' }]);
    });

    it('takes today', async () => {
      expect((await trade(today())).status).toBe(201);
    });
  });

  it('refuses a sale dated tomorrow', async () => {
    const res = await post('/api/sales', { productId: product.id, customerId: customer.id, amount: 1000, soldOn: addDays(today(), 1), channel: 'direct' });

    expect(await issuesOf(res)).toEqual([{ field: 'soldOn', message: `日期不能晚于今天（${today()}）` }]);
  });

  describe('follow-ups', () => {
    const followUp = (body: Record<string, unknown>) => post(`/api/customers/${customer.id}/follow-ups`, { channel: 'phone', content: '回访', ...body });

    it('refuses one in year −1', async () => {
      expect(await issuesOf(await followUp({ followedAt: '-000001-06-01T00:00:00.000Z' }))).toEqual([
        { field: 'followedAt', message: '时间不能早于 1900-01-01' },
      ]);
    });

    it('refuses a next follow-up more than ten years ahead', async () => {
      const [issue] = await issuesOf(await followUp({ nextFollowUpAt: '2999-01-01T02:00:00.000Z' }));

      expect(issue).toEqual({ field: 'nextFollowUpAt', message: expect.stringMatching(/^时间不能晚于 \d{4}-\d{2}-\d{2}（今天起 10 年内）$/) });
    });

    it('takes a next follow-up next year', async () => {
      expect((await followUp({ nextFollowUpAt: `${Number(today().slice(0, 4)) + 1}-03-01T02:00:00.000Z` })).status).toBe(201);
    });
  });

  describe('risk assessments', () => {
    it('refuses an assessment dated tomorrow', async () => {
      const res = await post('/api/customers', { type: 'individual', name: '未来测评', riskLevel: 'C3', riskAssessedOn: addDays(today(), 1) });

      expect(await issuesOf(res)).toEqual([{ field: 'riskAssessedOn', message: `日期不能晚于今天（${today()}）` }]);
    });

    it('refuses a validity running to 9999', async () => {
      const res = await post('/api/customers', {
        type: 'individual',
        name: '永久测评',
        riskLevel: 'C3',
        riskAssessedOn: today(),
        riskAssessmentExpiresOn: '9999-12-31',
      });

      expect((await issuesOf(res)).map((i) => i.field)).toEqual(['riskAssessmentExpiresOn']);
    });
  });

  it('refuses a target for year 9999', async () => {
    const res = await (
      await api.as('admin')
    ).json('/api/targets', 'PUT', { period: '9999-Q4', scopeType: 'user', scopeId: await api.userId('rep-east-1'), metric: 'follow_ups', value: 1 });

    expect((await issuesOf(res)).map((i) => i.field)).toEqual(['period']);
  });

  describe('imports', () => {
    it('refuse a customer row assessed in the future, at its column', async () => {
      const job = await importRows('customers', [
        ['客户名称', '风险等级', '测评日期'],
        ['导入的未来测评', 'C3', addDays(today(), 30)],
      ]);

      expect(job.errors[0]).toMatchObject({ column: '测评日期', message: `日期不能晚于今天（${today()}）` });
    });

    it('refuse a partner row signed in year 1', async () => {
      const job = await importRows('partners', [
        ['机构名称', '机构类型', '签约日期'],
        ['远古银行', '银行', '0001-01-01'],
      ]);

      expect(job.errors[0]).toMatchObject({ column: '签约日期', message: '日期不能早于 1900-01-01' });
    });
  });
});
