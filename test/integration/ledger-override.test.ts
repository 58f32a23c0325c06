/**
 * The suitability override (issue 31 [ledger]): decided when the buy is recorded, only by someone
 * holding `sales.override_suitability` (a rep holding `sales.request_exception` instead asks for it,
 * issue 32: a pending approval request, no trade), never written through PATCH, credited to the rep the
 * sale is (the customer's owner by default, also when a manager records it) and audited as a
 * suitability action.
 */
import { QueryTypes } from 'sequelize';
import type { AumDashboard } from '@shared/dashboard';
import type { FieldIssue } from '@shared/http';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import { businessDate } from '@shared/time';
import { asSellerWithoutExceptions, customerMaker } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

const TODAY = businessDate(new Date());
const REASON = { reason: '客户书面确认坚持购买' };

/** The doors that record a buy, with an override in the body. */
const DOORS = {
  'POST /api/sales': (customerId: number, productId: number) => ({
    path: '/api/sales',
    body: { customerId, productId, amount: 10_000, soldOn: TODAY, channel: 'direct', suitabilityOverride: REASON },
  }),
  'POST /api/trades': (customerId: number, productId: number) => ({
    path: '/api/trades',
    body: { kind: 'buy', customerId, productId, amount: 10_000, tradedOn: TODAY, suitabilityOverride: REASON },
  }),
  'POST /api/customers/:id/holding-records': (customerId: number, productId: number) => ({
    path: `/api/customers/${customerId}/holding-records`,
    body: { kind: 'buy', productId, amount: 10_000, tradedOn: TODAY, suitabilityOverride: REASON },
  }),
};

