/**
 * Investor suitability end to end: the risk profile on the customer, the check on every sale
 * (API and import), the override that needs a permission and a reason, the digest's reminders,
 * and valuation (holding × NAV, AUM).
 */
import { QueryTypes } from 'sequelize';
import type { CustomerDetail, CustomerView } from '@shared/customers';
import type { AumDashboard } from '@shared/dashboard';
import type { HoldingView } from '@shared/ledger';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import { asSellerWithoutExceptions } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { twoDaysOfDigests } from '../helpers/digest';
import { importSales } from '../helpers/sales-import';
import { errorOf } from '../helpers/http';

const TODAY = new Date().toISOString().slice(0, 10);
const daysFromToday = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe.each(databaseTargets())('investor suitability on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let seq = 0;
  const products: Record<string, ProductView> = {};
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

  const customer = (profile: Record<string, unknown>, userid = 'rep-east-1') =>
    api.send<CustomerView>(userid, 'POST', '/api/customers', {
      type: 'individual',
      name: `适当性客户${++seq}`,
      phone: `1360000${String(seq).padStart(4, '0')}`,
      ...profile,
    });
  const tradesOf = async (customerId: number) =>
    Number((await query<{ n: number }>('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', [customerId]))[0]!.n);
  const sell = (userid: string, customerId: number, product: string, extra: Record<string, unknown> = {}) =>
    api
      .as(userid)
      .then((b) => b.json('/api/sales', 'POST', { productId: products[product]!.id, customerId, amount: 10_000, soldOn: TODAY, channel: 'direct', ...extra }));

  beforeAll(async () => {
    for (const level of ['R1', 'R2', 'R3', 'R4', 'R5']) {
      products[level] = await api.send<ProductView>('admin', 'POST', '/api/products', {
        code: `SUIT${level}`,
        name: `${level}测试产品`,
        category: 'public_fund',
        riskLevel: level,
      });
    }
  });

  describe('the risk profile', () => {
    it('is recorded on the customer, with a default validity of a year', async () => {
      const c = await customer({ riskLevel: 'C3', riskAssessedOn: '2026-06-01' });

      expect(c).toMatchObject({ riskLevel: 'C3', investorClass: 'ordinary', riskAssessedOn: '2026-06-01', riskAssessmentExpiresOn: '2027-06-01' });
    });

    it('refuses a validity that ends before the assessment, at the field', async () => {
      const res = await (
        await api.as('rep-east-1')
      ).json('/api/customers', 'POST', {
        type: 'individual',
        name: '日期颠倒',
        riskLevel: 'C3',
        riskAssessedOn: '2026-06-01',
        riskAssessmentExpiresOn: '2026-05-01',
      });

      expect(res.status).toBe(400);
      expect((await errorOf(res)).details).toEqual([expect.objectContaining({ field: 'riskAssessmentExpiresOn', message: '测评有效期至不能早于测评日期' })]);
    });

    it('may be changed only with the customer.risk permission', async () => {
      await api.send('admin', 'POST', '/api/admin/roles', {
        code: 'writer_only',
        name: '只能编辑',
        dataScope: 'self',
        permissions: ['customer.read', 'customer.write'],
      });
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('rep-east-2')}/roles`, { roles: ['writer_only'] }, 200);

      const res = await (
        await api.as('rep-east-2')
      ).json('/api/customers', 'POST', { type: 'individual', name: '无权测评', riskLevel: 'C5', riskAssessedOn: TODAY });

      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('risk_profile_forbidden');
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('rep-east-2')}/roles`, { roles: ['sales'] }, 200);
    });
  });

  describe('the check on a sale', () => {
    it('refuses a product above the customer’s grade with 409 suitability_mismatch naming both levels', async () => {
      const c = await customer({ riskLevel: 'C2', riskAssessedOn: TODAY });

      const res = await sell('rep-east-1', c.id, 'R4');

      expect(res.status).toBe(409);
      const error = await errorOf(res);
      expect(error).toMatchObject({ code: 'suitability_mismatch', details: { customerLevel: 'C2', productLevel: 'R4', overridable: true } });
      expect(error.message).toContain('C2');
      expect(error.message).toContain('R4');
    });

    it('accepts a product within the grade', async () => {
      const c = await customer({ riskLevel: 'C2', riskAssessedOn: TODAY });

      expect((await sell('rep-east-1', c.id, 'R2')).status).toBe(201);
    });

    it('refuses any sale on an expired assessment', async () => {
      const c = await customer({ riskLevel: 'C5', riskAssessedOn: '2024-01-01', riskAssessmentExpiresOn: '2025-01-01' });

      const res = await sell('mgr-east', c.id, 'R1', { suitabilityOverride: { reason: '客户坚持' } });

      expect(res.status).toBe(409);
      expect((await errorOf(res)).details).toMatchObject({ problem: 'expired_assessment', overridable: false });
    });

    it('refuses a customer never assessed', async () => {
      const c = await customer({});

      expect((await errorOf(await sell('rep-east-1', c.id, 'R1'))).details).toMatchObject({ problem: 'missing_assessment' });
    });

    it('lets a professional investor buy any grade', async () => {
      const c = await customer({ investorClass: 'professional' });

      expect((await sell('rep-east-1', c.id, 'R5')).status).toBe(201);
    });
  });

  describe('the override', () => {
    it('is refused with 403 to someone holding neither sales.override_suitability nor sales.request_exception', async () => {
      await asSellerWithoutExceptions(api, 'rep-east-2', async () => {
        const c = await customer({ riskLevel: 'C2', riskAssessedOn: TODAY }, 'rep-east-2');

        const res = await sell('rep-east-2', c.id, 'R4', { suitabilityOverride: { reason: '客户书面确认坚持购买' } });

        expect(res.status).toBe(403);
        expect((await errorOf(res)).code).toBe('suitability_override_forbidden');
        expect(await tradesOf(c.id)).toBe(0);
      });
    });

    it('from a rep holding only sales.request_exception is a pending approval request (202), not a sale', async () => {
      // The default rule: the rep's department leader, then 合规 — someone must hold the compliance role.
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
      const c = await customer({ riskLevel: 'C2', riskAssessedOn: TODAY });

      const res = await sell('rep-east-1', c.id, 'R4', { suitabilityOverride: { reason: '客户书面确认坚持购买' } });

      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ type: 'suitability_exception', status: 'pending', reason: '客户书面确认坚持购买' });
      expect(await tradesOf(c.id)).toBe(0);
    });

    it('needs a reason', async () => {
      const c = await customer({ riskLevel: 'C2', riskAssessedOn: TODAY });

      const res = await sell('mgr-east', c.id, 'R4', { suitabilityOverride: { reason: '  ' } });

      expect(res.status).toBe(400);
      expect(JSON.stringify((await errorOf(res)).details)).toContain('请填写适当性例外原因');
    });

    it('is accepted with both, kept on the sale and audited', async () => {
      const c = await customer({ riskLevel: 'C2', riskAssessedOn: TODAY });

      const res = await sell('mgr-east', c.id, 'R4', { suitabilityOverride: { reason: '客户书面确认坚持购买' } });

      expect(res.status).toBe(201);
      const sale = (await res.json()) as SaleView;
      expect(sale.suitabilityOverride).toBe('客户书面确认坚持购买');
      const [row] = await query<{ action: string; summary: string }>(
        'SELECT action, summary FROM audit_logs WHERE entity = ? AND entity_id = ? AND action LIKE ?',
        ['sale', String(sale.id), '%suitability%'],
      );
      expect(row).toMatchObject({ action: 'suitability.override', summary: expect.stringContaining('C2') });
      const board = await api.get<AumDashboard>('mgr-east', '/api/dashboard/aum');
      expect(board.overrides.map((o) => o.saleId)).toContain(sale.id);
    });

    it('is never possible for C1, the lowest category', async () => {
      const c = await customer({ riskLevel: 'C1', riskAssessedOn: TODAY });

      const res = await sell('mgr-east', c.id, 'R2', { suitabilityOverride: { reason: '客户坚持' } });

      expect(res.status).toBe(409);
      expect((await errorOf(res)).details).toMatchObject({ overridable: false });
    });
  });

  it('refuses a mismatching sale in a history import, as that row’s error', async () => {
    const c = await customer({ riskLevel: 'C2', riskAssessedOn: TODAY });
    const job = await importSales(api, [
      [c.id, 'SUITR4', 1000, TODAY],
      [c.id, 'SUITR2', 1000, TODAY],
    ]);

    expect(job).toMatchObject({ created: 1, failed: 1 });
    expect(job.errors[0]).toMatchObject({ row: 2, column: '产品代码', message: expect.stringContaining('适当性不匹配') });
  });

  it('announces expiring assessments and maturing holdings in the digest, each once', async () => {
    const expiring = await customer({ riskLevel: 'C3', riskAssessedOn: '2026-01-01', riskAssessmentExpiresOn: daysFromToday(10) }, 'rep-south-1');
    const term = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'TERM30',
      name: '30天定开',
      category: 'wealth',
      riskLevel: 'R2',
      termDays: 30,
    });
    await api.send('rep-south-1', 'POST', `/api/customers/${expiring.id}/holding-records`, {
      kind: 'buy',
      productId: term.id,
      amount: 50_000,
      tradedOn: daysFromToday(-20),
    });
    const [first, second] = await twoDaysOfDigests(server.db.sequelize, await api.userId('rep-south-1'));
    expect(first).toContain('风险测评 30 天内到期 1 位');
    expect(first).toContain('持仓 14 天内到期 1 笔');
    expect(first.split(expiring.name)).toHaveLength(3); // named twice: the assessment, and the holding
    // The next day's digest does not repeat them.
    expect(second).not.toContain(expiring.name);
    const upcoming = await api.get<{ expiringAssessments: { customerId: number }[]; maturingHoldings: { customerId: number }[] }>(
      'rep-south-1',
      '/api/reminders/upcoming',
    );
    expect(upcoming.expiringAssessments.map((a) => a.customerId)).toEqual([expiring.id]);
    expect(upcoming.maturingHoldings.map((h) => h.customerId)).toEqual([expiring.id]);
  });

  it('values a fund holding at shares × the latest NAV, and the customer’s AUM is the sum', async () => {
    const c = await customer({ riskLevel: 'C5', riskAssessedOn: TODAY });
    const fund = products.R3!;
    await api.send(
      'admin',
      'PUT',
      `/api/products/${fund.id}/navs`,
      {
        items: [
          { date: daysFromToday(-10), nav: 1.0 },
          { date: daysFromToday(-1), nav: 1.25 },
        ],
      },
      200,
    );
    await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/holding-records`, {
      kind: 'buy',
      productId: fund.id,
      amount: 10_000,
      shares: 10_000,
      tradedOn: daysFromToday(-10),
    });
    await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/holding-records`, {
      kind: 'buy',
      productId: products.R1!.id,
      amount: 5_000,
      tradedOn: daysFromToday(-5),
    });

    const holdings = await api.get<HoldingView[] | { items: HoldingView[] }>('rep-east-1', `/api/customers/${c.id}/holdings`);
    const list = Array.isArray(holdings) ? holdings : holdings.items;
    const detail = await api.get<CustomerDetail>('rep-east-1', `/api/customers/${c.id}`);

    expect(list.find((h) => h.product.id === fund.id)).toMatchObject({ nav: { nav: 1.25 }, marketValue: 12_500, gain: 2_500 });
    expect(list.find((h) => h.product.id === products.R1!.id)).toMatchObject({ nav: null, marketValue: 5_000, gain: 0 });
    expect(detail.aum).toBe(17_500);
  });
});
