/**
 * The approval engine's rules and reach (issue 32): who approves (the requester's department
 * leader chain, a role, all of named people), what an approver hears in WeCom (one textcard whose
 * link opens the request), how the requester hears the outcome, and expiry — no request waits
 * forever. An admin sets each type's rule.
 */
import { QueryTypes } from 'sequelize';
import type { ApprovalListItem, ApprovalRuleView, ApprovalView } from '@shared/approvals';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { ProductView } from '@shared/products';
import { crmClient, type CrmClient } from '../helpers/crm';
import { requestException } from '../helpers/approvals';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

const TODAY = new Date().toISOString().slice(0, 10);
const RULES = '/api/admin/approval-rules/suitability_exception';
const leader = (level = 1) => ({ name: level === 1 ? '部门负责人' : `上 ${level} 级负责人`, mode: 'any', approvers: [{ kind: 'leader', level }] });
const compliance = { name: '合规', mode: 'any', approvers: [{ kind: 'role', role: 'compliance' }] };

interface SentCard {
  touser: string;
  msgtype: string;
  textcard: { title: string; description: string; url: string; btntxt: string };
}

describe.each(databaseTargets())('approval rules and notices on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  let seq = 0;
  let product: ProductView;
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

  const rule = (steps: unknown[], expireDays = 7) => api.send<ApprovalRuleView>('admin', 'PUT', RULES, { steps, expireDays }, 200);
  /** A rep's exception (C2 customer, R4 product): the response, 202 when it became a request. */
  async function ask(userid: string) {
    const c = await api.send<CustomerView>(userid, 'POST', '/api/customers', {
      type: 'individual',
      name: `规则客户${++seq}`,
      phone: `1380000${String(seq).padStart(4, '0')}`,
      riskLevel: 'C2',
      riskAssessedOn: TODAY,
    });
    return (await api.as(userid)).json('/api/sales', 'POST', {
      productId: product.id,
      customerId: c.id,
      amount: 20_000 + seq,
      soldOn: TODAY,
      channel: 'direct',
      suitabilityOverride: { reason: '客户已签署风险揭示书并坚持购买' },
    });
  }
  async function requested(userid: string): Promise<ApprovalView> {
    const res = await ask(userid);
    if (res.status !== 202) throw new Error(`expected 202, got ${res.status} ${await res.text()}`);
    return (await res.json()) as ApprovalView;
  }
  const decide = (userid: string, id: number, verb: 'approve' | 'reject', comment?: string) =>
    api.as(userid).then((b) => b.json(`/api/approvals/${id}/${verb}`, 'POST', comment ? { comment } : {}));
  const approverNames = (a: ApprovalView) => a.steps.map((s) => s.approvers.map((p) => p.name));
  /** Sends what the outbox holds and returns the cards WeCom (the simulator) delivered since `from`. */
  async function delivered(from: number): Promise<SentCard[]> {
    await server.services.reminders.sendSoon();
    return (server.simulator.api.sentMessages as unknown as SentCard[]).slice(from);
  }

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
    // 合规 is 吴磊 (risk-1), as the demo's department default would make him.
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    product = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'RULER4', name: '规则测试R4', category: 'public_fund', riskLevel: 'R4' });
  });
  afterAll(() => server.close());

  describe('approvers from the rule', () => {
    it('runs on the built-in default until an admin saves one: 部门负责人, then 合规', async () => {
      const { items } = await api.get<{ items: ApprovalRuleView[] }>('admin', '/api/admin/approval-rules');

      expect(items).toEqual([
        expect.objectContaining({ type: 'suitability_exception', typeLabel: '适当性例外', customised: false, expireDays: 7, steps: [leader(1), compliance] }),
        // Customer-data exports (deliverable 4): 合规 alone, 3 days.
        expect.objectContaining({ type: 'customer_export', typeLabel: '客户数据导出', customised: false, expireDays: 3, steps: [compliance] }),
        // 群发内容 (issue 34): 合规 alone, 3 days.
        expect.objectContaining({ type: 'mass_message', typeLabel: '群发内容', customised: false, expireDays: 3, steps: [compliance] }),
        // 话术审核 (issue 34): 合规 alone, 7 days.
        expect.objectContaining({ type: 'quick_reply', typeLabel: '话术审核', customised: false, expireDays: 7, steps: [compliance] }),
      ]);
    });

    it('finds the nearest leader up the department chain (上海财富团队 has none: 华东销售部’s)', async () => {
      await rule([leader(1)]);

      expect(approverNames(await requested('rep-east-3'))).toEqual([['陈建国']]);
      expect(approverNames(await requested('rep-south-1'))).toEqual([['黄志明']]);
    });

    it('refuses a request no one could approve, naming the step (no leader two levels above)', async () => {
      await rule([leader(2)]);

      const res = await ask('rep-east-1');

      expect(res.status).toBe(409);
      const error = await errorOf(res);
      expect(error.code).toBe('no_approver');
      expect(error.message).toContain('上 2 级负责人');
    });

    it('takes the holders of a role as a step: the manager first, then 合规, and books only after the last', async () => {
      await rule([leader(1), compliance]);
      const approval = await requested('rep-east-1');
      expect(approverNames(approval)).toEqual([['陈建国'], ['吴磊']]);

      expect((await errorOf(await decide('risk-1', approval.id, 'approve'))).code).toBe('approval_not_your_step');
      const afterManager = (await (await decide('mgr-east', approval.id, 'approve')).json()) as ApprovalView;
      expect(afterManager).toMatchObject({ status: 'pending', currentStep: 2, result: null });
      expect(afterManager.steps.map((s) => s.state)).toEqual(['done', 'current']);
      expect((await api.get<PageOf<ApprovalListItem>>('risk-1', '/api/approvals')).items.map((i) => i.id)).toContain(approval.id);

      const done = (await (await decide('risk-1', approval.id, 'approve', '资料齐全')).json()) as ApprovalView;
      expect(done).toMatchObject({ status: 'approved', result: { entity: 'trade' } });
    });

    it('needs every named approver of an all-of step', async () => {
      const [east, south] = [await api.userId('mgr-east'), await api.userId('mgr-south')];
      await rule([{ name: '两位经理会签', mode: 'all', approvers: [{ kind: 'users', userIds: [east, south] }] }]);
      const approval = await requested('rep-east-1');

      const first = (await (await decide('mgr-east', approval.id, 'approve')).json()) as ApprovalView;
      const second = (await (await decide('mgr-south', approval.id, 'approve')).json()) as ApprovalView;

      expect(first.status).toBe('pending');
      expect(second.status).toBe('approved');
    });

    it('never names the requester an approver, even when the rule does', async () => {
      await rule([{ name: '指定', mode: 'any', approvers: [{ kind: 'users', userIds: [await api.userId('rep-east-1'), await api.userId('mgr-east')] }] }]);

      expect(approverNames(await requested('rep-east-1'))).toEqual([['陈建国']]);
    });

    it('keeps out named people without the approver permission', async () => {
      await rule([{ name: '指定', mode: 'any', approvers: [{ kind: 'users', userIds: [await api.userId('rep-east-2')] }] }]);

      expect((await errorOf(await ask('rep-east-1'))).code).toBe('no_approver');
    });

    it('lets only approval.manage holders set rules, and checks the roles they name', async () => {
      const asRep = await (await api.as('rep-east-1')).json(RULES, 'PUT', { steps: [leader(1)], expireDays: 3 });
      const unknownRole = await (
        await api.as('admin')
      ).json(RULES, 'PUT', { steps: [{ name: '无', mode: 'any', approvers: [{ kind: 'role', role: 'nobody' }] }], expireDays: 3 });

      expect(asRep.status).toBe(403);
      expect(unknownRole.status).toBe(400);
      expect((await errorOf(unknownRole)).details).toEqual([expect.objectContaining({ field: 'steps.0.approvers.0.role', message: '角色不存在' })]);
    });

    it('audits a rule change with the rule before and after', async () => {
      await rule([leader(1)], 5);

      const [entry] = await query<{ summary: string; diff: string }>(
        "SELECT summary, diff FROM audit_logs WHERE action = 'approval.rule' ORDER BY id DESC LIMIT 1",
      );
      expect(entry!.summary).toContain('5 天');
      expect(JSON.parse(entry!.diff)).toMatchObject({ after: { expireDays: 5 } });
    });
  });

  describe('WeCom messages', () => {
    beforeAll(() => rule([leader(1)]));

    it('sends the approver exactly one textcard whose link opens the request', async () => {
      const from = server.simulator.api.sentMessages.length;
      const approval = await requested('rep-east-1');

      const cards = (await delivered(from)).filter((m) => m.textcard?.url.endsWith(`/approvals/${approval.id}`));

      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({
        touser: 'mgr-east',
        msgtype: 'textcard',
        textcard: { title: '待你审批：适当性例外', url: `${server.baseUrl}/approvals/${approval.id}` },
      });
      expect(cards[0]!.textcard.description).toContain('李娜 提交');
      // The link's page reads the request for the approver.
      const opened = await (await api.as('mgr-east')).fetch(`/api/approvals/${new URL(cards[0]!.textcard.url).pathname.split('/').pop()}`);
      expect(opened.status).toBe(200);
      expect(((await opened.json()) as ApprovalView).canDecide).toBe(true);
    });

    it('writes a card WeCom delivers whole: the description within 512 bytes, whatever the reason’s length', async () => {
      const from = server.simulator.api.sentMessages.length;
      const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
        type: 'individual',
        name: '长原因客户',
        riskLevel: 'C2',
        riskAssessedOn: TODAY,
      });
      const approval = await requestException(api, 'rep-east-1', {
        productId: product.id,
        customerId: c.id,
        amount: 30_000,
        soldOn: TODAY,
        reason: '客户坚持'.repeat(120),
      });

      const [card] = (await delivered(from)).filter((m) => m.textcard?.url.endsWith(`/approvals/${approval.id}`));
      const [row] = await query<{ description: string }>("SELECT description FROM notifications WHERE kind = 'approval' AND path = ?", [
        `/approvals/${approval.id}`,
      ]);

      expect(Buffer.byteLength(row!.description)).toBeLessThanOrEqual(512);
      expect(card!.textcard.description).toBe(row!.description);
      expect(card!.textcard.description).toMatch(/<\/div>$/);
    });

    it('tells the requester the outcome, once', async () => {
      const approval = await requested('rep-east-1');
      const from = server.simulator.api.sentMessages.length;

      await decide('mgr-east', approval.id, 'reject', '请补充客户签字的风险揭示书');
      const cards = (await delivered(from)).filter((m) => m.touser === 'rep-east-1' && m.textcard?.url.endsWith(`/approvals/${approval.id}`));

      expect(cards).toHaveLength(1);
      expect(cards[0]!.textcard.title).toBe('审批被驳回：适当性例外');
      expect(cards[0]!.textcard.description).toContain('请补充客户签字的风险揭示书');
    });
  });

  describe('expiry', () => {
    it('sets the expiry from the rule’s days', async () => {
      await rule([leader(1)], 3);

      const approval = await requested('rep-east-1');

      expect(Math.abs(Date.parse(approval.expiresAt) - Date.parse(approval.createdAt) - 3 * 86_400_000)).toBeLessThan(5_000);
    });

    it('ends a request nobody decided in time: expired when next read, audited, the requester told, no longer decidable', async () => {
      await rule([leader(1)], 7);
      const approval = await requested('rep-east-1');
      await server.db.sequelize.query('UPDATE approval_requests SET expires_at = ? WHERE id = ?', {
        replacements: [new Date(Date.now() - 60_000), approval.id],
      });

      const waiting = await api.get<PageOf<ApprovalListItem>>('mgr-east', '/api/approvals');
      const seen = await api.get<ApprovalView>('rep-east-1', `/api/approvals/${approval.id}`);
      const res = await decide('mgr-east', approval.id, 'approve');

      expect(waiting.items.map((i) => i.id)).not.toContain(approval.id);
      expect(seen).toMatchObject({ status: 'expired', outcomeNote: expect.stringContaining('前无人审批，已自动过期'), canWithdraw: false });
      expect((await errorOf(res)).code).toBe('approval_closed');
      const [audited] = await query<{ n: number }>("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'approval.expire' AND entity_id = ?", [
        String(approval.id),
      ]);
      expect(Number(audited!.n)).toBe(1);
      const [told] = await query<{ title: string }>("SELECT title FROM notifications WHERE kind = 'approval_result' AND path = ?", [
        `/approvals/${approval.id}`,
      ]);
      expect(told!.title).toBe('审批已过期：适当性例外');
    });

    it('is swept by the engine as well, without anyone reading', async () => {
      const approval = await requested('rep-east-1');
      await server.db.sequelize.query('UPDATE approval_requests SET expires_at = ? WHERE id = ?', {
        replacements: [new Date(Date.now() - 60_000), approval.id],
      });

      expect(await server.services.approvals.expireDue()).toBeGreaterThanOrEqual(1);
      const [row] = await query<{ status: string; live_key: string | null }>('SELECT status, live_key FROM approval_requests WHERE id = ?', [approval.id]);
      expect(row).toEqual({ status: 'expired', live_key: null });
    });
  });
});