describe.each(databaseTargets())('the suitability override on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let r1: ProductView;
  let r4: ProductView;
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const newCustomer = customerMaker(api, { name: '例外客户', phone: '1330000' });
  const customer = (riskLevel: string) => newCustomer({ riskLevel, riskAssessedOn: TODAY });
  const tradesOf = async (customerId: number) => (await query<{ n: number }>('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', [customerId]))[0]!.n;
  const auditOf = (saleId: number) =>
    query<{ action: string; actor_user_id: number; diff: string }>(
      "SELECT action, actor_user_id, diff FROM audit_logs WHERE entity = 'sale' AND entity_id = ? ORDER BY id",
      [String(saleId)],
    );

  beforeAll(async () => {
    r1 = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'OVR-R1', name: '例外测试R1', category: 'wealth', riskLevel: 'R1' });
    r4 = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'OVR-R4', name: '例外测试R4', category: 'public_fund', riskLevel: 'R4' });
    // 合规 as in the demo, so the default approval rule (部门负责人, then 合规) finds approvers for a rep's request.
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
  });

  it('cannot be written through PATCH /api/sales/:id: 400 naming suitabilityOverride, and the sale is unchanged', async () => {
    const c = await customer('C5');
    const sale = await api.send<SaleView>('rep-east-1', 'POST', '/api/sales', {
      customerId: c.id,
      productId: r1.id,
      amount: 5_000,
      soldOn: TODAY,
      channel: 'direct',
    });
    const auditBefore = await auditOf(sale.id);
    // The manager may grant exceptions, but not by editing a recorded sale.
    const manager = await api.as('mgr-east');

    const alone = await manager.json(`/api/sales/${sale.id}`, 'PATCH', { suitabilityOverride: REASON });
    const withAmount = await manager.json(`/api/sales/${sale.id}`, 'PATCH', { amount: 6_000, suitabilityOverride: REASON });
    const after = await api.get<SaleView>('rep-east-1', `/api/sales/${sale.id}`);

    expect([alone.status, withAmount.status]).toEqual([400, 400]);
    expect(((await errorOf(alone)).details as FieldIssue[]).map((d) => d.field)).toEqual(['suitabilityOverride']);
    expect(((await errorOf(withAmount)).details as FieldIssue[]).map((d) => d.field)).toEqual(['suitabilityOverride']);
    expect(after).toEqual(sale);
    expect(await auditOf(sale.id)).toEqual(auditBefore);
  });

  it.each(Object.keys(DOORS) as (keyof typeof DOORS)[])(
    'cannot be created by a rep holding neither sales.override_suitability nor sales.request_exception through %s: 403, nothing written',
    async (door) => {
      const c = await customer('C2');
      const { path, body } = DOORS[door](c.id, r4.id);

      const res = await asSellerWithoutExceptions(api, 'rep-east-1', async () => (await api.as('rep-east-1')).json(path, 'POST', body));

      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('suitability_override_forbidden');
      expect(Number(await tradesOf(c.id))).toBe(0);
    },
  );

  it.each(Object.keys(DOORS) as (keyof typeof DOORS)[])(
    'is only asked for by a rep holding sales.request_exception through %s: 202 with a pending approval request, nothing written',
    async (door) => {
      const c = await customer('C2');
      const { path, body } = DOORS[door](c.id, r4.id);

      const res = await (await api.as('rep-east-1')).json(path, 'POST', body);

      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ type: 'suitability_exception', status: 'pending', reason: REASON.reason });
      expect(Number(await tradesOf(c.id))).toBe(0);
    },
  );

  it('cannot be put on a buy that needs none either by a rep holding neither permission: 403, nothing written', async () => {
    const c = await customer('C5');
    const { path, body } = DOORS['POST /api/sales'](c.id, r1.id);

    const res = await asSellerWithoutExceptions(api, 'rep-east-1', async () => (await api.as('rep-east-1')).json(path, 'POST', body));

    expect(res.status).toBe(403);
    expect(Number(await tradesOf(c.id))).toBe(0);
  });

  it('is dropped from a buy that needs none by a rep holding sales.request_exception: the buy is written (201), without an override', async () => {
    const c = await customer('C5');
    const { path, body } = DOORS['POST /api/sales'](c.id, r1.id);

    const res = await (await api.as('rep-east-1')).json(path, 'POST', body);

    expect(res.status).toBe(201);
    const sale = (await res.json()) as SaleView;
    expect(sale.suitabilityOverride).toBeNull();
    expect((await auditOf(sale.id)).map((a) => a.action)).toEqual(['trade.buy']);
  });

  it('is not recorded on a buy that needs none, even from someone allowed to grant one', async () => {
    const c = await customer('C5');

    const sale = await api.send<SaleView>('mgr-east', 'POST', '/api/sales', DOORS['POST /api/sales'](c.id, r1.id).body);

    expect(sale.suitabilityOverride).toBeNull();
    expect((await auditOf(sale.id)).map((a) => a.action)).toEqual(['trade.buy']);
  });

  it('recorded by a manager for a rep’s customer is the rep’s sale, and audited as suitability.override by the manager', async () => {
    const c = await customer('C2');
    const [rep, manager] = [await api.userId('rep-east-1'), await api.userId('mgr-east')];

    const sale = await api.send<SaleView>('mgr-east', 'POST', '/api/sales', DOORS['POST /api/sales'](c.id, r4.id).body);
    const audit = await auditOf(sale.id);
    const board = await api.get<AumDashboard>('mgr-east', '/api/dashboard/aum');

    expect([sale.rep.id, sale.rep.name, sale.suitabilityOverride]).toEqual([rep, '李娜', REASON.reason]);
    expect(audit.map((a) => [a.action, Number(a.actor_user_id)])).toEqual([
      ['trade.buy', manager],
      ['suitability.override', manager],
    ]);
    expect(JSON.parse(audit[1]!.diff)).toMatchObject({ customerLevel: 'C2', productLevel: 'R4', repUserId: rep, reason: REASON.reason });
    expect(board.overrides.filter((o) => o.saleId === sale.id)).toEqual([
      expect.objectContaining({ customerLevel: 'C2', productLevel: 'R4', reason: REASON.reason }),
    ]);
  });

  it('recorded by a manager on behalf of a rep named as 销售人员 is credited to that rep', async () => {
    const c = await customer('C2');
    const other = await api.userId('rep-east-2');

    const sale = await api.send<SaleView>('mgr-east', 'POST', '/api/sales', { ...DOORS['POST /api/sales'](c.id, r4.id).body, repUserId: other });
    const [override] = (await auditOf(sale.id)).filter((a) => a.action === 'suitability.override');

    expect([sale.rep.id, sale.rep.name]).toEqual([other, '王强']);
    expect(JSON.parse(override!.diff)).toMatchObject({ repUserId: other });
  });
});
