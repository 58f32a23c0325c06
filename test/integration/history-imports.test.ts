/**
 * History imports — sales, holding trades, follow-ups — under the record imports' rules: a
 * template, a dry run, errors per row and column in Chinese, references found inside the
 * importer's scope only, atomic batches, and nothing recorded twice.
 */
import xlsx from 'node-xlsx';
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { ImportJobView } from '@shared/imports';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

type Row = (string | number | null)[];
const workbook = (rows: Row[]) => xlsx.build([{ name: 'Sheet1', data: rows, options: {} }]);

describe.each(databaseTargets())('history imports on $label', (target) => {
  const { server, api, count } = useCrmServer(target, { env: { IMPORT_BATCH_SIZE: '3' } });
  let customer: CustomerView;
  let southern: CustomerView;
  let productCode: string;

  const importFile = async (userid: string, kind: string, rows: Row[], query = 'mode=create&dryRun=false') => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(workbook(rows))]), `${kind}.xlsx`);
    const res = await (await api.as(userid)).fetch(`/api/imports?kind=${kind}&${query}`, { method: 'POST', body: form });
    if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as ImportJobView;
    for (let i = 0; i < 400; i++) {
      const job = await api.get<ImportJobView>(userid, `/api/imports/${id}`);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`import ${id} did not finish`);
  };

  beforeAll(async () => {
    await api.send('admin', 'POST', '/api/admin/roles', {
      code: 'rep_importer',
      name: '导入历史',
      dataScope: 'self',
      permissions: ['import.run', 'customer.read', 'sales.read'],
    });
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('rep-east-1')}/roles`, { roles: ['sales', 'rep_importer'] }, 200);
    customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '历史导入客户',
      phone: '13700001001',
      ...ASSESSED_C5,
    });
    southern = await api.send<CustomerView>('rep-south-1', 'POST', '/api/customers', { type: 'individual', name: '华南的客户', phone: '13700001002' });
    const product = await api.send<{ code: string }>('admin', 'POST', '/api/products', {
      code: 'HIST01',
      name: '历史导入产品',
      category: 'public_fund',
      riskLevel: 'R2',
    });
    productCode = product.code;
  });

  it('offers a template for each history kind', async () => {
    const res = await (await api.as('rep-east-1')).fetch('/api/imports/templates/sales.xlsx');
    const [sheet] = xlsx.parse<Row>(Buffer.from(await res.arrayBuffer()));

    expect(res.status).toBe(200);
    expect(sheet!.data[0]).toEqual(expect.arrayContaining([expect.stringContaining('产品代码'), expect.stringContaining('销售日期')]));
  });

  it('imports sales naming the customer by phone and the product by code, for the importer', async () => {
    const job = await importFile('rep-east-1', 'sales', [
      ['客户名称', '客户手机号', '产品代码', '销售金额（元）', '销售日期', '销售渠道'],
      ['历史导入客户', '137-0000-1001', productCode, '1,200.50', '2026-03-01', '直销'],
      ['', '13700001001', productCode, 800, '2026-03-02', '直销'],
    ]);

    expect(job).toMatchObject({ status: 'succeeded', created: 2, failed: 0 });
    expect(await count("SELECT SUM(amount_fen) AS n FROM trades WHERE kind = 'buy' AND customer_id = ?", [customer.id])).toBe(200_050);
    expect(
      await count("SELECT COUNT(*) AS n FROM trades WHERE kind = 'buy' AND customer_id = ? AND rep_user_id = ?", [customer.id, await api.userId('rep-east-1')]),
    ).toBe(2);
  });

  it('skips a sale already on file, so the same file imported twice records it once', async () => {
    const rows: Row[] = [
      ['客户手机号', '产品代码', '销售金额（元）', '销售日期'],
      ['13700001001', productCode, 500, '2026-04-01'],
    ];
    await importFile('rep-east-1', 'sales', rows);

    const again = await importFile('rep-east-1', 'sales', rows);

    expect(again).toMatchObject({ created: 0, skipped: 1 });
    expect(await count("SELECT COUNT(*) AS n FROM trades WHERE kind = 'buy' AND customer_id = ? AND traded_on = '2026-04-01'", [customer.id])).toBe(1);
  });

  it('does not find a customer outside the importer’s scope, and says so in Chinese', async () => {
    const job = await importFile('rep-east-1', 'sales', [
      ['客户手机号', '产品代码', '销售金额（元）', '销售日期'],
      ['13700001002', productCode, 500, '2026-04-02'],
    ]);

    expect(job.failed).toBe(1);
    expect(job.errors[0]).toMatchObject({ row: 2, column: '客户名称', message: expect.stringContaining('不在你的数据范围内') });
    expect(await count("SELECT COUNT(*) AS n FROM trades WHERE kind = 'buy' AND customer_id = ?", [southern.id])).toBe(0);
  });

  it('names the bad cell of each row: a bad date, an unknown product, a zero amount', async () => {
    const job = await importFile('rep-east-1', 'sales', [
      ['客户手机号', '产品代码', '销售金额（元）', '销售日期'],
      ['13700001001', productCode, 100, '2026-13-01'],
      ['13700001001', 'NOPE', 100, '2026-05-01'],
      ['13700001001', productCode, 0, '2026-05-02'],
    ]);

    expect(job.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [2, '销售日期', '日期格式不正确，应为 2026-03-01 这样的日期'],
      [3, '产品代码', '找不到产品「NOPE」：请填写产品代码'],
      [4, '销售金额（元）', '金额必须大于 0'],
    ]);
  });

  it('imports buys and redemptions in file order, and the holding follows them', async () => {
    const job = await importFile('rep-east-1', 'holding_records', [
      ['客户手机号', '产品代码', '交易类型', '交易金额（元）', '交易日期'],
      ['13700001001', productCode, '申购', 100000, '2026-01-05'],
      ['13700001001', productCode, '申购', 50000, '2026-02-05'],
      ['13700001001', productCode, '赎回', 30000, '2026-03-05'],
    ]);

    expect(job).toMatchObject({ status: 'succeeded', created: 3 });
    const [holding] = await server.db.sequelize.query<{ shares_hundredths: number; cost_fen: number; status: string }>(
      'SELECT shares_hundredths, cost_fen, status FROM holdings WHERE customer_id = ?',
      { replacements: [customer.id], type: QueryTypes.SELECT },
    );
    // One ledger: the 2,500.50 of sales imported above are buys of this position too. No NAV on file, so at
    // par: 2,500.50 + 150,000 buy as many shares, and 30,000 redeems 30,000 of them with their cost.
    expect(Number(holding!.shares_hundredths)).toBe(12_250_050);
    expect(Number(holding!.cost_fen)).toBe(12_250_050);
    expect(holding!.status).toBe('holding');
  });

  it('rolls a batch back whole when one trade cannot apply (a redemption beyond the holding)', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM trades');

    const job = await importFile('rep-east-1', 'holding_records', [
      ['客户手机号', '产品代码', '交易类型', '交易金额（元）', '交易日期'],
      ['13700001001', productCode, '申购', 1000, '2026-04-05'],
      ['13700001001', productCode, '赎回', 99_999_999, '2026-04-06'],
    ]);

    expect(job.failed).toBe(2);
    expect(job.errors[0]!.message).toContain('整批未写入');
    expect(await count('SELECT COUNT(*) AS n FROM trades')).toBe(before);
  });

  it('imports follow-ups with their time and author, and back-dated ones leave the latest date alone', async () => {
    await api.send('rep-east-1', 'POST', `/api/customers/${customer.id}/follow-ups`, {
      channel: 'phone',
      content: '最近一次',
      followedAt: '2026-11-20T10:00:00+08:00',
    });

    const job = await importFile('rep-east-1', 'follow_ups', [
      ['客户手机号', '跟进时间', '跟进方式', '跟进内容', '跟进人'],
      ['13700001001', '2026-02-01 09:30', '电话', '春节后回访', '李娜'],
      ['13700001001', '2026/3/1', '拜访', '到访网点', ''],
    ]);

    expect(job.errors).toEqual([]);
    expect(job).toMatchObject({ status: 'succeeded', created: 2 });
    const rows = await server.db.sequelize.query<{ followed_at: string | Date; channel: string }>(
      'SELECT followed_at, channel FROM follow_ups WHERE customer_id = ? ORDER BY followed_at',
      { replacements: [customer.id], type: QueryTypes.SELECT },
    );
    expect(rows.map((r) => new Date(r.followed_at).toISOString())).toEqual([
      '2026-02-01T01:30:00.000Z',
      '2026-03-01T04:00:00.000Z',
      '2026-11-20T02:00:00.000Z',
    ]);
    const latest = await api.get<CustomerView>('rep-east-1', `/api/customers/${customer.id}`);
    expect(latest.lastFollowUpAt).toBe('2026-11-20T02:00:00.000Z');
  });

  it('refuses a follow-up time in the future', async () => {
    const job = await importFile('rep-east-1', 'follow_ups', [
      ['客户手机号', '跟进时间', '跟进方式', '跟进内容'],
      ['13700001001', '2099-01-01 10:00', '电话', '未来'],
    ]);

    expect(job.errors[0]).toMatchObject({ column: '跟进时间', message: '跟进时间不能晚于现在' });
  });
});
