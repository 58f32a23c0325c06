/**
 * Who an imported sale is credited to (销售人员): the person named in the row, and with the cell
 * blank the customer's owner — as the API and the H5 form credit a buy — not whoever runs the import.
 */
import xlsx from 'node-xlsx';
import type { CustomerView } from '@shared/customers';
import type { ImportJobView } from '@shared/imports';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

type Row = (string | number | null)[];

describe.each(databaseTargets())('the credit of an imported sale on $label', (target) => {
  const { api, count } = useCrmServer(target);
  let customer: CustomerView;

  const importSales = async (rows: Row[]) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(xlsx.build([{ name: 'Sheet1', data: rows, options: {} }]))]), 'sales.xlsx');
    const res = await (await api.as('admin')).fetch('/api/imports?kind=sales&mode=create&dryRun=false', { method: 'POST', body: form });
    const { id } = (await res.json()) as ImportJobView;
    for (let i = 0; i < 400; i++) {
      const job = await api.get<ImportJobView>('admin', `/api/imports/${id}`);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`import ${id} did not finish`);
  };
  const creditedTo = async (userid: string, day: string) =>
    count("SELECT COUNT(*) AS n FROM trades WHERE kind = 'buy' AND customer_id = ? AND traded_on = ? AND rep_user_id = ?", [
      customer.id,
      day,
      await api.userId(userid),
    ]);

  beforeAll(async () => {
    customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '导入归属客户',
      phone: '13700002001',
      ...ASSESSED_C5,
    });
    await api.send('admin', 'POST', '/api/products', { code: 'CREDIT1', name: '归属测试产品', category: 'public_fund', riskLevel: 'R2' });
  });

  it('credits the customer’s owner when 销售人员 is blank, though an admin imports it', async () => {
    const job = await importSales([
      ['客户手机号', '产品代码', '销售金额（元）', '销售日期', '销售人员'],
      ['13700002001', 'CREDIT1', 10_000, '2026-05-01', ''],
    ]);

    expect(job).toMatchObject({ status: 'succeeded', created: 1 });
    expect(await creditedTo('rep-east-1', '2026-05-01')).toBe(1);
  });

  it('credits the person the row names', async () => {
    const job = await importSales([
      ['客户手机号', '产品代码', '销售金额（元）', '销售日期', '销售人员'],
      ['13700002001', 'CREDIT1', 20_000, '2026-05-02', 'rep-east-2'],
    ]);

    expect(job).toMatchObject({ status: 'succeeded', created: 1 });
    expect(await creditedTo('rep-east-2', '2026-05-02')).toBe(1);
  });
});
