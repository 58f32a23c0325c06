/**
 * 审批 at a PC (1280×800): the manager works down 待我审批 with each request opening in a pane
 * beside the table, decides there, and the table reads again without leaving the page. On a phone
 * (375×812) a row still opens the request's own page. Screenshots go to test/artifacts.
 */
import type { ProductView } from '@shared/products';
import { LEADER_ONLY, pendingException } from '../helpers/approvals';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { crmClient } from '../helpers/crm';
import { useH5Suite } from '../helpers/h5-suite';

const TODAY = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('审批 as master–detail on a wide screen', () => {
  const titles: string[] = [];
  const pages: PhonePage[] = [];
  const suite = useH5Suite({
    async setUp({ server }) {
      const api = crmClient(server);
      await api.send('admin', 'PUT', '/api/admin/approval-rules/suitability_exception', LEADER_ONLY, 200);
      const product = await api.send<ProductView>('admin', 'POST', '/api/products', {
        code: 'DESKR4',
        name: '桌面审批产品R4',
        category: 'public_fund',
        riskLevel: 'R4',
      });
      for (const [name, phone] of [
        ['桌面审批甲', '13700008801'],
        ['桌面审批乙', '13700008802'],
      ] as const) {
        titles.push((await pendingException(api, 'rep-east-1', { name, phone }, product.id, TODAY)).title);
      }
    },
  });
  afterAll(async () => {
    for (const p of pages) await p.context.close();
  });

  it('opens a request beside the table, approves it there, and the table shows it decided', async () => {
    const desk = await openPhonePage(suite.browser, suite.server.baseUrl, { desktop: true, viewport: { width: 1280, height: 800 } });
    pages.push(desk);
    const { page, errors } = desk;
    await loginThroughSimulator(desk, '/approvals', 'mgr-east');
    const row = page.getByTestId('approval-row').filter({ hasText: titles[0]! });
    await row.waitFor();

    await row.click();
    const pane = page.getByTestId('approval-detail-pane');
    await pane.getByTestId('approval-approve').waitFor();
    await nextPaint(page);
    await screenshot(page, 'approvals-desk-pane-1280');
    expect(await page.getByTestId('approval-row').count()).toBeGreaterThanOrEqual(2);
    expect(page.url()).toMatch(/\/approvals$/);

    await pane.getByTestId('approval-approve').click();
    await page.getByTestId('approval-dialog').getByRole('button', { name: '确认同意' }).click();
    await pane.getByTestId('approval-status').getByText('已通过').waitFor();
    // 待我审批 reads again: the decided request leaves it, the other one stays.
    await row.waitFor({ state: 'detached' });
    await nextPaint(page);
    await screenshot(page, 'approvals-desk-decided-1280');

    expect(await page.getByTestId('approval-row').filter({ hasText: titles[1]! }).count()).toBe(1);
    expect(await page.getByTestId('approval-tabs').innerText()).toContain('待我审批 (1)');
    const box = await pane.getByTestId('approval-detail').boundingBox();
    expect(box!.x).toBeGreaterThan(600);
    expect(errors).toEqual([]);
  });

  it('opens the request’s own page from a row on a phone', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    pages.push(phone);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/approvals', 'mgr-east');

    await page.getByText(titles[1]!).first().click();
    await page.waitForURL(/\/approvals\/\d+$/);
    await page.getByTestId('approval-approve').waitFor();
    await nextPaint(page);
    await screenshot(page, 'approvals-desk-phone-375');

    expect(await page.getByTestId('approval-detail-pane').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