describe('the WeCom simulator’s textcard', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await syncOrg(server);
  });
  afterAll(() => server.close());

  const send = (body: Record<string, unknown>) => server.wecom.sendMessage({ touser: 'rep-east-1', msgtype: 'textcard', ...body } as never);

  it('refuses what WeCom refuses: no url 41010, no title 41016, an unknown msgtype 40008', async () => {
    await expect(send({ textcard: { title: '标题', description: '<div>描述</div>' } })).rejects.toMatchObject({ errcode: 41010 });
    await expect(send({ textcard: { description: '描述', url: 'https://example.com' } })).rejects.toMatchObject({ errcode: 41016 });
    await expect(send({ msgtype: 'card', textcard: { title: '标题', description: '描述', url: 'https://example.com' } })).rejects.toMatchObject({
      errcode: 40008,
    });
  });

  it('delivers what is too long cut as WeCom cuts it: title 128 bytes, description 512 bytes, button 4 characters', async () => {
    await send({ textcard: { title: '审'.repeat(60), description: '批'.repeat(300), url: 'https://example.com/approvals/1', btntxt: '立即去审批' } });

    const card = (server.simulator.api.sentMessages.at(-1) as unknown as SentCard).textcard;
    expect(card.title).toBe('审'.repeat(42));
    expect(card.description).toBe('批'.repeat(170));
    expect(card.btntxt).toBe('立即去审');
  });
});
