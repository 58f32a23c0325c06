/**
 * An import needs the write permission of its kind's API path (issue 29): 运营, documented
 * read-only, holds `import.run` and wrote sales, follow-ups, customers and trades corp-wide
 * through imports. Every refusal here was a 202 and a written job on the code before the fix.
 */
import type { CustomerView } from '@shared/customers';
import type { ImportJobView } from '@shared/imports';
import { buyerAndFund, importFinished, uploadImport, type SheetRow as Row } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

/** One valid row of each kind, naming the customer by phone and the product by code. */
const FILES: Record<string, Row[]> = {
  customers: [
    ['客户名称*', '手机号'],
    ['运营导入的客户', '13700002001'],
  ],
  sales: [
    ['客户手机号', '产品代码*', '销售日期*', '销售金额（元）*'],
    ['13700002000', 'OPS01', '2026-03-01', 100000],
  ],
  holding_records: [
    ['客户手机号', '产品代码*', '交易类型*', '交易日期*', '交易金额（元）*'],
    ['13700002000', 'OPS01', '申购', '2026-03-01', 100000],
  ],
  follow_ups: [
    ['客户手机号', '跟进时间*', '跟进方式*', '跟进内容*'],
    ['13700002000', '2026-03-01 14:30', '电话', '运营导入的跟进'],
  ],
};

describe.each(databaseTargets())('import permissions on $label', (target) => {
  const { api, count } = useCrmServer(target);
  let customer: CustomerView;
  const upload = (userid: string, kind: string, query?: string) => uploadImport(api, userid, kind, FILES[kind]!, query);
  const finished = (userid: string, id: number) => importFinished(api, userid, id);
  const setRoles = async (userid: string, roles: string[]) => api.send('admin', 'PUT', `/api/admin/users/${await api.userId(userid)}/roles`, { roles }, 200);

  beforeAll(async () => {
    await setRoles('ops-1', ['operations']);
    customer = await buyerAndFund(api, { name: '华东的客户', phone: '13700002000' }, { code: 'OPS01', name: '运营测试产品', riskLevel: 'R1' });
  });

  it.each(Object.keys(FILES))('refuses 运营 an import of %s (403, in Chinese, no job)', async (kind) => {
    const jobsBefore = await count('SELECT COUNT(*) AS n FROM import_jobs');

    const res = await upload('ops-1', kind);

    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toMatch(/^导入.+需要「(编辑客户|录入销售)」权限/);
    expect(await count('SELECT COUNT(*) AS n FROM import_jobs')).toBe(jobsBefore);
  });

  it('refuses 运营 a dry run too: it reads the database as the write would', async () => {
    const res = await upload('ops-1', 'sales', 'mode=create&dryRun=true');

    expect(res.status).toBe(403);
  });

  it('writes nothing for 运营 through imports', async () => {
    for (const kind of Object.keys(FILES)) await upload('ops-1', kind);

    expect(await count("SELECT COUNT(*) AS n FROM customers WHERE name = '运营导入的客户'")).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', [customer.id])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM holdings WHERE customer_id = ?', [customer.id])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM follow_ups WHERE customer_id = ?', [customer.id])).toBe(0);
  });

  it('refuses to commit a dry run once the importer lost the write permission', async () => {
    await setRoles('rep-south-1', ['sales', 'operations']);
    const dry = await upload('rep-south-1', 'customers', 'mode=create&dryRun=true');
    expect(dry.status).toBe(202);
    const { id } = (await dry.json()) as ImportJobView;
    expect((await finished('rep-south-1', id)).status).toBe('succeeded');
    await setRoles('rep-south-1', ['operations']);

    const res = await (await api.as('rep-south-1')).json(`/api/imports/${id}/commit`, 'POST');

    expect(res.status).toBe(403);
    expect(await count("SELECT COUNT(*) AS n FROM customers WHERE name = '运营导入的客户'")).toBe(0);
  });

  it('still lets a rep with import.run import the kinds the rep may write', async () => {
    await api.send('admin', 'POST', '/api/admin/roles', { code: 'rep-importer', name: '可导入', dataScope: 'self', permissions: ['import.run'] });
    await setRoles('rep-east-1', ['sales', 'rep-importer']);

    const res = await upload('rep-east-1', 'follow_ups');

    expect([res.status, res.status === 202 ? '' : await res.text()]).toEqual([202, '']);
    const job = await finished('rep-east-1', ((await res.json()) as ImportJobView).id);
    expect(job).toMatchObject({ status: 'succeeded', created: 1 });
  });
});
