/**
 * 合规工作台 (issue 32, deliverable 5), on SQLite and MySQL: who may open it, every pending approval
 * of the corp, the suitability ledger (each buy with the customer's level as it was when booked,
 * the product's level, the assessment and the outcome — an exception with its approval), its
 * filters and its audited export, the assessments lapsing under open holdings, the figures, and
 * the audit log and its export in Chinese.
 */
import xlsx from 'node-xlsx';
import { AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS, type AuditLogView } from '@shared/audit';
import type { ApprovalListItem, ApprovalView } from '@shared/approvals';
import type { ComplianceSummary, LapsingAssessmentRow, SuitabilityLedgerRow } from '@shared/compliance';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { ProductView } from '@shared/products';
import type { MeResponse } from '@shared/permissions';
import { addDays, businessDate } from '@shared/time';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

type Row = (string | number | null)[];
const TODAY = businessDate(new Date());
const REASON = '客户书面确认坚持购买';

describe.each(databaseTargets())('合规工作台 on $label', (target) => {
  const { api } = useCrmServer(target);
  let seq = 0;
  const product = (riskLevel: string) =>
    api.send<ProductView>('admin', 'POST', '/api/products', { code: `CMP${++seq}`, name: `合规测试产品${seq}`, category: 'public_fund', riskLevel });
  const customer = (profile: Record<string, unknown>, userid = 'rep-east-1') =>
    api.send<CustomerView>(userid, 'POST', '/api/customers', { type: 'individual', name: `合规客户${++seq}`, ...profile });
  const buy = (userid: string, customerId: number, productId: number, extra: Record<string, unknown> = {}) =>
    api.as(userid).then((b) => b.json('/api/sales', 'POST', { customerId, productId, amount: 50_000, soldOn: TODAY, channel: 'direct', ...extra }));
  const ledger = (query = '') => api.get<PageOf<SuitabilityLedgerRow>>('risk-1', `/api/compliance/suitability?pageSize=100${query}`);
  const rowOf = async (customerId: number, query = '') => (await ledger(query)).items.find((r) => r.customer.id === customerId);
  const assessed = (level: string, on = TODAY, until?: string) => ({
    riskLevel: level,
    riskAssessedOn: on,
    ...(until ? { riskAssessmentExpiresOn: until } : {}),
  });

  /** A C2 customer of 李娜's buying R4 through an exception 陈建国 and then 吴磊 approve. */
  async function approvedException() {
    const [p, c] = await Promise.all([product('R4'), customer(assessed('C2'))]);
    const res = await buy('rep-east-1', c.id, p.id, { suitabilityOverride: { reason: REASON } });
    expect(res.status).toBe(202);
    const request = (await res.json()) as ApprovalView;
    await api.send('mgr-east', 'POST', `/api/approvals/${request.id}/approve`, { comment: '已核对' }, 200);
    const done = await api.send<ApprovalView>('risk-1', 'POST', `/api/approvals/${request.id}/approve`, {}, 200);
    return { product: p, customer: c, approval: done };
  }

  beforeAll(async () => {
    // The demo's department defaults: 吴磊 (risk-1) 合规, 周婷 (ops-1) 运营.
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('ops-1')}/roles`, { roles: ['operations'] }, 200);
  });

  describe('who may open it', () => {
    it('grants compliance.view to 合规 by migration 0031', async () => {
      expect((await api.get<MeResponse>('risk-1', '/api/me')).permissions).toContain('compliance.view');
    });

    it.each(['rep-east-1', 'mgr-east', 'ops-1'])('refuses %s with 403', async (userid) => {
      const res = await (await api.as(userid)).fetch('/api/compliance/summary');

      expect(res.status).toBe(403);
    });
  });

  it('lists every pending approval of the corp, not only those at 合规’s step', async () => {
    const [p, c] = await Promise.all([product('R4'), customer(assessed('C2'))]);
    const request = (await (await buy('rep-east-1', c.id, p.id, { suitabilityOverride: { reason: REASON } })).json()) as ApprovalView;

    const waiting = await api.get<PageOf<ApprovalListItem>>('risk-1', '/api/compliance/approvals');
    const mine = await api.get<PageOf<ApprovalListItem>>('risk-1', '/api/approvals');

    expect(request.currentStep).toBe(1);
    expect(waiting.items.map((i) => i.id)).toContain(request.id);
    expect(mine.items.map((i) => i.id)).not.toContain(request.id);
  });

  describe('the suitability ledger', () => {
    it('lists a suitable buy with both levels, the assessment and 匹配', async () => {
      const [p, c] = await Promise.all([product('R3'), customer(assessed('C4', TODAY, addDays(TODAY, 300)))]);
      expect((await buy('rep-east-1', c.id, p.id)).status).toBe(201);

      expect(await rowOf(c.id)).toMatchObject({
        customer: { id: c.id },
        product: { id: p.id, riskLevel: 'R3' },
        customerLevel: 'C4',
        assessedOn: TODAY,
        assessmentExpiresOn: addDays(TODAY, 300),
        outcome: 'suitable',
        exception: null,
        rep: { name: '李娜' },
        changedSince: false,
      });
    });

    it('shows an exception with its reason, its approval and who approved it', async () => {
      const { customer: c, approval } = await approvedException();

      expect(await rowOf(c.id)).toMatchObject({
        customerLevel: 'C2',
        product: { riskLevel: 'R4' },
        outcome: 'exception',
        exception: { reason: REASON, approval: { id: approval.id, approvers: ['陈建国', '吴磊'] }, recordedBy: '李娜' },
      });
    });

    it('shows a manager’s own override as an exception without an approval, recorded by him', async () => {
      const [p, c] = await Promise.all([product('R4'), customer(assessed('C2'), 'mgr-east')]);
      expect((await buy('mgr-east', c.id, p.id, { suitabilityOverride: { reason: REASON } })).status).toBe(201);

      expect((await rowOf(c.id))!.exception).toEqual({ reason: REASON, approval: null, recordedBy: '陈建国' });
    });

    it('keeps the level the customer had when the buy was booked, and says it changed since', async () => {
      const [p, c] = await Promise.all([product('R2'), customer(assessed('C2'))]);
      expect((await buy('rep-east-1', c.id, p.id)).status).toBe(201);
      await api.send('rep-east-1', 'PATCH', `/api/customers/${c.id}`, { version: c.version, riskLevel: 'C4', riskAssessedOn: TODAY }, 200);

      expect(await rowOf(c.id)).toMatchObject({ customerLevel: 'C2', changedSince: true, currentLevel: 'C4', outcome: 'suitable' });
    });

    it('filters by outcome', async () => {
      const { customer: excepted } = await approvedException();

      const exceptions = (await ledger('&outcome=exception')).items;
      const suitable = (await ledger('&outcome=suitable')).items;

      expect(exceptions.map((r) => r.customer.id)).toContain(excepted.id);
      expect(exceptions.every((r) => r.outcome === 'exception')).toBe(true);
      expect(suitable.every((r) => r.outcome === 'suitable')).toBe(true);
      expect(suitable.map((r) => r.customer.id)).not.toContain(excepted.id);
    });

    it('filters by trade date and by department with its sub-teams', async () => {
      const [p, south] = await Promise.all([product('R2'), customer(assessed('C3'), 'rep-south-1')]);
      expect((await buy('rep-south-1', south.id, p.id)).status).toBe(201);

      const east = (await ledger('&departmentId=2')).items;
      const southOnly = (await ledger('&departmentId=3')).items;
      const yesterday = (await ledger(`&to=${addDays(TODAY, -1)}`)).items;

      expect(east.length).toBeGreaterThan(0);
      expect(east.map((r) => r.customer.id)).not.toContain(south.id);
      expect(southOnly.map((r) => r.customer.id)).toEqual([south.id]);
      expect(yesterday).toEqual([]);
    });

    it('exports what the filter shows, in Chinese, and audits the export with its count and filter', async () => {
      await approvedException();
      const shown = await ledger('&outcome=exception');

      const res = await (await api.as('risk-1')).fetch('/api/compliance/suitability.xlsx?outcome=exception');
      const [header, ...rows] = xlsx.parse<Row>(Buffer.from(await res.arrayBuffer()))[0]!.data;
      const [entry] = (await api.get<PageOf<AuditLogView>>('admin', '/api/admin/audit-logs?action=compliance.export_suitability')).items;

      expect(res.status).toBe(200);
      expect(header).toEqual(expect.arrayContaining(['交易日期', '交易时风险等级', '产品风险等级', '适当性结果', '例外原因', '审批单号', '批准人']));
      expect(rows).toHaveLength(shown.total);
      expect(rows.every((r) => r[header!.indexOf('适当性结果')] === '适当性例外')).toBe(true);
      expect(entry).toMatchObject({
        actionLabel: '导出适当性台账',
        summary: `导出适当性台账 ${shown.total} 条（筛选：结果 适当性例外）`,
        diff: expect.objectContaining({ count: shown.total }),
      });
    });
  });

  describe('assessments lapsing under open holdings', () => {
    it('lists an expired assessment and one expiring within 30 days, not one that holds or a customer holding nothing', async () => {
      const p = await product('R2');
      const [expired, expiring, fine, idle] = await Promise.all([
        customer(assessed('C3')),
        customer(assessed('C3', TODAY, addDays(TODAY, 10))),
        customer(assessed('C3', TODAY, addDays(TODAY, 200))),
        customer(assessed('C3', addDays(TODAY, -400), addDays(TODAY, -35))),
      ]);
      for (const c of [expired, expiring, fine]) expect((await buy('rep-east-1', c.id, p.id)).status).toBe(201);
      // The assessment behind the holding lapses afterwards.
      await api.send(
        'rep-east-1',
        'PATCH',
        `/api/customers/${expired.id}`,
        { version: expired.version, ...assessed('C3', addDays(TODAY, -400), addDays(TODAY, -5)) },
        200,
      );

      const { items } = await api.get<PageOf<LapsingAssessmentRow>>('risk-1', '/api/compliance/assessments?pageSize=100');
      const byId = new Map(items.map((r) => [r.customer.id, r]));

      expect(byId.get(expired.id)).toMatchObject({ state: 'expired', expiresOn: addDays(TODAY, -5), daysLeft: -5, openHoldings: 1, marketValue: 50_000 });
      expect(byId.get(expiring.id)).toMatchObject({ state: 'expiring', daysLeft: 10, owner: { name: '李娜' } });
      expect(byId.has(fine.id)).toBe(false);
      expect(byId.has(idle.id)).toBe(false);
      expect(
        (await api.get<PageOf<LapsingAssessmentRow>>('risk-1', '/api/compliance/assessments?state=expiring&pageSize=100')).items.every(
          (r) => r.state === 'expiring',
        ),
      ).toBe(true);
    });

    it('counts them, the pending approvals and this month’s exceptions in the figures', async () => {
      const summary = await api.get<ComplianceSummary>('risk-1', '/api/compliance/summary');
      const pending = await api.get<PageOf<ApprovalListItem>>('risk-1', '/api/compliance/approvals?pageSize=1');
      const expiring = await api.get<PageOf<LapsingAssessmentRow>>('risk-1', '/api/compliance/assessments?state=expiring&pageSize=1');
      const exceptions = await ledger(`&outcome=exception&from=${TODAY.slice(0, 7)}-01`);

      expect(summary).toEqual({
        pendingApprovals: pending.total,
        exceptionsThisMonth: exceptions.total,
        expiredWithHoldings: (await api.get<PageOf<LapsingAssessmentRow>>('risk-1', '/api/compliance/assessments?state=expired&pageSize=1')).total,
        expiringWithHoldings: expiring.total,
      });
      expect(summary.expiringWithHoldings).toBeGreaterThan(0);
    });
  });

  describe('the audit log in Chinese', () => {
    it('labels every entry’s action and record kind, never a code', async () => {
      const { items } = await api.get<PageOf<AuditLogView>>('risk-1', '/api/admin/audit-logs?pageSize=200');

      expect(items.length).toBeGreaterThan(20);
      expect(items.filter((e) => e.actionLabel !== AUDIT_ACTION_LABELS[e.action]).map((e) => e.action)).toEqual([]);
      expect(items.filter((e) => e.entity && e.entityLabel !== AUDIT_ENTITY_LABELS[e.entity]).map((e) => e.entity)).toEqual([]);
      expect(items.find((e) => e.action === 'suitability.override')).toMatchObject({ actionLabel: '适当性例外' });
    });

    it('exports the log with Chinese columns and labels, audited with its count and filter', async () => {
      const res = await (await api.as('risk-1')).fetch('/api/compliance/audit-logs.xlsx?actionPrefix=approval.');
      const [header, ...rows] = xlsx.parse<Row>(Buffer.from(await res.arrayBuffer()))[0]!.data;
      const shown = await api.get<PageOf<AuditLogView>>('risk-1', '/api/admin/audit-logs?actionPrefix=approval.&pageSize=1');
      const [entry] = (await api.get<PageOf<AuditLogView>>('admin', '/api/admin/audit-logs?action=compliance.export_audit')).items;

      expect(res.status).toBe(200);
      expect(header).toEqual(['时间', '操作人', '操作', '记录类型', '记录编号', '内容', 'IP 地址']);
      expect(rows).toHaveLength(shown.total);
      expect(new Set(rows.map((r) => r[header!.indexOf('操作')]))).toEqual(new Set(['提交审批', '审批同意']));
      expect(rows.every((r) => r[header!.indexOf('记录类型')] === '审批')).toBe(true);
      expect(entry).toMatchObject({ summary: `导出审计日志 ${shown.total} 条（筛选：操作类别 审批）`, diff: expect.objectContaining({ count: shown.total }) });
    });

    it('refuses the audit export to whoever may not read the log', async () => {
      const res = await (await api.as('ops-1')).fetch('/api/compliance/audit-logs.xlsx');

      expect(res.status).toBe(403);
    });
  });
});
