/**
 * 公海 (issue 35 [pipeline]): a released customer enters its department's pool (the corp's when the
 * department has none); of 8 parallel claims exactly one wins; the claim limits and the former
 * owner's cool-down hold; a recycle rule warns the owners first and then moves exactly the customers
 * it names; claiming a customer another active rep follows in WeCom starts the 客户继承, one nobody
 * active follows is flagged; a manager assigns from the pool; every step is on the timeline.
 */
import { QueryTypes } from 'sequelize';
import type { ClaimResult, PoolCustomerView, PoolView } from '@shared/customer-pool';
import type { CustomerView, TimelineEntry } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';

const DAY = 86_400_000;

describe.each(databaseTargets())('the customer pool on $label', (target) => {
  const { server, api, count } = useCrmServer(target, { settings: { autoCreateLeads: false } });
  let seq = 0;
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const run = (sql: string, replacements: unknown[] = []) => server.db.sequelize.query(sql, { replacements });
  const customer = async (owner: string, extra: Record<string, unknown> = {}) =>
    api.send<CustomerView>('admin', 'POST', '/api/customers', {
      type: 'individual',
      name: `公海客户${++seq}`,
      phone: `1370000${String(seq).padStart(4, '0')}`,
      ownerUserId: await api.userId(owner),
      ...extra,
    });
  const release = (as: string, id: number) => api.send(as, 'POST', `/api/customers/${id}/release`, { reason: '客户暂无需求' }, 200);
  const claim = async (as: string, id: number) => (await api.as(as)).json(`/api/customers/${id}/claim`, 'POST', {});
  const corpRules = (rules: Record<string, unknown>) => api.send<PoolView>('admin', 'PUT', '/api/customer-pools', { departmentId: null, ...rules }, 200);
  const departmentId = async (name: string) => Number((await query<{ id: number }>('SELECT id FROM departments WHERE name = ?', [name]))[0]!.id);

  it('puts a released customer into the corp pool, listed for those who may claim it and on the timeline', async () => {
    const c = await customer('rep-east-1');
    await release('rep-east-1', c.id);

    const listed = await api.get<PageOf<PoolCustomerView>>('rep-south-1', '/api/customer-pools/customers');
    expect(listed.items.find((i) => i.customer.id === c.id)).toMatchObject({
      pool: { name: '公司公海' },
      kind: 'released',
      reason: '客户暂无需求',
      claimable: true,
    });
    const timeline = await api.get<PageOf<TimelineEntry>>('admin', `/api/customers/${c.id}/timeline`);
    expect(timeline.items[0]).toMatchObject({ kind: 'pool_entry', summary: '主动释放，进入公司公海：客户暂无需求' });
  });

  it('lets only the owner or a manager release, and not twice', async () => {
    const c = await customer('rep-east-1');
    expect((await (await api.as('rep-east-2')).json(`/api/customers/${c.id}/release`, 'POST', { reason: '不是我的' })).status).toBe(404);
    await release('rep-east-1', c.id);
    const again = await (await api.as('mgr-east')).json(`/api/customers/${c.id}/release`, 'POST', { reason: '再放一次' });
    expect(again.status).toBe(409);
  });

  it('gives a customer to exactly one of 8 parallel claims', async () => {
    const c = await customer('rep-east-1');
    await release('rep-east-1', c.id);
    // Not rep-east-3: the per-day limit test below counts rep-east-3's claims today, and whoever wins here claimed one.
    const claimers = ['rep-east-2', 'rep-south-1', 'mgr-east', 'mgr-south', 'admin', 'rep-east-2', 'rep-south-1', 'mgr-east'];
    await Promise.all(claimers.map((u) => api.as(u)));

    const results = await Promise.all(claimers.map((u) => claim(u, c.id)));

    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = claimers[results.findIndex((r) => r.status === 200)]!;
    expect((await api.get<CustomerView>('admin', `/api/customers/${c.id}`)).owner.id).toBe(await api.userId(winner));
    expect(await count("SELECT COUNT(*) AS n FROM customer_pool_entries WHERE customer_id = ? AND left_how = 'claimed'", [c.id])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM customer_owner_changes WHERE customer_id = ?', [c.id])).toBe(1);
  });

  it('makes the former owner wait out the cool-down', async () => {
    const c = await customer('rep-east-1');
    await release('rep-east-1', c.id);

    const status = await api.get<{ pool: { canClaim: boolean } }>('rep-east-1', `/api/customers/${c.id}/pool`);
    const res = await claim('rep-east-1', c.id);

    expect(status.pool.canClaim).toBe(false);
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toContain('需等待 30 天');
    await run('UPDATE customer_pool_entries SET entered_at = ? WHERE live_customer_id = ?', [new Date(Date.now() - 31 * DAY), c.id]);
    expect((await claim('rep-east-1', c.id)).status).toBe(200);
  });

  it('holds the claims per day and the customers held, whatever the order of parallel claims', async () => {
    const released = [];
    for (let i = 0; i < 3; i++) {
      const c = await customer('rep-east-1');
      await release('rep-east-1', c.id);
      released.push(c);
    }
    await corpRules({ maxClaimsPerDay: 1 });
    try {
      const results = await Promise.all(released.map((c) => claim('rep-east-3', c.id)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      expect((await errorOf(results.find((r) => r.status === 409)!)).message).toContain('每天 1 位的上限');

      await corpRules({ maxClaimsPerDay: null, maxHeld: 1 });
      const left = released.find((_, i) => results[i]!.status === 409)!;
      const held = await claim('rep-east-3', left.id);
      expect(held.status).toBe(409);
      expect((await errorOf(held)).message).toContain('达到公司公海的上限 1 位');
    } finally {
      await corpRules({ maxClaimsPerDay: null, maxHeld: null });
    }
  });

  it('lets a manager assign from the pool to a member of their team', async () => {
    const c = await customer('rep-east-1');
    await release('rep-east-1', c.id);
    const assigned = await api.send<ClaimResult>('mgr-east', 'POST', `/api/customers/${c.id}/assign`, { userId: await api.userId('rep-east-2') }, 200);
    expect(assigned.ownerUserId).toBe(await api.userId('rep-east-2'));
    const other = await customer('rep-east-1');
    await release('rep-east-1', other.id);
    const outside = await (await api.as('mgr-east')).json(`/api/customers/${other.id}/assign`, 'POST', { userId: await api.userId('rep-south-1') });
    expect(outside.status).toBe(400);
  });

  describe('WeCom', () => {
    /** A customer of `owner` whose WeCom contact `owner` follows, linked by phone. */
    const linkedCustomer = async (owner: string) => {
      const c = await customer(owner);
      const externalUserid = `wmPOOL${String(seq).padStart(4, '0')}`;
      server.simulator.state.addExternalContact(
        { external_userid: externalUserid, name: `${c.name}的微信`, type: 1 },
        { userid: owner, remark: c.name, description: '', add_way: 1, tag_ids: [], remark_mobiles: [c.phone!] },
      );
      await deliverCallbacks(server);
      return { customer: c, externalUserid };
    };

    it('starts the 在职继承 of the relation when the claimer is not the rep who follows the customer', async () => {
      const { customer: c, externalUserid } = await linkedCustomer('rep-east-1');
      await release('rep-east-1', c.id);

      const res = await claim('rep-east-2', c.id);

      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ wecom: 'transfer', wecomText: '已发起企业微信客户继承' });
      const [row] = await query<{ kind: string; status: string; handover_userid: string; takeover_userid: string }>(
        'SELECT kind, status, handover_userid, takeover_userid FROM customer_transfers WHERE external_userid = ?',
        [externalUserid],
      );
      expect(row).toEqual({ kind: 'onjob', status: 'queued', handover_userid: 'rep-east-1', takeover_userid: 'rep-east-2' });
    });

    it('flags a customer nobody active follows, so the claimer adds them', async () => {
      const c = await customer('rep-east-1');
      await release('rep-east-1', c.id);
      const res = await claim('rep-east-2', c.id);
      expect(await res.json()).toMatchObject({ wecom: 'no_follower', transferBatchId: expect.any(String) });
      expect(await count("SELECT COUNT(*) AS n FROM customer_transfers WHERE customer_id = ? AND status = 'queued'", [c.id])).toBe(0);
    });
  });

  describe('recycle rules', () => {
    it('warns the owners first, then moves exactly the customers the rule names', async () => {
      const south = await departmentId('华南销售部');
      await api.send('admin', 'PUT', '/api/customer-pools', { departmentId: south, noFollowUpDays: 30, warnDays: 3, aumExemptAmount: 1_000_000 }, 200);
      const quiet = await customer('rep-south-1');
      const soonQuiet = await customer('rep-south-1');
      const busy = await customer('rep-south-1');
      const eastQuiet = await customer('rep-east-1');
      const old = (days: number) => new Date(Date.now() - days * DAY);
      await run('UPDATE customers SET created_at = ?, last_follow_up_at = ? WHERE id IN (?, ?)', [old(60), old(40), quiet.id, eastQuiet.id]);
      await run('UPDATE customers SET created_at = ?, last_follow_up_at = ? WHERE id = ?', [old(60), old(28), soonQuiet.id]);
      await run('UPDATE customers SET created_at = ?, last_follow_up_at = ? WHERE id = ?', [old(60), old(2), busy.id]);

      const first = await api.send<{ warned: number; recycled: Record<string, number> }>('admin', 'POST', '/api/customer-pools/recycle', {}, 200);

      expect(first).toMatchObject({ warned: 2, recycled: { no_follow_up: 0 } });
      const warnings = await query<{ user_id: number; title: string }>("SELECT user_id, title FROM notifications WHERE kind = 'pool_warning' ORDER BY id");
      expect(warnings.map((w) => w.title).sort()).toEqual([
        `${quiet.name} 将在 3 天后回收到华南销售部公海`,
        `${soonQuiet.name} 将在 3 天后回收到华南销售部公海`,
      ]);
      expect(new Set(warnings.map((w) => Number(w.user_id)))).toEqual(new Set([await api.userId('rep-south-1')]));

      // Three days on: the warned customer who still has no follow-up goes; the one not yet 30 days quiet stays.
      await run('UPDATE customer_pool_warnings SET warned_at = ?', [old(3)]);
      const second = await api.send<{ recycled: Record<string, number> }>('admin', 'POST', '/api/customer-pools/recycle', {}, 200);

      expect(second.recycled.no_follow_up).toBe(1);
      const pooled = await query<{ customer_id: number; rule: string }>("SELECT customer_id, rule FROM customer_pool_entries WHERE kind = 'recycled'");
      expect(pooled.map((p) => [Number(p.customer_id), p.rule])).toEqual([[quiet.id, 'no_follow_up']]);
    });
  });
});
