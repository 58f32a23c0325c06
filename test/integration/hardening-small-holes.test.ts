/**
 * Issue 29 (hardening), the small holes: JS-SDK signatures for anyone, LIKE wildcards in the audit
 * filter and the tag filter, a 渠道活码 source outside the dictionary, formulas in Excel exports.
 * Every test here failed on the code before the fix, but those showing what still works.
 */
import xlsx from 'node-xlsx';
import { QueryTypes } from 'sequelize';
import type { AuditLogView } from '@shared/audit';
import type { CustomerView } from '@shared/customers';
import type { FieldIssue, PageOf } from '@shared/http';
import type { ImportJobView } from '@shared/imports';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { syncExternalContacts } from '../helpers/server';

describe.each(databaseTargets())('small holes on $label', (target) => {
  const { server, api, count } = useCrmServer(target);

  describe('JS-SDK signatures', () => {
    it('are refused without a session', async () => {
      const page = `${server.baseUrl}/sidebar`;

      const res = await fetch(`${server.baseUrl}/api/wecom/jssdk-config?url=${encodeURIComponent(page)}`);

      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toBe('未登录或登录已过期');
    });

    it('are given to a logged-in rep', async () => {
      const page = `${server.baseUrl}/sidebar`;

      const res = await (await api.as('rep-east-1')).fetch(`/api/wecom/jssdk-config?url=${encodeURIComponent(page)}`);

      expect(res.status).toBe(200);
    });
  });

  describe('the audit filter by action prefix', () => {
    beforeAll(async () => {
      await api.send('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '审计前缀客户' });
    });

    it('takes % as a character, not as "any action"', async () => {
      const page = await api.get<PageOf<AuditLogView>>('admin', `/api/admin/audit-logs?actionPrefix=${encodeURIComponent('%')}`);

      expect(page.total).toBe(0);
    });

    it('takes _ as a character, not as "any one character"', async () => {
      const wildcard = await api.get<PageOf<AuditLogView>>('admin', `/api/admin/audit-logs?actionPrefix=${encodeURIComponent('_ustomer.')}`);
      const literal = await api.get<PageOf<AuditLogView>>('admin', '/api/admin/audit-logs?actionPrefix=customer.');

      expect(literal.total).toBeGreaterThan(0);
      expect(wildcard.total).toBe(0);
    });
  });

  describe('the customer list filtered by a corp tag', () => {
    beforeAll(() => syncExternalContacts(server));

    it('takes _ in the tag id as a character, not as "any one character"', async () => {
      const exact = await api.get<PageOf<CustomerView>>('admin', '/api/customers?tagId=et-level-vip');
      const wildcard = await api.get<PageOf<CustomerView>>('admin', '/api/customers?tagId=et-level-vi_');

      expect(exact.total).toBeGreaterThan(0);
      expect(wildcard.total).toBe(0);
    });
  });

  describe('渠道活码 source', () => {
    it('is refused when it is not a 客户来源 of the dictionary, naming the field in Chinese, before WeCom makes a code', async () => {
      const codesBefore = server.simulator.api.contactWays.ways.size;
      const rep = await api.userId('rep-east-1');

      const res = await (await api.as('admin')).json('/api/admin/contact-ways', 'POST', { name: '来源不明', userIds: [rep], source: 'tiktok' });
      const details = (await errorOf(res)).details as FieldIssue[];

      expect(res.status).toBe(400);
      expect(details).toEqual([expect.objectContaining({ field: 'source', message: '客户来源只能是：企业微信、官网、转介绍、活动、电话、导入' })]);
      expect(await count("SELECT COUNT(*) AS n FROM contact_ways WHERE name = '来源不明'")).toBe(0);
      expect(server.simulator.api.contactWays.ways.size).toBe(codesBefore);
    });

    it('is taken when the dictionary has it', async () => {
      const rep = await api.userId('rep-east-1');

      const res = await (await api.as('admin')).json('/api/admin/contact-ways', 'POST', { name: '转介绍活码', userIds: [rep], source: 'referral' });

      expect(res.status).toBe(201);
    });
  });

  describe('Excel exports', () => {
    const formulas = ['=HYPERLINK("https://evil.example","点我")公式客户', '+1+1公式客户', '-1+1公式客户', '@SUM(1)公式客户'];
    let sheet: unknown[][];

    beforeAll(async () => {
      for (const name of formulas) await api.send<CustomerView>('admin', 'POST', '/api/customers', { type: 'individual', name });
      const res = await (await api.as('admin')).fetch(`/api/customers/export.xlsx?keyword=${encodeURIComponent('公式客户')}`);
      sheet = xlsx.parse<unknown[]>(Buffer.from(await res.arrayBuffer()))[0]!.data;
    });

    it('prefix text that starts like a formula with an apostrophe', async () => {
      const names = sheet.slice(1).map((row) => row[0]);

      expect(names.sort()).toEqual(formulas.map((name) => `'${name}`).sort());
    });

    it('import back as they were exported', async () => {
      const form = new FormData();
      const file = xlsx.build([{ name: 'Sheet1', data: sheet, options: {} }]);
      form.append('file', new Blob([new Uint8Array(file)]), 'export.xlsx');
      const res = await (await api.as('admin')).fetch('/api/imports?kind=customers&mode=upsert&dryRun=false', { method: 'POST', body: form });
      const id = ((await res.json()) as ImportJobView).id;
      let job: ImportJobView;
      do job = await api.get<ImportJobView>('admin', `/api/imports/${id}`);
      while (job.status !== 'succeeded' && job.status !== 'failed');
      const names = await server.db.sequelize.query<{ name: string }>("SELECT name FROM customers WHERE name LIKE '%公式客户'", { type: QueryTypes.SELECT });

      expect(job).toMatchObject({ status: 'succeeded', failed: 0, created: 0 });
      expect(names.map((r) => r.name).sort()).toEqual([...formulas].sort());
    });
  });
});
