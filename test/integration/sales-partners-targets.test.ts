import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { FieldIssue, PageOf } from '@shared/http';
import type { PartnerDetail, PartnerFollowUpView, PartnerView } from '@shared/partners';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import type { TargetView } from '@shared/targets';
import { seededRandom } from '../../scripts/wecom-simulator/demo-corp';
import { rebuildSalesRollup } from '../../server/modules/trades/rollup';
import { ASSESSED_C5, crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

const fieldsOf = async (res: Response) => ((await errorOf(res)).details as FieldIssue[]).map((d) => d.field).sort();

describe.each(databaseTargets())('sales, partners and targets on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  let product: ProductView;
  let customer: CustomerView;
  let seq = 0;
  const partner = (body: Record<string, unknown> = {}, userid = 'rep-east-1') =>
    api.send<PartnerView>(userid, 'POST', '/api/partners', { name: `代销机构${++seq}`, type: 'bank', ...body });
  const sale = (body: Record<string, unknown>, userid = 'rep-east-1') =>
    api.send<SaleView>(userid, 'POST', '/api/sales', {
      productId: product.id,
      customerId: customer.id,
      amount: 10_000,
      soldOn: '2026-10-15',
      channel: 'direct',
      ...body,
    });

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
    product = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'SPT001', name: '安心理财90天', category: 'wealth', riskLevel: 'R2' });
    customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '销售客户',
      phone: '13400000001',
      ...ASSESSED_C5,
    });
  });
  afterAll(() => server.close());

  describe('sales', () => {
    it('books a direct sale to the caller and their main department', async () => {
      const s = await sale({ amount: 12_345.67 });

      expect(s).toMatchObject({ amount: 12_345.67, channel: 'direct', partner: null, departmentId: 2, soldOn: '2026-10-15' });
      expect(s.rep.name).toBe('李娜');
      expect(s.customer.name).toBe('销售客户');
    });

    it('requires a partner for consignment and refuses one for a direct sale', async () => {
      const p = await partner();
      const browser = await api.as('rep-east-1');
      const body = { productId: product.id, customerId: customer.id, amount: 1, soldOn: '2026-10-15' };

      const missing = await browser.json('/api/sales', 'POST', { ...body, channel: 'consignment' });
      const extra = await browser.json('/api/sales', 'POST', { ...body, channel: 'direct', partnerId: p.id });

      expect(await fieldsOf(missing)).toEqual(['partnerId']);
      expect(await fieldsOf(extra)).toEqual(['partnerId']);
    });

    it('names every bad field', async () => {
      const res = await (
        await api.as('rep-east-1')
      ).json('/api/sales', 'POST', { productId: 'x', customerId: customer.id, amount: -5, soldOn: '15/10/2026', channel: 'phone' });

      expect(await fieldsOf(res)).toEqual(['amount', 'channel', 'productId', 'soldOn']);
    });

    it('filters by date range and channel and sums the whole filtered set', async () => {
      const p = await partner();
      await sale({ amount: 100, soldOn: '2025-01-10' });
      await sale({ amount: 200, soldOn: '2025-01-20', channel: 'consignment', partnerId: p.id });
      await sale({ amount: 300, soldOn: '2025-02-01', channel: 'consignment', partnerId: p.id });

      const january = await api.get<PageOf<SaleView> & { totalAmount: number }>('rep-east-1', '/api/sales?from=2025-01-01&to=2025-01-31&pageSize=1');
      const consignment = await api.get<PageOf<SaleView> & { totalAmount: number }>('rep-east-1', `/api/sales?partnerId=${p.id}`);

      expect([january.total, january.items.length, january.totalAmount]).toEqual([2, 1, 300]);
      expect(consignment.items.map((s) => s.amount)).toEqual([300, 200]);
      expect(consignment.items[0]!.partner?.name).toBe(p.name);
    });

    it('lets a manager book a sale for a rep in the subtree but not outside it', async () => {
      const ok = await sale({ repUserId: await api.userId('rep-east-3') }, 'mgr-east');
      const outside = await (
        await api.as('mgr-east')
      ).json('/api/sales', 'POST', {
        productId: product.id,
        customerId: customer.id,
        amount: 1,
        soldOn: '2026-10-15',
        channel: 'direct',
        repUserId: await api.userId('rep-south-1'),
      });

      expect([ok.rep.name, ok.departmentId]).toEqual(['赵敏', 6]);
      expect(outside.status).toBe(403);
    });

    it('switches a sale to consignment only with a partner, and audits edits and deletes', async () => {
      const s = await sale({ amount: 500 });
      const p = await partner();
      const browser = await api.as('rep-east-1');

      const refused = await browser.json(`/api/sales/${s.id}`, 'PATCH', { channel: 'consignment' });
      const edited = await api.send<SaleView>('rep-east-1', 'PATCH', `/api/sales/${s.id}`, { channel: 'consignment', partnerId: p.id, amount: 600 });
      const deleted = await browser.fetch(`/api/sales/${s.id}`, { method: 'DELETE' });
      const actions = await server.db.sequelize.query<{ action: string }>('SELECT action FROM audit_logs WHERE entity = ? AND entity_id = ? ORDER BY id', {
        replacements: ['sale', String(s.id)],
        type: QueryTypes.SELECT,
      });

      expect(refused.status).toBe(400);
      expect([edited.channel, edited.partner?.id, edited.amount]).toEqual(['consignment', p.id, 600]);
      expect(deleted.status).toBe(204);
      expect((await browser.fetch(`/api/sales/${s.id}`)).status).toBe(404);
      // A sale is a buy of the ledger: recorded as `trade.buy` (申购), under the sale as before.
      expect(actions.map((a) => a.action)).toEqual(['trade.buy', 'sale.update', 'sale.delete']);
    });
    it('keeps the monthly rollup equal to the live sales through random creates, edits and deletes', async () => {
      const next = seededRandom(20261124);
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
      const partners = [await partner(), await partner()];
      const live: SaleView[] = [];
      // Days of a past year: a sale is not dated after today.
      const day = () => `2025-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}-${String(1 + Math.floor(next() * 28)).padStart(2, '0')}`;
      const consignment = () => (next() < 0.4 ? { channel: 'consignment', partnerId: pick(partners).id } : { channel: 'direct' });
      for (let round = 0; round < 12; round++) {
        // Four writes at once: on MySQL they meet on the same rollup rows.
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            const roll = next();
            if (roll < 0.55 || live.length < 3) live.push(await sale({ amount: 1 + Math.floor(next() * 100_000) / 100, soldOn: day(), ...consignment() }));
            else if (roll < 0.8) {
              const s = live.splice(Math.floor(next() * live.length), 1)[0]!;
              live.push(
                await api.send<SaleView>('rep-east-1', 'PATCH', `/api/sales/${s.id}`, {
                  amount: Math.floor(next() * 100_000) / 100,
                  soldOn: day(),
                  ...consignment(),
                }),
              );
            } else {
              const s = live.splice(Math.floor(next() * live.length), 1)[0]!;
              expect((await (await api.as('rep-east-1')).fetch(`/api/sales/${s.id}`, { method: 'DELETE' })).status).toBe(204);
            }
          }),
        );
      }
      const db = server.db.sequelize;
      const monthly = async () =>
        (
          await db.query<Record<string, unknown>>(
            'SELECT month, channel, rep_user_id, department_id, product_id, partner_id, amount_fen, sale_count FROM sales_monthly',
            { type: QueryTypes.SELECT },
          )
        )
          .map((r) =>
            [
              r.month,
              r.channel,
              Number(r.rep_user_id),
              Number(r.department_id),
              Number(r.product_id),
              Number(r.partner_id),
              Number(r.amount_fen),
              Number(r.sale_count),
            ].join('|'),
          )
          .sort();
      const sales = await db.query<{
        traded_on: string;
        channel: string;
        rep_user_id: number;
        department_id: number;
        product_id: number;
        partner_id: number | null;
        amount_fen: number | string;
      }>("SELECT traded_on, channel, rep_user_id, department_id, product_id, partner_id, amount_fen FROM trades WHERE kind = 'buy' AND voided_at IS NULL", {
        type: QueryTypes.SELECT,
      });
      const expected = new Map<string, [number, number]>();
      for (const s of sales) {
        const key = [
          String(s.traded_on).slice(0, 7),
          s.channel,
          Number(s.rep_user_id),
          Number(s.department_id),
          Number(s.product_id),
          Number(s.partner_id ?? 0),
        ].join('|');
        const [fen, n] = expected.get(key) ?? [0, 0];
        expected.set(key, [fen + Number(s.amount_fen), n + 1]);
      }

      const kept = await monthly();
      await rebuildSalesRollup(db);

      expect(kept).toEqual([...expected].map(([key, [fen, n]]) => `${key}|${fen}|${n}`).sort());
      expect(await monthly()).toEqual(kept);
    });
  });

  describe('consignment partners', () => {
    it('creates with the negotiating status and the creator as owner', async () => {
      const p = await partner({ creditCode: '91310000MA1FL4XQ3K', contactPhone: '021-6888 8888' });

      expect(p).toMatchObject({ status: 'negotiating', creditCode: '91310000MA1FL4XQ3K', contactPhone: '02168888888', version: 1 });
      expect(p.owner.name).toBe('李娜');
    });

    it('refuses a duplicate name or credit code with 409, a malformed code and an unknown status with 400', async () => {
      const p = await partner({ creditCode: '91440300MA5G2N8Y7P' });
      const browser = await api.as('rep-east-1');

      const sameName = await browser.json('/api/partners', 'POST', { name: p.name, type: 'bank' });
      const sameCode = await browser.json('/api/partners', 'POST', { name: '另一家', type: 'bank', creditCode: '91440300ma5g2n8y7p' });
      const malformed = await browser.json('/api/partners', 'POST', { name: '格式错', type: 'bank', creditCode: '12345', status: 'dating' });

      expect([sameName.status, sameCode.status]).toEqual([409, 409]);
      expect((await errorOf(sameCode)).details).toMatchObject({ existingId: p.id, matchedBy: 'credit_code' });
      expect(await fieldsOf(malformed)).toEqual(['creditCode']);
      const status = await browser.json('/api/partners', 'POST', { name: '状态错', type: 'bank', status: 'dating' });
      expect(await fieldsOf(status)).toEqual(['status']);
    });

    it('refuses a stale version', async () => {
      const p = await partner();

      await api.send('rep-east-1', 'PATCH', `/api/partners/${p.id}`, { version: 1, status: 'signed' });
      const stale = await (await api.as('rep-east-1')).json(`/api/partners/${p.id}`, 'PATCH', { version: 1, status: 'terminated' });

      expect(stale.status).toBe(409);
      expect((await errorOf(stale)).details).toEqual({ currentVersion: 2 });
    });

    it('tracks follow-ups and consignment sales on the detail page', async () => {
      const p = await partner();
      const next = new Date(Math.floor(Date.now() / 1000) * 1000 + 7 * 86_400_000).toISOString();
      const f = await api.send<PartnerFollowUpView>('rep-east-1', 'POST', `/api/partners/${p.id}/follow-ups`, {
        channel: 'visit',
        content: '拜访渠道负责人，讨论季度代销计划',
        nextFollowUpAt: next,
      });
      await sale({ amount: 8_000, channel: 'consignment', partnerId: p.id });
      await sale({ amount: 2_000.5, channel: 'consignment', partnerId: p.id });

      const detail = await api.get<PartnerDetail>('rep-east-1', `/api/partners/${p.id}`);

      expect(detail.counts).toEqual({ followUps: 1, sales: 2 });
      expect(detail.salesAmount).toBe(10_000.5);
      expect(detail.lastFollowUpAt).toBe(f.followedAt);
      expect(detail.nextFollowUpAt).toBe(next);
      expect(detail.latestFollowUps[0]).toMatchObject({ partnerId: p.id, content: '拜访渠道负责人，讨论季度代销计划' });
    });

    it('filters by status and type', async () => {
      const p = await partner({ type: 'securities', status: 'active' });

      const list = await api.get<PageOf<PartnerView>>('rep-east-1', '/api/partners?status=active&type=securities');

      expect(list.items.map((x) => x.id)).toEqual([p.id]);
    });

    it('audits a handover to another owner inside the manager’s scope', async () => {
      const p = await partner();

      const moved = await api.send<PartnerView>('mgr-east', 'PATCH', `/api/partners/${p.id}`, { version: 1, ownerUserId: await api.userId('rep-east-3') });
      const [entry] = await server.db.sequelize.query<{ diff: string }>("SELECT diff FROM audit_logs WHERE action = 'partner.transfer' AND entity_id = ?", {
        replacements: [String(p.id)],
        type: QueryTypes.SELECT,
      });

      expect([moved.owner.name, moved.departmentId]).toEqual(['赵敏', 6]);
      expect(JSON.parse(entry!.diff).to).toEqual({ ownerUserId: await api.userId('rep-east-3'), departmentId: 6 });
    });
  });

  describe('targets', () => {
    const put = (userid: string, body: Record<string, unknown>) => api.send<TargetView>(userid, 'PUT', '/api/targets', body);

    it('is set by a manager for a rep in the subtree and replaced when set again', async () => {
      const repId = await api.userId('rep-east-3');

      await put('mgr-east', { period: '2026-Q4', scopeType: 'user', scopeId: repId, metric: 'sales_amount', value: 1_000_000 });
      const again = await put('mgr-east', { period: '2026-Q4', scopeType: 'user', scopeId: repId, metric: 'sales_amount', value: 1_500_000.5 });
      const list = await api.get<{ items: TargetView[] }>('mgr-east', `/api/targets?period=2026-Q4&scopeType=user&scopeId=${repId}`);

      expect(again).toMatchObject({ periodKind: 'quarter', value: 1_500_000.5, scope: { id: repId, name: '赵敏' } });
      expect(list.items.map((t) => t.value)).toEqual([1_500_000.5]);
    });

    it('is refused to reps (403) and outside the manager’s scope (404)', async () => {
      const rep = await (
        await api.as('rep-east-1')
      ).json('/api/targets', 'PUT', { period: '2026-11', scopeType: 'department', scopeId: 2, metric: 'follow_ups', value: 100 });
      const outside = await (
        await api.as('mgr-east')
      ).json('/api/targets', 'PUT', { period: '2026-11', scopeType: 'department', scopeId: 3, metric: 'follow_ups', value: 100 });

      expect([rep.status, outside.status]).toEqual([403, 404]);
    });

    it('shows a rep their own and their department’s targets, not a colleague’s', async () => {
      await put('mgr-east', { period: '2026', scopeType: 'department', scopeId: 2, metric: 'new_customers', value: 500 });
      await put('mgr-east', { period: '2026', scopeType: 'user', scopeId: await api.userId('rep-east-1'), metric: 'new_customers', value: 60 });
      await put('mgr-east', { period: '2026', scopeType: 'user', scopeId: await api.userId('rep-east-2'), metric: 'new_customers', value: 70 });

      const list = await api.get<{ items: TargetView[] }>('rep-east-1', '/api/targets?period=2026');

      expect(list.items.map((t) => `${t.scopeType}:${t.scope.name}:${t.value}`).sort()).toEqual(['department:华东销售部:500', 'user:李娜:60']);
    });

    it('rejects a malformed period and a fractional count', async () => {
      const res = await (
        await api.as('mgr-east')
      ).json('/api/targets', 'PUT', { period: '2026-13', scopeType: 'department', scopeId: 2, metric: 'follow_ups', value: 1.5 });

      expect(await fieldsOf(res)).toEqual(['period', 'value']);
    });
  });
});
