/// <reference lib="dom" />
/**
 * NAV maintenance in Chromium over the demo data (issue 31, item 4): the product page's 净值
 * panel (chart and list), adding and correcting a day through the form sheet, the warning on a
 * product whose NAV is overdue and the admin home's card — at 375×812 and 1280×800 — and a rep
 * who reads the history without any way to change it.
 */
import { QueryTypes } from 'sequelize';
import { addDays, businessDate } from '@shared/time';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, screenshotPage, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

const today = businessDate(new Date());
const DESKTOP = { viewport: { width: 1280, height: 800 }, desktop: true };

/** No toast or overlay left on screen, so a screenshot shows the page. */
describe('NAV maintenance in Chromium', () => {
  let fund: { id: number; code: string };
  let stale: { id: number; code: string; name: string };
  const suite = useH5Suite({
    seedCrm: true,
    setUp: async ({ server }) => {
      const db = server.db.sequelize;
      const product = async (code: string) =>
        (
          await db.query<{ id: number; code: string; name: string }>('SELECT id, code, name FROM products WHERE code = ?', {
            replacements: [code],
            type: QueryTypes.SELECT,
          })
        )[0]!;
      fund = await product('PF0001');
      stale = await product('PF0003');
      // The demo's NAVs carry no 累计净值: give the fund one (as if it paid 0.3 yuan of dividends), and let the other go 9 days without a NAV.
      await db.query('UPDATE product_navs SET accumulated_nav = nav + 0.3 WHERE product_id = ?', { replacements: [fund.id] });
      await db.query('DELETE FROM product_navs WHERE product_id = ? AND nav_date > ?', { replacements: [stale.id, addDays(today, -9)] });
    },
  });
  const navs = (productId: number) =>
    suite.server.db.sequelize.query<{ nav_date: string; nav: string | number }>(
      'SELECT nav_date, nav FROM product_navs WHERE product_id = ? ORDER BY nav_date DESC',
      {
        replacements: [productId],
        type: QueryTypes.SELECT,
      },
    );

  async function as(userid: string, path: string, options: Parameters<typeof openPhonePage>[2] = {}): Promise<PhonePage> {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
    await loginThroughSimulator(phone, path, userid);
    return phone;
  }

  it.each([
    ['phone', {}],
    ['desktop', DESKTOP],
  ] as const)('the admin home warns of the product whose NAV is overdue and opens it (%s)', async (label, options) => {
    const { page, errors, context } = await as('admin', '/admin', options);

    const card = page.getByTestId('stale-navs');
    await card.waitFor();
    await screenshotPage(page, `nav-admin-home-${label}`, { screen: true });
    expect(await card.innerText()).toContain(stale.name);
    expect(await card.getByTestId('stale-nav').filter({ hasText: stale.name }).innerText()).toMatch(/\d+ 天未更新/);

    await card.getByTestId('stale-nav').filter({ hasText: stale.name }).click();
    await page.waitForURL(`**/products/${stale.id}`);
    await page.getByTestId('nav-stale').waitFor();
    await page.getByTestId('nav-chart').locator('canvas').waitFor();
    await screenshotPage(page, `nav-stale-product-${label}`, { screen: true });
    expect(await page.getByTestId('nav-stale').innerText()).toMatch(/净值已 \d+ 天未更新.*超过 5 天未更新即视为过期/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it.each([
    ['phone', {}],
    ['desktop', DESKTOP],
  ] as const)('the product page shows the NAV history as a chart and a list (%s)', async (label, options) => {
    const { page, errors, context } = await as('admin', `/products/${fund.id}`, options);

    await page.getByTestId('nav-chart').locator('canvas').waitFor();
    await page.getByTestId('nav-row').first().waitFor();
    await screenshotPage(page, `nav-product-${label}`);
    await page.getByTestId('product-navs').evaluate((el) => el.scrollIntoView());
    await nextPaint(page);
    await screenshot(page, `nav-product-${label}-panel`, { screen: true });
    const [latest] = await navs(fund.id);
    expect(await page.getByTestId('nav-latest').innerText()).toContain(Number(latest!.nav).toFixed(4));
    expect(await page.getByTestId('nav-row').count()).toBe(10);
    expect(await page.getByTestId('nav-stale').count()).toBe(0);

    await page.getByTestId('nav-range').filter({ hasText: '近1年' }).click();
    await page.getByTestId('nav-more').click();
    // 更多 may be tapped while the year's days are still on their way (it shows the quarter's
    // until they come): the list is complete once the year's rows are in.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="nav-row"]').length > 200);
    expect(await page.getByTestId('nav-row').count()).toBeGreaterThan(200);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an admin adds a day through the form sheet, then corrects it, and the page says so', async () => {
    const { page, errors, context } = await as('admin', `/products/${stale.id}`);
    await page.getByTestId('nav-stale').waitFor();

    await page.getByTestId('nav-add').click();
    const sheet = page.getByTestId('nav-sheet');
    await sheet.getByTestId('nav-value').locator('input').fill('1.23456');
    await sheet.getByTestId('nav-save').click();
    await sheet.getByText('净值最多四位小数').waitFor();
    await nextPaint(page);
    await screenshot(page, 'nav-sheet-error', { screen: true });
    await sheet.getByTestId('nav-value').locator('input').fill('1.2345');
    await sheet.getByTestId('nav-accumulated').locator('input').fill('1.5345');
    await sheet.getByTestId('nav-save').click();
    await page.getByTestId('nav-stale').waitFor({ state: 'detached' });
    // The product (its date) and the NAV list (the figure) reload separately: wait for the figure.
    await page.getByTestId('nav-latest').filter({ hasText: '1.2345' }).waitFor();

    await page.getByTestId('nav-row').first().click();
    await sheet.getByText('更正净值').waitFor();
    expect(await sheet.getByTestId('nav-value').locator('input').inputValue()).toBe('1.2345');
    await sheet.getByTestId('nav-value').locator('input').fill('1.2354');
    await nextPaint(page);
    await screenshot(page, 'nav-sheet-correct', { screen: true });
    await sheet.getByTestId('nav-save').click();
    await page.getByText('已更正（原净值 1.2345）').waitFor();
    await page.getByTestId('nav-latest').filter({ hasText: '1.2354' }).waitFor();

    expect(Number((await navs(stale.id))[0]!.nav)).toBe(1.2354);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a rep reads the NAV history but has no button to add or correct one', async () => {
    const { page, errors, context } = await as('rep-east-1', `/products/${fund.id}`);

    await page.getByTestId('nav-row').first().waitFor();
    await page.getByTestId('nav-row').first().click();
    await screenshotPage(page, 'nav-product-rep');

    expect(await page.getByTestId('nav-add').count()).toBe(0);
    expect(await page.getByTestId('nav-sheet').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the import page offers 产品净值 with its description and template', async () => {
    const { page, errors, context } = await as('admin', '/admin/import');

    await page.getByTestId('import-kind').filter({ hasText: '产品净值' }).click();
    await page.getByTestId('import-kind-hint').filter({ hasText: '累计净值' }).waitFor();
    await screenshotPage(page, 'nav-import-page', { screen: true });

    expect(await page.getByTestId('import-template').getAttribute('href')).toBe('/api/imports/templates/navs.xlsx');
    expect(await page.getByTestId('import-mode').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
