/**
 * 适当性例外 through the approval engine (issue 32): a rep's buy above the customer's level waits as
 * a request — no trade, in no figure — until its approvers agree, then books as the rep's trade in
 * the approval's transaction, checked again there. The requester never approves their own; a
 * rejected or withdrawn request leaves nothing; one whose draft went stale is refused at approval.
 */
import { QueryTypes } from 'sequelize';
import type { ApprovalListItem, ApprovalView } from '@shared/approvals';
import type { CustomerView } from '@shared/customers';
import type { HoldingView, TradeView } from '@shared/ledger';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import type { PageOf } from '@shared/http';
import { asSellerWithoutExceptions, crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

const TODAY = new Date().toISOString().slice(0, 10);
const REASON = '客户书面确认坚持购买';
/** One step, the requester's department leader: a rep's request goes to their manager. */
const LEADER_ONLY = { steps: [{ name: '部门负责人', mode: 'any', approvers: [{ kind: 'leader', level: 1 }] }], expireDays: 7 };

describe.each(databaseTargets())('suitability exceptions through approval on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  let seq = 0;
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

  /** A product of its own per test, so its figures are the test's alone. */
  const product = (riskLevel: string) =>
    api.send<ProductView>('admin', 'POST', '/api/products', { code: `APR${++seq}`, name: `审批测试产品${seq}`, category: 'public_fund', riskLevel });
  const customer = (profile: Record<string, unknown> = { riskLevel: 'C2', riskAssessedOn: TODAY }, userid = 'rep-east-1') =>
    api.send<CustomerView>(userid, 'POST', '/api/customers', {
      type: 'individual',
      name: `例外客户${++seq}`,
      phone: `1370000${String(seq).padStart(4, '0')}`,
      ...profile,
    });
  const sale = (userid: string, customerId: number, productId: number, extra: Record<string, unknown> = {}) =>
    api.as(userid).then((b) =>
      b.json('/api/sales', 'POST', {
        productId,
        customerId,
        amount: 100_000,
        soldOn: TODAY,
        channel: 'direct',
        suitabilityOverride: { reason: REASON },
        ...extra,
      }),
    );
  /** A rep's exception for a C2 customer buying R4: the request, answered 202. */
  async function requested(userid = 'rep-east-1') {
    const p = await product('R4');
    const c = await customer(undefined, userid);
    const res = await sale(userid, c.id, p.id);
    expect(res.status).toBe(202);
    return { product: p, customer: c, approval: (await res.json()) as ApprovalView };
  }
  const decide = (userid: string, id: number, verb: 'approve' | 'reject' | 'withdraw', body: Record<string, unknown> = {}) =>
    api.as(userid).then((b) => b.json(`/api/approvals/${id}/${verb}`, 'POST', body));
  const tradesOf = (customerId: number) =>
    query<{ n: number }>('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', [customerId]).then(([r]) => Number(r!.n));
  const rolledUp = (productId: number) =>
    query<{ amount: number | null }>('SELECT SUM(amount_fen) AS amount FROM sales_monthly WHERE product_id = ?', [productId]).then(([r]) =>
      Number(r?.amount ?? 0),
    );

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
    await api.send('admin', 'PUT', '/api/admin/approval-rules/suitability_exception', LEADER_ONLY, 200);
  });
  afterAll(() => server.close());

  it('answers a rep’s exception with 202 and the pending request, not a sale', async () => {
    const { approval } = await requested();

    expect(approval).toMatchObject({
      type: 'suitability_exception',
      status: 'pending',
      reason: REASON,
      requester: { name: '李娜' },
      currentStep: 1,
      stepCount: 1,
      canWithdraw: true,
      canDecide: false,
      check: { ok: true },
    });
    expect(approval.steps[0]!.approvers.map((a) => a.name)).toEqual(['陈建国']);
    expect(approval.subject).toContainEqual(expect.objectContaining({ label: '适当性', tone: 'warn', value: expect.stringContaining('R4') }));
  });

  it('counts the waiting exception in no figure: no trade, no sale, no holding, nothing in sales_monthly', async () => {
    const { customer: c, product: p } = await requested();

    expect(await tradesOf(c.id)).toBe(0);
    expect((await api.get<PageOf<SaleView>>('rep-east-1', `/api/sales?customerId=${c.id}`)).total).toBe(0);
    expect(await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings`)).toEqual([]);
    expect(await rolledUp(p.id)).toBe(0);
  });

  it('books the exception as the rep’s trade once the manager approves', async () => {
    const { customer: c, product: p, approval } = await requested();

    const res = await decide('mgr-east', approval.id, 'approve', { comment: '已核对客户签字' });

    expect(res.status).toBe(200);
    const done = (await res.json()) as ApprovalView;
    expect(done).toMatchObject({ status: 'approved', result: { entity: 'trade', path: `/customers/${c.id}?tab=sales` } });
    const sales = await api.get<PageOf<SaleView>>('rep-east-1', `/api/sales?customerId=${c.id}`);
    expect(sales.items).toEqual([
      expect.objectContaining({ id: done.result!.id, amount: 100_000, rep: expect.objectContaining({ name: '李娜' }), suitabilityOverride: REASON }),
    ]);
    expect(await api.get<HoldingView[]>('rep-east-1', `/api/customers/${c.id}/holdings`)).toHaveLength(1);
    expect(await rolledUp(p.id)).toBe(10_000_000);
  });

  it('audits the decision with its comment, and the override as the approval’s', async () => {
    const { approval } = await requested();
    const done = (await (await decide('mgr-east', approval.id, 'approve', { comment: '已核对客户签字' })).json()) as ApprovalView;

    const entries = await query<{ action: string; actor_label: string; summary: string; diff: string }>(
      "SELECT action, actor_label, summary, diff FROM audit_logs WHERE (entity = 'approval' AND entity_id = ?) OR (action = 'suitability.override' AND entity_id = ?) ORDER BY id",
      [String(approval.id), String(done.result!.id)],
    );
    expect(entries.map((e) => [e.action, e.actor_label])).toEqual([
      ['approval.request', 'rep-east-1'],
      ['approval.approve', 'mgr-east'],
      ['suitability.override', 'mgr-east'],
    ]);
    expect(entries[1]!.summary).toContain('已核对客户签字');
    expect(JSON.parse(entries[2]!.diff)).toMatchObject({ approvalId: approval.id, reason: REASON });
  });

  it('never lets the requester approve their own request', async () => {
    const { approval } = await requested();

    const res = await decide('rep-east-1', approval.id, 'approve');

    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('approval_own_request');
    expect((await api.get<ApprovalView>('rep-east-1', `/api/approvals/${approval.id}`)).status).toBe('pending');
  });

  it('leaves nothing when rejected, and the reason is required', async () => {
    const { customer: c, product: p, approval } = await requested();

    expect((await decide('mgr-east', approval.id, 'reject', { comment: ' ' })).status).toBe(400);
    const res = await decide('mgr-east', approval.id, 'reject', { comment: '客户风险承受能力不足' });

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'rejected', result: null });
    expect(await tradesOf(c.id)).toBe(0);
    expect(await rolledUp(p.id)).toBe(0);
    expect((await decide('mgr-east', approval.id, 'approve')).status).toBe(409);
  });

  it('refuses an approval once the customer’s assessment expired meanwhile, with the reason, and keeps nothing', async () => {
    const { customer: c, approval } = await requested();
    await server.db.sequelize.query('UPDATE customers SET risk_assessed_on = ?, risk_assessment_expires_on = ? WHERE id = ?', {
      replacements: ['2024-01-01', '2025-01-01', c.id],
    });

    const seen = await api.get<ApprovalView>('mgr-east', `/api/approvals/${approval.id}`);
    const res = await decide('mgr-east', approval.id, 'approve');

    expect(seen.check).toEqual({ ok: false, message: expect.stringContaining('过期') });
    expect(res.status).toBe(409);
    const error = await errorOf(res);
    expect(error.code).toBe('approval_stale');
    expect(error.message).toContain('已于2025年1月1日过期');
    expect(await tradesOf(c.id)).toBe(0);
    const after = await api.get<ApprovalView>('mgr-east', `/api/approvals/${approval.id}`);
    expect(after).toMatchObject({ status: 'pending', canDecide: true });
    expect(after.steps[0]!.decisions).toEqual([]);
  });

  it('lets the requester withdraw a pending request, which then leaves the approver’s list and takes no decision', async () => {
    const { customer: c, approval } = await requested();

    expect((await decide('mgr-east', approval.id, 'withdraw')).status).toBe(403);
    const res = await decide('rep-east-1', approval.id, 'withdraw');

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'withdrawn', canWithdraw: false });
    const waiting = await api.get<PageOf<ApprovalListItem>>('mgr-east', '/api/approvals');
    expect(waiting.items.map((i) => i.id)).not.toContain(approval.id);
    expect((await errorOf(await decide('mgr-east', approval.id, 'approve'))).code).toBe('approval_closed');
    expect(await tradesOf(c.id)).toBe(0);
  });

  it('lists what waits for the approver, and with mine=1 what the rep asked', async () => {
    const { approval } = await requested();

    const waiting = await api.get<PageOf<ApprovalListItem>>('mgr-east', '/api/approvals');
    const mine = await api.get<PageOf<ApprovalListItem>>('rep-east-1', '/api/approvals?mine=1');
    const repWaiting = await api.get<PageOf<ApprovalListItem>>('rep-east-1', '/api/approvals');

    expect(waiting.items.map((i) => i.id)).toContain(approval.id);
    expect(mine.items.map((i) => i.id)).toContain(approval.id);
    expect(repWaiting.items.map((i) => i.id)).not.toContain(approval.id);
    expect(waiting.items.find((i) => i.id === approval.id)).toMatchObject({ typeLabel: '适当性例外', title: expect.stringContaining('10.00 万元') });
  });

  it('hides a request from someone neither asking nor approving it', async () => {
    const { approval } = await requested();

    const res = await (await api.as('rep-south-1')).fetch(`/api/approvals/${approval.id}`);

    expect(res.status).toBe(404);
  });

  it('refuses the same draft submitted twice while it waits', async () => {
    const p = await product('R4');
    const c = await customer();
    expect((await sale('rep-east-1', c.id, p.id)).status).toBe(202);

    const again = await sale('rep-east-1', c.id, p.id);

    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('duplicate');
  });

  it('keeps C1 above R1 a hard limit: 409, never a request', async () => {
    const p = await product('R2');
    const c = await customer({ riskLevel: 'C1', riskAssessedOn: TODAY });

    const res = await sale('rep-east-1', c.id, p.id);

    expect(res.status).toBe(409);
    expect((await errorOf(res)).details).toMatchObject({ overridable: false });
    expect((await api.get<PageOf<ApprovalListItem>>('rep-east-1', '/api/approvals?mine=1')).items.map((i) => i.title)).not.toContain(
      expect.stringContaining(c.name),
    );
  });

  it('keeps a missing or expired assessment a hard limit', async () => {
    const p = await product('R3');
    const never = await customer({});
    const lapsed = await customer({ riskLevel: 'C5', riskAssessedOn: '2024-01-01', riskAssessmentExpiresOn: '2025-01-01' });

    expect((await errorOf(await sale('rep-east-1', never.id, p.id))).details).toMatchObject({ problem: 'missing_assessment' });
    expect((await errorOf(await sale('rep-east-1', lapsed.id, p.id))).details).toMatchObject({ problem: 'expired_assessment' });
  });

  it('writes the buy at once when it suits the customer after all', async () => {
    const p = await product('R2');
    const c = await customer();

    const res = await sale('rep-east-1', c.id, p.id);

    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ customer: { id: c.id }, suitabilityOverride: null });
  });

  it('takes the exception through POST /api/trades as well', async () => {
    const p = await product('R4');
    const c = await customer();

    const res = await (
      await api.as('rep-east-1')
    ).json('/api/trades', 'POST', { kind: 'buy', customerId: c.id, productId: p.id, amount: 50_000, tradedOn: TODAY, suitabilityOverride: { reason: REASON } });

    expect(res.status).toBe(202);
    const approval = (await res.json()) as ApprovalView;
    expect(approval).toMatchObject({ status: 'pending', title: expect.stringContaining('5.00 万元') });
    await decide('mgr-east', approval.id, 'approve');
    const trades = await api.get<PageOf<TradeView>>('rep-east-1', `/api/trades?customerId=${c.id}`);
    expect(trades.items).toEqual([expect.objectContaining({ kind: 'buy', amount: 50_000, suitabilityOverride: REASON })]);
  });

  it('still refuses an override from someone who may neither grant nor request one', async () => {
    await asSellerWithoutExceptions(api, 'rep-east-2', async () => {
      const p = await product('R4');
      const c = await customer(undefined, 'rep-east-2');

      const res = await sale('rep-east-2', c.id, p.id);

      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('suitability_override_forbidden');
    });
  });
});
