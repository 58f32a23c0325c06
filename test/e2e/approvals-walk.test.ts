/**
 * 审批 in Chromium at 375×812 (issue 32): a rep picks a product above the customer's level (the
 * picker marks it), is offered 提交例外审批 instead of 保存 and submits; the manager opens the WeCom
 * card's link and approves in two taps; 合规 finds it on the workbench and approves; the sale then
 * books as the rep's. Screenshots of each step in test/artifacts; the request's page and the rule
 * admin at 1280×800 too.
 */
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { ProductView } from '@shared/products';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { crmClient, type CrmClient } from '../helpers/crm';
import { useH5Suite } from '../helpers/h5-suite';

const TODAY = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const REASON = '客户已签署风险揭示书并坚持购买';
const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

interface SentCard {
  touser: string;
  textcard?: { url: string; title: string };
}

describe('审批: a rep’s suitability exception, approved by the manager and 合规, in Chromium at 375x812', () => {
  let api: CrmClient;
  let customer: CustomerView;
  let approvalId: number;
  const suite = useH5Suite({
    async setUp({ server }) {
      api = crmClient(server);
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
      await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'WALKR4', name: '稳进成长混合R4', category: 'public_fund', riskLevel: 'R4' });
      await api.send('admin', 'POST', '/api/products', { code: 'WALKR2', name: '安享稳健债券R2', category: 'public_fund', riskLevel: 'R2' });
      customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
        type: 'individual',
        name: '周晓梅',
        phone: '13900001234',
        riskLevel: 'C2',
        riskAssessedOn: TODAY,
      });
    },
  });
  const pages: PhonePage[] = [];
  const open = async (userid: string, path: string, viewport?: { width: number; height: number }) => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, viewport ? { viewport, desktop: true } : {});
    pages.push(phone);
    await loginThroughSimulator(phone, path, userid);
    return phone;
  };
  afterAll(async () => {
    for (const p of pages) await p.context.close();
  });

  it('(1) the rep sees the R4 product marked in the picker, is offered 提交例外审批 instead of 保存, and submits', async () => {
    const rep = await open('rep-east-1', `/sales/new?customerId=${customer.id}`);
    const { page } = rep;
    await page.getByTestId('sale-form').waitFor();
    await page.getByTestId('sale-product').click();
    const picker = page.getByTestId('product-picker');
    await picker.getByTestId('picker-search').locator('input').fill('R');
    await picker.getByTestId('picker-option').filter({ hasText: '稳进成长混合R4' }).getByText('高于客户风险等级').waitFor();
    await nextPaint(page);
    await screenshot(page, 'approvals-1-picker-marks-above-level', { screen: true });
    expect(await picker.getByTestId('picker-option').filter({ hasText: '安享稳健债券R2' }).getByText('高于客户风险等级').count()).toBe(0);

    await picker.getByTestId('picker-option').filter({ hasText: '稳进成长混合R4' }).click();
    await page.getByTestId('exception-panel').waitFor();
    expect(await page.getByTestId('sale-save').count()).toBe(0);
    await page.getByTestId('sale-amount').locator('input').fill('200000');
    await page.getByTestId('exception-reason').locator('textarea').fill(REASON);
    await nextPaint(page);
    await screenshot(page, 'approvals-2-sale-form-offers-exception');
    expect(await overflow(page)).toBe(0);

    await page.getByTestId('exception-submit').click();
    await page.waitForURL(/\/approvals\/\d+$/);
    approvalId = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByTestId('approval-detail').waitFor();
    expect(await page.getByTestId('approval-status').textContent()).toContain('待审批');
    expect(await page.getByTestId('approval-withdraw').count()).toBe(1);
    await nextPaint(page);
    await screenshot(page, 'approvals-3-rep-request-page');
    expect(rep.errors).toEqual([]);

    const [trades] = await suite.server.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', {
      replacements: [customer.id],
      type: QueryTypes.SELECT,
    });
    expect(Number(trades!.n)).toBe(0);
  });

  it('(2) the manager opens the WeCom card’s link and approves in two taps: 同意, 确认同意', async () => {
    let card: SentCard | undefined;
    for (let i = 0; i < 50 && !card; i++) {
      await suite.server.services.reminders.sendSoon();
      card = (suite.server.simulator.api.sentMessages as unknown as SentCard[]).find(
        (m) => m.touser === 'mgr-east' && m.textcard?.url.endsWith(`/approvals/${approvalId}`),
      );
      if (!card) await new Promise((r) => setTimeout(r, 100));
    }
    expect(card?.textcard?.title).toBe('待你审批：适当性例外');
    const manager = await open('mgr-east', new URL(card!.textcard!.url).pathname);
    const { page } = manager;
    await page.getByTestId('approval-actions').waitFor();
    await nextPaint(page);
    await screenshot(page, 'approvals-4-manager-opens-card-link');
    expect(await overflow(page)).toBe(0);

    await page.getByTestId('approval-approve').click();
    await page.getByTestId('approval-comment').waitFor();
    await page.getByTestId('approval-comment').locator('textarea').fill('已核对风险揭示书签字');
    await nextPaint(page);
    await screenshot(page, 'approvals-5-manager-confirm-dialog', { screen: true });
    await page.getByRole('button', { name: '确认同意' }).click();
    await page.getByTestId('approval-actions').waitFor({ state: 'detached' });
    await page.getByText('陈建国 同意').waitFor();
    await nextPaint(page);
    await screenshot(page, 'approvals-6-manager-approved-step-1');
    expect(await page.getByTestId('approval-status').textContent()).toContain('待审批');
    expect(manager.errors).toEqual([]);
  });

  it('(3) 合规 finds it on the workbench, opens it from 待我审批 and approves: the sale books as the rep’s', async () => {
    const compliance = await open('risk-1', '/workbench');
    const { page } = compliance;
    await page.getByTestId('approvals-waiting').waitFor();
    await nextPaint(page);
    await screenshot(page, 'approvals-7-compliance-workbench', { screen: true });

    await page.getByTestId('approvals-entry').click();
    await page.getByTestId('approval-row').first().waitFor();
    await nextPaint(page);
    await screenshot(page, 'approvals-8-compliance-waiting-list');
    await page.getByTestId('approval-row').filter({ hasText: '周晓梅' }).click();
    await page.getByTestId('approval-approve').click();
    await page.getByRole('button', { name: '确认同意' }).click();
    await page.getByTestId('approval-result').waitFor();
    expect(await page.getByTestId('approval-status').textContent()).toContain('已通过');
    await nextPaint(page);
    await screenshot(page, 'approvals-9-compliance-approved');
    expect(compliance.errors).toEqual([]);

    const [trade] = await suite.server.db.sequelize.query<{ amount_fen: number; rep: string; suitability_override: string }>(
      'SELECT t.amount_fen, u.wecom_userid AS rep, t.suitability_override FROM trades t JOIN users u ON u.id = t.rep_user_id WHERE t.customer_id = ?',
      { replacements: [customer.id], type: QueryTypes.SELECT },
    );
    expect({ ...trade, amount_fen: Number(trade!.amount_fen) }).toEqual({ amount_fen: 20_000_000, rep: 'rep-east-1', suitability_override: REASON });
  });

  it('(4) the rep finds it 已通过 under 我发起的', async () => {
    const { page } = pages[0]!;
    await page.goto('/approvals?tab=mine');
    await page.getByTestId('approval-row').first().waitFor();
    expect(await page.getByTestId('approval-row').first().textContent()).toContain('已通过');
    await nextPaint(page);
    await screenshot(page, 'approvals-10-rep-mine');
  });

  it('(5) the request’s page, the list and the rule admin at 1280x800', async () => {
    const desk = await open('admin', '/admin/approval-rules', { width: 1280, height: 800 });
    const { page } = desk;
    await page.getByTestId('rule-suitability_exception').waitFor();
    await nextPaint(page);
    await screenshot(page, 'approvals-11-rules-admin-desktop');
    // The export threshold sits beside the rule it triggers: one step up saves 60.
    const threshold = page.getByTestId('export-threshold');
    await threshold.scrollIntoViewIfNeeded();
    await threshold.locator('.van-stepper__plus').click();
    await page.getByText('导出不超过 60 条时直接下载').waitFor();
    expect((await api.get<{ exportApprovalThreshold: number }>('admin', '/api/admin/settings')).exportApprovalThreshold).toBe(60);
    await nextPaint(page);
    await screenshot(page, 'approvals-11b-export-threshold-desktop');
    const manager = await open('mgr-east', `/approvals/${approvalId}`, { width: 1280, height: 800 });
    await manager.page.getByTestId('approval-detail').waitFor();
    await nextPaint(manager.page);
    await screenshot(manager.page, 'approvals-12-request-desktop');
    expect(await overflow(manager.page)).toBe(0);
    const rep = await open('rep-east-1', '/approvals?tab=mine', { width: 1280, height: 800 });
    await rep.page.getByTestId('approval-row').first().waitFor();
    await nextPaint(rep.page);
    await screenshot(rep.page, 'approvals-13-mine-desktop');
    expect([...desk.errors, ...manager.errors, ...rep.errors]).toEqual([]);
  });

  it('(6) a request whose customer’s assessment expired meanwhile says so, and 同意 cannot be tapped', async () => {
    const { server } = suite;
    const lapsing = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '郑海峰',
      riskLevel: 'C3',
      riskAssessedOn: TODAY,
    });
    const [r5] = await server.db.sequelize.query<{ id: number }>("SELECT id FROM products WHERE code = 'WALKR4'", { type: QueryTypes.SELECT });
    const res = await (
      await api.as('rep-east-1')
    ).json('/api/sales', 'POST', {
      productId: Number(r5!.id),
      customerId: lapsing.id,
      amount: 50_000,
      soldOn: TODAY,
      channel: 'direct',
      suitabilityOverride: { reason: REASON },
    });
    const { id } = (await res.json()) as { id: number };
    await server.db.sequelize.query('UPDATE customers SET risk_assessed_on = ?, risk_assessment_expires_on = ? WHERE id = ?', {
      replacements: ['2024-06-01', '2025-06-01', lapsing.id],
    });

    const manager = await open('mgr-east', `/approvals/${id}`);
    await manager.page.getByTestId('approval-stale').waitFor();
    expect(await manager.page.getByTestId('approval-stale').textContent()).toContain('已于2025年6月1日过期');
    expect(await manager.page.getByTestId('approval-approve').isDisabled()).toBe(true);
    await nextPaint(manager.page);
    await screenshot(manager.page, 'approvals-14-stale-request', { screen: true });
  });
});
