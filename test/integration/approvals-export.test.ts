/**
 * Customer-data exports through the approval engine (issue 32, deliverable 4), on SQLite and
 * MySQL: an export of at most the threshold (50) downloads at once with phones and ID numbers
 * masked; a larger one, or a full one, is a `customer_export` request that 合规 approves, after
 * which its requester downloads the file within 24 hours (410 after); every file handed out is
 * audited with its row count and its filter in Chinese.
 */
import xlsx from 'node-xlsx';
import type { ApprovalListItem, ApprovalView } from '@shared/approvals';
import type { AuditLogView } from '@shared/audit';
import type { ExportPolicyView } from '@shared/exports';
import type { PageOf } from '@shared/http';
import type { ImportJobView } from '@shared/imports';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

type Row = (string | number | null)[];
const ID_CARD = '11010519491231002X';
/** How many customers the test gives 李娜 (rep-east-1): more than the threshold of 50. */
const MANY = 56;
const phoneOf = (i: number) => `1391234${String(i).padStart(4, '0')}`;

describe.each(databaseTargets())('customer-data exports through approval on $label', (target) => {
  const { server, api, count } = useCrmServer(target);
  const sheetOf = async (res: Response) => xlsx.parse<Row>(Buffer.from(await res.arrayBuffer()))[0]!.data;
  const fetchAs = async (userid: string, path: string) => (await api.as(userid)).fetch(path);
  const requestExport = async (userid: string, body: Record<string, unknown>) => (await api.as(userid)).json('/api/customers/export-requests', 'POST', body);
  const exportAudits = (userid: string) =>
    api.get<PageOf<AuditLogView>>('admin', `/api/admin/audit-logs?action=customer.export&actorUserId=${userid}&pageSize=100`).then((p) => p.items);
  /** A request for all of 李娜's customers by their manager, approved by 合规. */
  async function approvedExport(body: Record<string, unknown> = {}): Promise<ApprovalView> {
    const res = await requestExport('mgr-east', { filter: { ownerUserId: await api.userId('rep-east-1') }, reason: '季度客户回访', ...body });
    expect(res.status).toBe(202);
    const pending = (await res.json()) as ApprovalView;
    return api.send<ApprovalView>('risk-1', 'POST', `/api/approvals/${pending.id}/approve`, { comment: '用于回访，同意' }, 200);
  }

  beforeAll(async () => {
    // 合规 is 吴磊 (risk-1), as the demo's department default makes him: the default approver of exports.
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    const rows: Row[] = [['客户名称', '手机号', '证件类型', '证件号码', '负责人账号']];
    for (let i = 1; i <= MANY; i++) rows.push([`导出客户${i}`, phoneOf(i), i === 1 ? '居民身份证' : null, i === 1 ? ID_CARD : null, 'rep-east-1']);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(xlsx.build([{ name: 'Sheet1', data: rows, options: {} }]))]), 'customers.xlsx');
    const res = await (await api.as('admin')).fetch('/api/imports?kind=customers&mode=create&dryRun=false', { method: 'POST', body: form });
    const { id } = (await res.json()) as ImportJobView;
    let job: ImportJobView;
    do job = await api.get<ImportJobView>('admin', `/api/imports/${id}`);
    while (job.status !== 'succeeded' && job.status !== 'failed');
    expect(job).toMatchObject({ status: 'succeeded', created: MANY });
  });

  it('says the corp’s policy: 50 customers at most without approval, 24 hours to download', async () => {
    expect(await api.get<ExportPolicyView>('mgr-east', '/api/exports/policy')).toEqual({ threshold: 50, downloadHours: 24 });
  });

  it('hands a small export out at once, phones and ID numbers masked', async () => {
    const res = await fetchAs('mgr-east', `/api/customers/export.xlsx?keyword=${encodeURIComponent('导出客户1')}`);
    const [header, ...rows] = await sheetOf(res);
    const first = rows.find((r) => r[0] === '导出客户1')!;

    expect(res.status).toBe(200);
    expect(rows.length).toBeLessThanOrEqual(50);
    expect(first[header!.indexOf('手机号')]).toBe('139****0001');
    expect(first[header!.indexOf('证件号码')]).toBe('110***********002X');
  });

  it('audits a small export with its row count and its filter in Chinese', async () => {
    const keyword = '导出客户2';
    const [, ...rows] = await sheetOf(await fetchAs('mgr-east', `/api/customers/export.xlsx?keyword=${encodeURIComponent(keyword)}`));
    const [entry] = await exportAudits(String(await api.userId('mgr-east')));

    expect(entry).toMatchObject({
      action: 'customer.export',
      summary: `导出客户 ${rows.length} 条（筛选：关键词「${keyword}」；手机号和证件号码已脱敏）`,
      diff: expect.objectContaining({ count: rows.length, filterText: `关键词「${keyword}」`, masked: true }),
    });
  });

  it('refuses a large export at once with 409 export_needs_approval, handing nothing out', async () => {
    const before = (await exportAudits(String(await api.userId('mgr-east')))).length;
    const res = await fetchAs('mgr-east', '/api/customers/export.xlsx');
    const error = await errorOf(res);

    expect(res.status).toBe(409);
    expect(error).toMatchObject({ code: 'export_needs_approval', details: { count: MANY, threshold: 50, full: false } });
    expect(error.message).toContain('超过 50 条的导出需要审批');
    expect((await exportAudits(String(await api.userId('mgr-east')))).length).toBe(before);
  });

  it('answers a large export request with 202 and a pending request 合规 approves', async () => {
    const res = await requestExport('mgr-east', { filter: { ownerUserId: await api.userId('rep-east-1'), sort: 'name_asc' }, reason: '年末客户回访' });
    const approval = (await res.json()) as ApprovalView;

    expect(res.status).toBe(202);
    expect(approval).toMatchObject({
      type: 'customer_export',
      typeLabel: '客户数据导出',
      status: 'pending',
      title: `导出客户 ${MANY} 条`,
      reason: '年末客户回访',
    });
    expect(approval.steps.map((s) => [s.name, s.approvers.map((a) => a.name)])).toEqual([['合规', ['吴磊']]]);
    expect(approval.subject).toContainEqual({ label: '筛选条件', value: '负责人 李娜' });
    expect((await api.get<PageOf<ApprovalListItem>>('risk-1', '/api/approvals')).items.map((i) => i.id)).toContain(approval.id);
  });

  it('does not take a request for an export small enough to download at once', async () => {
    const res = await requestExport('mgr-east', { filter: { keyword: '导出客户3' }, reason: '回访' });

    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('export_no_approval_needed');
  });

  it('has no file for a request still waiting', async () => {
    const res = await requestExport('mgr-east', { filter: { ownerUserId: await api.userId('rep-east-1'), keyword: '导出客户' }, reason: '核对' });
    const pending = (await res.json()) as ApprovalView;

    const file = await fetchAs('mgr-east', `/api/exports/${pending.id}.xlsx`);

    expect(file.status).toBe(409);
    expect((await errorOf(file)).code).toBe('export_not_ready');
  });

  it('lets the requester download the approved export within its window, every row, masked', async () => {
    const approved = await approvedExport();

    const mine = await api.get<PageOf<ApprovalListItem>>('mgr-east', '/api/approvals?mine=1');
    const res = await fetchAs('mgr-east', `/api/exports/${approved.id}.xlsx`);
    const [header, ...rows] = await sheetOf(res);

    expect(approved.status).toBe('approved');
    expect(mine.items.find((i) => i.id === approved.id)!.download).toEqual({
      path: `/api/exports/${approved.id}.xlsx`,
      until: new Date(new Date(approved.decidedAt!).getTime() + 24 * 3_600_000).toISOString(),
      expired: false,
    });
    expect(res.status).toBe(200);
    expect(rows).toHaveLength(MANY);
    expect(rows.every((r) => /^139\*{4}\d{4}$/.test(String(r[header!.indexOf('手机号')])))).toBe(true);
  });

  it('audits the approved download with its count, its filter and the approval', async () => {
    const approved = await approvedExport();
    await fetchAs('mgr-east', `/api/exports/${approved.id}.xlsx`);

    const [entry] = await exportAudits(String(await api.userId('mgr-east')));

    expect(entry).toMatchObject({
      summary: `导出客户 ${MANY} 条（筛选：负责人 李娜；手机号和证件号码已脱敏；审批 #${approved.id}）`,
      diff: expect.objectContaining({ count: MANY, filterText: '负责人 李娜', approvalId: approved.id, masked: true }),
    });
  });

  it('gives the file to its requester only', async () => {
    const approved = await approvedExport();

    const res = await fetchAs('admin', `/api/exports/${approved.id}.xlsx`);

    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toBe('只有申请人可以下载这份导出');
  });

  it('answers 410 in Chinese once the 24 hours are over', async () => {
    const approved = await approvedExport();
    expect((await fetchAs('mgr-east', `/api/exports/${approved.id}.xlsx`)).status).toBe(200);
    await server.db.sequelize.query('UPDATE approval_requests SET decided_at = ? WHERE id = ?', {
      replacements: [new Date(Date.now() - 25 * 3_600_000), approved.id],
    });

    const res = await fetchAs('mgr-east', `/api/exports/${approved.id}.xlsx`);
    const error = await errorOf(res);
    const mine = await api.get<PageOf<ApprovalListItem>>('mgr-east', '/api/approvals?mine=1');

    expect(res.status).toBe(410);
    expect(error.code).toBe('export_expired');
    expect(error.message).toMatch(/^下载期限已过：导出审批通过后 24 小时内可以下载/);
    expect(mine.items.find((i) => i.id === approved.id)!.download).toMatchObject({ expired: true });
  });

  it('always asks approval for a full export, and its file then carries whole numbers', async () => {
    const refused = await fetchAs('mgr-east', `/api/customers/export.xlsx?keyword=${encodeURIComponent('导出客户1')}&full=1`);
    const approved = await approvedExport({ filter: { keyword: '导出客户1' }, full: true });

    const [header, ...rows] = await sheetOf(await fetchAs('mgr-east', `/api/exports/${approved.id}.xlsx`));
    const first = rows.find((r) => r[0] === '导出客户1')!;

    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toMatchObject({ code: 'export_needs_approval', details: { full: true } });
    expect(approved.title).toMatch(/（含完整手机号和证件号码）$/);
    expect(first[header!.indexOf('手机号')]).toBe(phoneOf(1));
    expect(first[header!.indexOf('证件号码')]).toBe(ID_CARD);
  });

  it('keeps whole numbers out of the audit log of a full export', async () => {
    const approved = await approvedExport({ filter: { keyword: '导出客户1' }, full: true });
    await fetchAs('mgr-east', `/api/exports/${approved.id}.xlsx`);

    expect(await count('SELECT COUNT(*) AS n FROM audit_logs WHERE diff LIKE ? OR summary LIKE ?', [`%${phoneOf(1)}%`, `%${phoneOf(1)}%`])).toBe(0);
    expect((await exportAudits(String(await api.userId('mgr-east'))))[0]!.summary).toContain('含完整手机号和证件号码');
  });

  it('masks a partner’s contact phone as well, and asks approval for a full partners export', async () => {
    await api.send('mgr-east', 'POST', '/api/partners', { name: '导出测试银行', type: 'bank', contactPhone: '13912345678' });

    const res = await fetchAs('mgr-east', `/api/partners/export.xlsx?keyword=${encodeURIComponent('导出测试银行')}`);
    const [header, row] = await sheetOf(res);
    const request = await (
      await api.as('mgr-east')
    ).json('/api/partners/export-requests', 'POST', { filter: { keyword: '导出测试银行' }, full: true, reason: '核对机构联系人' });

    expect(row![header!.indexOf('联系电话')]).toBe('139****5678');
    expect(request.status).toBe(202);
    expect(((await request.json()) as ApprovalView).title).toBe('导出代销机构 1 条（含完整联系电话）');
  });
});
