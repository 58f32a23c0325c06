/**
 * 公海 (issue 35 [pipeline]), who a pool customer belongs to: nobody. A customer in a pool keeps its
 * last owner on file (the cool-down's former owner), but it leaves that owner's customer list, their
 * figures on 看板 and 我的本月, and their workbench's 近期到期 — until someone claims it, then it is the
 * claimer's. And the recycle rule's AUM exemption: a customer holding at least the pool's threshold
 * is neither warned nor recycled while a quiet customer without holdings is.
 */
import { QueryTypes } from 'sequelize';
import type { PoolCustomerView } from '@shared/customer-pool';
import type { CustomerView } from '@shared/customers';
import type { CustomerDashboard, MyPeriod } from '@shared/dashboard';
import type { PageOf } from '@shared/http';
import type { ProductView } from '@shared/products';
import { productWithNavs } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

describe.each(databaseTargets())('who a pool customer belongs to on $label', (target) => {
  const { server, api } = useCrmServer(target, { settings: { autoCreateLeads: false } });
  let seq = 0;
  const run = (sql: string, replacements: unknown[] = []) => server.db.sequelize.query(sql, { replacements });
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  // A customer whose risk assessment expires within the workbench's notice period (so it is on 近期到期).
  const customer = async (owner: string) =>
    api.send<CustomerView>('admin', 'POST', '/api/customers', {
      type: 'individual',
      name: `归属客户${++seq}`,
      phone: `1360000${String(seq).padStart(4, '0')}`,
      ownerUserId: await api.userId(owner),
      riskLevel: 'C3',
      riskAssessedOn: inDays(-300),
      riskAssessmentExpiresOn: inDays(5),
    });
  const listed = async (as: string, c: CustomerView) =>
    (await api.get<PageOf<CustomerView>>(as, `/api/customers?keyword=${encodeURIComponent(c.name)}`)).items.some((i) => i.id === c.id);
  const onWorkbench = async (as: string, c: CustomerView) =>
    (await api.get<{ expiringAssessments: { customerId: number }[] }>(as, '/api/reminders/upcoming')).expiringAssessments.some((a) => a.customerId === c.id);
  const figures = async () => ({
    team: (await api.get<CustomerDashboard>('mgr-east', '/api/dashboard/customers')).total,
    mine: (await api.get<MyPeriod>('rep-east-1', '/api/dashboard/mine')).newCustomers,
  });

  it("takes a released customer out of its last owner's list, figures and workbench", async () => {
    const c = await customer('rep-east-1');
    expect([await listed('rep-east-1', c), await onWorkbench('rep-east-1', c)]).toEqual([true, true]);
    const before = await figures();

    await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/release`, { reason: '客户暂无需求' }, 200);

    expect(await listed('rep-east-1', c)).toBe(false);
    expect(await onWorkbench('rep-east-1', c)).toBe(false);
    expect(await figures()).toEqual({ team: before.team - 1, mine: before.mine - 1 });
    // Still on file as the former owner (the cool-down's), and listed on the pool page for those who may claim it.
    expect((await query<{ owner_user_id: number }>('SELECT owner_user_id FROM customers WHERE id = ?', [c.id]))[0]!.owner_user_id).toBe(
      await api.userId('rep-east-1'),
    );
    const pool = await api.get<PageOf<PoolCustomerView>>('rep-east-2', '/api/customer-pools/customers');
    expect(pool.items.find((i) => i.customer.id === c.id)).toMatchObject({ claimable: true, formerOwner: { name: expect.any(String) } });
  });

  it('gives a claimed customer to the claimer, in their list and workbench, and not back to the last owner', async () => {
    const c = await customer('rep-east-1');
    await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/release`, { reason: '客户暂无需求' }, 200);

    await api.send('rep-east-2', 'POST', `/api/customers/${c.id}/claim`, {}, 200);

    expect([await listed('rep-east-2', c), await onWorkbench('rep-east-2', c)]).toEqual([true, true]);
    expect([await listed('rep-east-1', c), await onWorkbench('rep-east-1', c)]).toEqual([false, false]);
  });

  it('neither warns nor recycles a customer holding at least the AUM threshold', async () => {
    const south = Number((await query<{ id: number }>("SELECT id FROM departments WHERE name = '华南销售部'"))[0]!.id);
    await api.send('admin', 'PUT', '/api/customer-pools', { departmentId: south, noFollowUpDays: 30, warnDays: 3, aumExemptAmount: 10_000 }, 200);
    const rich = await customer('rep-south-1');
    const poor = await customer('rep-south-1');
    const old = new Date(Date.now() - 60 * DAY);
    await run('UPDATE customers SET created_at = ?, last_follow_up_at = ? WHERE id IN (?, ?)', [old, old, rich.id, poor.id]);
    // 20,000 shares at par (no NAV): worth 20,000 yuan, above the 10,000 threshold.
    const fund = await productWithNavs<ProductView>(api, { code: 'AUM-EX', name: '豁免测试基金', category: 'public_fund', riskLevel: 'R2' });
    await server.db.sequelize.getQueryInterface().bulkInsert('holdings', [
      {
        customer_id: rich.id,
        product_id: fund.id,
        cost_fen: 2_000_000,
        shares_hundredths: 2_000_000,
        status: 'holding',
        created_at: new Date(),
        updated_at: new Date(),
      },
    ]);

    await api.send('admin', 'POST', '/api/customer-pools/recycle', {}, 200);
    await run('UPDATE customer_pool_warnings SET warned_at = ?', [new Date(Date.now() - 3 * DAY)]);
    await api.send('admin', 'POST', '/api/customer-pools/recycle', {}, 200);

    const warned = await query<{ customer_id: number }>('SELECT customer_id FROM customer_pool_warnings');
    expect(warned.map((w) => Number(w.customer_id))).not.toContain(rich.id);
    const pooled = await query<{ customer_id: number }>('SELECT customer_id FROM customer_pool_entries WHERE live_customer_id IN (?, ?)', [rich.id, poor.id]);
    expect(pooled.map((p) => Number(p.customer_id))).toEqual([poor.id]);
  });
});
