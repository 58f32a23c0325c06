/**
 * Who an imported sale is credited to (销售人员): the person named in the row, and with the cell
 * blank the customer's owner — as the API and the H5 form credit a buy — not whoever runs the import.
 */
import type { CustomerView } from '@shared/customers';
import { buyerAndFund, finishedJob, uploadImport, type SheetRow } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

describe.each(databaseTargets())('the credit of an imported sale on $label', (target) => {
  const { api, count } = useCrmServer(target);
  let customer: CustomerView;

  const importSales = (rows: SheetRow[]) => finishedJob(api, 'admin', uploadImport(api, 'admin', 'sales', rows));
  const creditedTo = async (userid: string, day: string) =>
    count("SELECT COUNT(*) AS n FROM trades WHERE kind = 'buy' AND customer_id = ? AND traded_on = ? AND rep_user_id = ?", [
      customer.id,
      day,
      await api.userId(userid),
    ]);

  beforeAll(async () => {
    customer = await buyerAndFund(api, { name: '导入归属客户', phone: '13700002001' }, { code: 'CREDIT1', name: '归属测试产品', riskLevel: 'R2' });
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
