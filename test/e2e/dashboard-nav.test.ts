/**
 * 看板's daily polish (issue 36) in Chromium at 375×812 and 1280×800 over the demo data: the
 * section chips jump to each board below the sticky row, bar charts give each name room for all
 * of it, and a 销售排行 bar opens that rep's sales of the period — the same count and amount.
 */
import type { Page } from 'playwright-core';
import type { SalesDashboard } from '@shared/dashboard';
import { businessDate } from '@shared/time';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

const today = businessDate(new Date());
const QUARTER = `${today.slice(0, 4)}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}`;

describe.each([
  ['375x812', {}, 'phone'],
  ['1280x800', { viewport: { width: 1280, height: 800 }, desktop: true }, 'desktop'],
] as const)('the dashboard at %s', (_, options, tag) => {
  const suite = useH5Suite({ seedCrm: true });
  let phone: PhonePage;
  /** mgr-east's dashboard, with the figures of the quarter's sales board as the page loaded them. */
  const open = async (): Promise<{ page: Page; sales: SalesDashboard }> => {
    phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
    const sales = phone.page.waitForResponse((r) => r.url().includes('/api/dashboard/sales') && r.url().includes(QUARTER) && r.status() === 200);
    await loginThroughSimulator(phone, '/dashboard', 'mgr-east');
    await phone.page.getByTestId('dashboard-targets').waitFor();
    return { page: phone.page, sales: (await (await sales).json()) as SalesDashboard };
  };
  afterEach(() => phone?.context.close());

  it('jumps to a board from the section chips, the board starting below the sticky chip row', async () => {
    const { page } = await open();
    const chips = page.getByTestId('dashboard-sections');
    await screenshot(page, `dashboard-sections-${tag}`, { screen: true });

    // (Not the last boards: the page cannot scroll them up past its end.)
    for (const section of ['sales', 'targets', 'customers']) {
      await page.getByTestId(`dashboard-section-${section}`).click();
      await nextPaint(page);
      const row = (await chips.boundingBox())!;
      const board = (await page.getByTestId(`dashboard-${section}`).boundingBox())!;
      expect(board.y).toBeGreaterThanOrEqual(row.y + row.height - 1);
      expect(board.y).toBeLessThan(row.y + row.height + 160);
    }
    await page.getByTestId('dashboard-section-targets').click();
    await nextPaint(page);
    await screenshot(page, `dashboard-sections-targets-${tag}`, { screen: true });
    expect(phone.errors).toEqual([]);
  });

  it('opens the sales of the rep whose 销售排行 bar is tapped, with the bar’s count and amount', async () => {
    const {
      page,
      sales: { topReps },
    } = await open();
    expect(topReps.length).toBeGreaterThan(0);
    await page.getByTestId('dashboard-section-sales').click();
    const chart = page.getByTestId('chart-reps');
    await chart.locator('canvas').waitFor();
    await chart.scrollIntoViewIfNeeded();
    await nextPaint(page);
    const box = (await chart.boundingBox())!;
    const x = box.x + box.width / 2;
    const y = box.y + 4 + (box.height - 8) / topReps.length / 2; // the middle of the first (largest) row
    if (tag === 'phone') await page.touchscreen.tap(x, y);
    else await page.mouse.click(x, y);
    const picked = page.getByTestId('chart-reps-picked');
    await picked.waitFor();
    await screenshot(page, `dashboard-rep-picked-${tag}`, { screen: true });
    // 「王磊 · 12.5万元（3 笔）」: the rep's name, the amount, the count.
    const [name, detail] = (await picked.locator('.picked-name').innerText()).split(' · ');
    const count = detail!.match(/（(\d+) 笔）/)![1];
    const amount = detail!.replace(/（.*$/, '');

    await picked.getByText('查看其销售记录').click();
    await page.waitForURL((url) => url.pathname === '/sales' && url.searchParams.get('repUserId') !== null);
    expect(await page.getByTestId('sales-rep').innerText()).toContain(`销售：${name}`);
    const total = page.getByTestId('sales-total').filter({ hasText: '申购合计' }); // (the table's own count is another)
    await total.waitFor();
    expect(await total.innerText()).toContain(`共 ${count} 笔`);
    expect((await total.innerText()).replace(/\s/g, '')).toContain(amount!.replace(/\s/g, ''));
    await screenshot(page, `dashboard-rep-sales-${tag}`, { screen: true });

    // The tag clears the rep: the list is every rep's again.
    await page.getByTestId('sales-rep').locator('.van-tag__close').click();
    await page.waitForURL((url) => url.searchParams.get('repUserId') === null);
    expect(phone.errors).toEqual([]);
  });

  it('gives each 产品排行 row room for every line of its whole name (12 px characters wrapped within 96 px, 14 px a line)', async () => {
    const {
      page,
      sales: { topProducts },
    } = await open();
    expect(topProducts.length).toBeGreaterThan(0);
    const lines = Math.max(...topProducts.map((p) => Math.ceil([...p.name].reduce((w, c) => w + (c.codePointAt(0)! < 0x100 ? 7 : 12), 0) / 96)));

    await page.getByTestId('dashboard-section-sales').click();
    const chart = page.getByTestId('chart-products');
    await chart.locator('canvas').waitFor();
    await chart.scrollIntoViewIfNeeded();
    await nextPaint(page);
    const { height } = (await chart.boundingBox())!;
    expect((height - 8) / topProducts.length).toBeGreaterThanOrEqual(lines * 14);
    await screenshot(page, `dashboard-names-${tag}`, { screen: true });
    expect(phone.errors).toEqual([]);
  });
});
