/**
 * 商机 from Excel (issue 35 [pipeline]): rows name their customer and product in words; an open stage
 * by its label (blank: the first); the opportunity is the customer's owner's, whoever imports it, and
 * starts its timeline; a closing stage or an unknown customer is the row's error; the same file again records nothing twice.
 */
import xlsx from 'node-xlsx';
import type { CustomerView } from '@shared/customers';
import type { ImportJobView } from '@shared/imports';
import type { ProductView } from '@shared/products';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

type Row = (string | number | null)[];
const HEADER = ['客户名称', '客户手机号', '产品代码', '商机名称', '预计金额（元）', '预计成交日期', '阶段', '下一步'];

describe.each(databaseTargets())('importing opportunities on $label', (target) => {
  const { api, count } = useCrmServer(target);
  let mine: CustomerView;
  let theirs: CustomerView;

  const importFile = async (as: string, rows: Row[], dryRun: boolean) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(xlsx.build([{ name: 'Sheet1', data: [HEADER, ...rows], options: {} }]))]), 'opportunities.xlsx');
    const res = await (await api.as(as)).fetch(`/api/imports?kind=opportunities&mode=create&dryRun=${dryRun}`, { method: 'POST', body: form });
    if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
    const id = ((await res.json()) as ImportJobView).id;
    for (let i = 0; i < 400; i++) {
      const job = await api.get<ImportJobView>(as, `/api/imports/${id}`);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`import ${id} did not finish`);
  };

  beforeAll(async () => {
    await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'IMPOPP', name: '导入商机产品', category: 'public_fund', riskLevel: 'R2' });
    mine = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '导入商机甲',
      phone: '13812340001',
      ...ASSESSED_C5,
    });
    theirs = await api.send<CustomerView>('rep-south-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '导入商机乙',
      phone: '13812340002',
      ...ASSESSED_C5,
    });
  });

  const rows: Row[] = [
    ['导入商机甲', '13812340001', 'IMPOPP', '年末配置', '500,000', '2026-12-31', '需求确认', '周五前发送说明书'],
    ['导入商机甲', '13812340001', 'IMPOPP', '直接成交', '100000', '2026-12-31', '成交', null],
    ['查无此人', '13812349999', 'IMPOPP', '找不到的客户', '100000', '2026-12-31', null, null],
    ['导入商机乙', '13812340002', 'IMPOPP', '乙的配置', '100000', '2026-12-31', null, null],
  ];

  it('checks every row in a dry run and writes nothing', async () => {
    const job = await importFile('admin', rows, true);
    expect(job).toMatchObject({ status: 'succeeded', created: 2, failed: 2 });
    expect(await count('SELECT COUNT(*) AS n FROM opportunities')).toBe(0);
  });

  it('writes the good rows as the customer owner’s opportunities at their stage, on the timeline', async () => {
    const job = await importFile('admin', rows, false);
    expect(job).toMatchObject({ created: 2, failed: 2 });
    expect(await count("SELECT COUNT(*) AS n FROM opportunities WHERE customer_id = ? AND stage = 'needs' AND expected_amount_fen = 50000000", [mine.id])).toBe(
      1,
    );
    expect(await count('SELECT COUNT(*) AS n FROM opportunities WHERE owner_user_id = ?', [await api.userId('rep-east-1')])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE customer_id = ?', [mine.id])).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM opportunities WHERE customer_id = ? AND stage = 'initial'", [theirs.id])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM opportunities WHERE owner_user_id = ?', [await api.userId('rep-south-1')])).toBe(1);
  });

  it('skips the rows already on file when the same file comes again', async () => {
    const job = await importFile('admin', rows.slice(0, 1), false);
    expect(job).toMatchObject({ created: 0, skipped: 1 });
    expect(await count('SELECT COUNT(*) AS n FROM opportunities WHERE customer_id = ?', [mine.id])).toBe(1);
  });

  it('exports the list under its filter in the import’s columns, audited', async () => {
    const res = await (await api.as('admin')).fetch('/api/opportunities/export.xlsx?status=open');
    expect(res.status).toBe(200);
    const [sheet] = xlsx.parse(Buffer.from(await res.arrayBuffer()));
    expect(sheet!.data[0]!.slice(0, 7)).toEqual(HEADER.filter((h) => h !== '客户手机号'));
    expect(
      sheet!.data
        .slice(1)
        .map((r) => r[2])
        .sort(),
    ).toEqual(['乙的配置', '年末配置']);
    expect(await count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'opportunity.export' AND summary LIKE '导出商机 2 个%'")).toBe(1);
    expect((await (await api.as('rep-east-1')).fetch('/api/opportunities/export.xlsx')).status).toBe(403);
  });
});
