/**
 * Roles see their own product (issue 32, deliverable 6), in Chromium: each role lands on a home
 * that fits it when it opens the app (`/`) — 合规 the compliance workspace, 运营 the data and
 * import view, a manager the team's board, a rep the workbench — and the read-only roles meet no
 * button for an action they cannot take (新建客户, 编辑, 写跟进, 转移, 录入销售, 导出…). With the
 * demo CRM seeded; screenshots at 375×812 and 1280×800 in test/artifacts.
 */
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import type { ApprovalListItem } from '@shared/approval-labels';
import type { PageOf } from '@shared/http';
import { nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { crmClient, type CrmClient } from '../helpers/crm';
import { useH5Suite } from '../helpers/h5-suite';

const DESKTOP = { width: 1280, height: 800 };
const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

/** What a read-only role must never be offered, by test id. */
const WRITE_BUTTONS = [
  'new-customer',
  'bulk-transfer',
  'edit-customer',
  'transfer-customer',
  'write-follow-up',
  'new-contact',
  'new-holding',
  'holding-buy',
  'holding-redeem',
  'new-sale',
  'new-partner',
  'customer-count-export',
  'customer-count-export-request',
];

describe('each role’s home and buttons, in Chromium', () => {
  let api: CrmClient;
  let customerId: number;
  const suite = useH5Suite({
    seedCrm: true,
    timeoutMs: 240_000,
    async setUp({ server }) {
      api = crmClient(server);
      // The demo's department defaults: 吴磊 (risk-1) 合规, 周婷 (ops-1) 运营.
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('ops-1')}/roles`, { roles: ['operations'] }, 200);
      // A customer with holdings and sales, so its page has every panel a writer would act on.
      const [row] = await server.db.sequelize.query<{ customer_id: number }>(
        "SELECT customer_id FROM holdings WHERE status = 'holding' ORDER BY customer_id LIMIT 1",
        { type: QueryTypes.SELECT },
      );
      customerId = Number(row!.customer_id);
    },
  });
  const pages: PhonePage[] = [];
  afterAll(async () => {
    for (const p of pages) await p.context.close();
  });

  /** Opens the app at `/` as `userid` (through the simulator's login) and waits to land on `home`. */
  async function landAs(userid: string, home: string, viewport?: { width: number; height: number }): Promise<PhonePage> {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, viewport ? { viewport, desktop: true } : {});
    pages.push(phone);
    await phone.page.goto('/');
    await phone.page.locator(`[data-userid="${userid}"]`).click();
    await phone.page.waitForURL((url) => url.pathname === home);
    phone.errors.length = 0;
    return phone;
  }
  /** The write buttons `page` shows at `path` once `ready` is on screen. */
  async function writeButtonsOn(page: Page, path: string, ready: string): Promise<string[]> {
    await page.goto(path);
    await page.getByTestId(ready).first().waitFor();
    await nextPaint(page);
    const shown: string[] = [];
    for (const id of WRITE_BUTTONS) if (await page.getByTestId(id).count()) shown.push(id);
    return shown;
  }

  describe('合规 (risk-1)', () => {
    let phone: PhonePage;
    beforeAll(async () => {
      phone = await landAs('risk-1', '/compliance');
    });

    it('lands on the compliance workspace with its figures, and its tab bar has 合规 instead of 工作台', async () => {
      const { page, errors } = phone;
      await page.getByTestId('figure-pendingApprovals').waitFor();
      await page.getByTestId('compliance-approvals').waitFor();
      await nextPaint(page);
      await screenshot(page, 'roles-home-compliance-375', { screen: true });

      expect(await page.getByTestId('tab-compliance').count()).toBe(1);
      expect(await page.getByTestId('tab-workbench').count()).toBe(0);
      expect(await overflow(page)).toBe(0);
      expect(errors).toEqual([]);
    });

    it('shows the suitability ledger with both levels and the outcome, and the lapsing assessments', async () => {
      const { page, errors } = phone;
      await page.getByRole('tab', { name: '适当性台账' }).click();
      await page.getByTestId('ledger-row').first().waitFor();
      await nextPaint(page);
      await screenshot(page, 'roles-home-compliance-ledger-375', { screen: true });
      const first = await page.getByTestId('ledger-row').first().innerText();

      await page.getByTestId('figure-expiringWithHoldings').click();
      await page.getByTestId('assessments-count').waitFor();
      await nextPaint(page);
      await screenshot(page, 'roles-home-compliance-assessments-375', { screen: true });

      expect(first).toMatch(/客户 (C[1-5]|专业投资者|未测评)/);
      expect(first).toMatch(/产品 R[1-5]/);
      expect(first).toMatch(/匹配|适当性例外/);
      expect(await page.getByTestId('ledger-export').count()).toBe(1);
      expect(await overflow(page)).toBe(0);
      expect(errors).toEqual([]);
    });

    it('reads the audit log in Chinese, without a code', async () => {
      const { page, errors } = phone;
      await page.getByRole('tab', { name: '审计日志' }).click();
      await page.getByTestId('workspace-audit-entry').first().waitFor();
      await nextPaint(page);
      await screenshot(page, 'roles-home-compliance-audit-375', { screen: true });
      const text = (await page.getByTestId('workspace-audit-entry').allInnerTexts()).join('\n');

      expect(text).not.toContain('其他操作');
      expect(text).not.toMatch(/\b[a-z_]+\.[a-z_]+\b/);
      expect(errors).toEqual([]);
    });

    it('meets no write button on the customer list, a customer’s page, partners and sales', async () => {
      const { page, errors } = phone;
      const shown = [
        ...(await writeButtonsOn(page, '/customers', 'customer-count')),
        ...(await writeButtonsOn(page, `/customers/${customerId}`, 'customer-next')),
      ];
      await screenshot(page, 'roles-home-compliance-customer-375', { screen: true });
      await page.getByRole('tab', { name: '持仓' }).click();
      await page.getByTestId('toggle-closed').waitFor();
      for (const id of WRITE_BUTTONS) if (await page.getByTestId(id).count()) shown.push(`持仓 ${id}`);
      await page.getByRole('tab', { name: '跟进' }).click();
      await nextPaint(page);
      for (const id of WRITE_BUTTONS) if (await page.getByTestId(id).count()) shown.push(`跟进 ${id}`);
      shown.push(...(await writeButtonsOn(page, '/partners', 'partner-count')), ...(await writeButtonsOn(page, '/sales', 'sales-total')));

      expect(shown).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('is sent to its workspace from a page it may not open (新建客户)', async () => {
      const { page } = phone;
      await page.goto('/customers/new');
      await page.waitForURL((url) => url.pathname === '/compliance');
    });

    it('lands on the workspace at 1280x800 too', async () => {
      const desktop = await landAs('risk-1', '/compliance', DESKTOP);
      await desktop.page.getByTestId('figure-pendingApprovals').waitFor();
      await desktop.page.getByRole('tab', { name: '例外' }).click();
      await desktop.page.getByTestId('exceptions-count').waitFor();
      await nextPaint(desktop.page);
      await screenshot(desktop.page, 'roles-home-compliance-1280', { screen: true });

      expect(await overflow(desktop.page)).toBe(0);
      expect(desktop.errors).toEqual([]);
    });
  });

  describe('运营 (ops-1)', () => {
    it('lands on the data and import view, with the data-quality figures and no write button on customers', async () => {
      const phone = await landAs('ops-1', '/operations');
      const { page, errors } = phone;
      await page.getByTestId('quality-customers').waitFor();
      await nextPaint(page);
      await screenshot(page, 'roles-home-operations-375', { screen: true });
      const customers = Number(await page.getByTestId('quality-customers').locator('.value').innerText());
      const tabs = await page.getByTestId('tabbar').innerText();
      const shown = await writeButtonsOn(page, `/customers/${customerId}`, 'customer-next');

      expect(customers).toBeGreaterThan(50);
      expect(tabs.split(/\s+/)).toEqual(['客户', '运营', '看板', '管理', '我的']);
      expect(shown).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('lands there at 1280x800 too', async () => {
      const desktop = await landAs('ops-1', '/operations', DESKTOP);
      await desktop.page.getByTestId('quality-customers').waitFor();
      await nextPaint(desktop.page);
      await screenshot(desktop.page, 'roles-home-operations-1280', { screen: true });

      expect(await overflow(desktop.page)).toBe(0);
      expect(desktop.errors).toEqual([]);
    });
  });

  describe('the selling roles', () => {
    it('lands a manager on the team’s board and a rep on the workbench', async () => {
      const manager = await landAs('mgr-east', '/dashboard');
      const rep = await landAs('rep-east-1', '/workbench');

      await rep.page.getByTestId('my-month').waitFor();
      expect(await manager.page.getByTestId('tab-workbench').count()).toBe(1);
      expect(manager.errors).toEqual([]);
      expect(rep.errors).toEqual([]);
    });
  });

  describe('a large export through approval', () => {
    it('offers 导出需审批 above 50 customers, takes the reason, and 我发起的 offers 下载 once 合规 approves', async () => {
      const manager = await landAs('mgr-east', '/dashboard');
      const { page, errors } = manager;
      await page.goto('/customers');
      await page.getByTestId('customer-count-export-request').click();
      await page.getByTestId('export-reason').locator('textarea').fill('季度客户回访名单');
      await nextPaint(page);
      await screenshot(page, 'roles-home-export-request-375', { screen: true });
      await page.getByTestId('export-submit').click();
      await page.waitForURL((url) => url.pathname === '/approvals' && url.searchParams.get('tab') === 'mine');
      await page.getByTestId('approval-row').filter({ hasText: '导出客户' }).first().waitFor();
      const mine = await api.get<PageOf<ApprovalListItem>>('mgr-east', '/api/approvals?mine=1');
      const { id } = mine.items.find((i) => i.type === 'customer_export')!;

      // 合规 opens the request from 待我审批 and approves it in two taps.
      const compliance = await landAs('risk-1', '/compliance');
      await compliance.page.goto(`/approvals/${id}`);
      await compliance.page.getByTestId('approval-approve').waitFor();
      await nextPaint(compliance.page);
      await screenshot(compliance.page, 'roles-home-export-approval-375', { screen: true });
      const subject = await compliance.page.getByTestId('approval-detail').innerText();
      await compliance.page.getByTestId('approval-approve').click();
      await compliance.page.getByRole('button', { name: '确认同意' }).click();
      await compliance.page.getByTestId('approval-status').filter({ hasText: '已通过' }).waitFor();
      expect(subject).toContain('导出用途');
      expect(subject).toMatch(/筛选条件\s*全部/);
      expect(compliance.errors).toEqual([]);

      await page.reload();
      const download = page.getByTestId('approval-download').first();
      await download.waitFor();
      await nextPaint(page);
      await screenshot(page, 'roles-home-export-mine-375', { screen: true });
      const file = await page.request.get((await download.getAttribute('href'))!);

      expect(file.status()).toBe(200);
      expect(file.headers()['content-disposition']).toContain('.xlsx');
      expect(errors).toEqual([]);
    });

    it('shows 导出需审批 and the download at 1280x800 too', async () => {
      const desktop = await landAs('mgr-east', '/dashboard', DESKTOP);
      const { page, errors } = desktop;
      await page.goto('/customers');
      await page.getByTestId('customer-count-export-request').waitFor();
      await nextPaint(page);
      await screenshot(page, 'roles-home-export-list-1280', { screen: true });
      await page.goto('/approvals?tab=mine');
      await page.getByTestId('approval-download').first().waitFor();
      await nextPaint(page);
      await screenshot(page, 'roles-home-export-mine-1280', { screen: true });

      expect(await overflow(page)).toBe(0);
      expect(errors).toEqual([]);
    });
  });
});
