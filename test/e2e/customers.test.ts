/** The 客户 pages in Chromium at 375×812 over the demo data, as rep-east-1. */
import type { Browser } from 'playwright-core';
import { seedDemoCrm } from '../../scripts/demo-data';
import { launchBrowser, loginThroughSimulator, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { startTestServer, syncOrg, requireH5Build, type TestServer } from '../helpers/server';

describe('customer pages in Chromium at 375x812', () => {
  let server: TestServer;
  let browser: Browser;
  let phone: PhonePage;

  beforeAll(async () => {
    requireH5Build();
    server = await startTestServer({ serveH5: true });
    await syncOrg(server);
    await seedDemoCrm(server.db.sequelize);
    browser = await launchBrowser();
    phone = await openPhonePage(browser, server.baseUrl);
    await loginThroughSimulator(phone, '/customers', 'rep-east-1');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists only the rep’s customers, with a count, and narrows by search', async () => {
    const { page, errors } = phone;

    await page.getByTestId('customer-count').waitFor();
    await screenshot(page, 'customers-list');
    const count = await page.getByTestId('customer-count').innerText();
    const firstName = (await page.getByTestId('customer-list').locator('.van-cell__title span').first().innerText()).trim();
    await page.getByTestId('customer-search').locator('input').fill(firstName);
    await page.getByTestId('customer-search').locator('input').press('Enter');
    await page.getByTestId('customer-count').filter({ hasNotText: count }).waitFor();
    const titles = await page.getByTestId('customer-list').locator('.van-cell__title span').allInnerTexts();

    expect(count).toBe('共 80 位客户');
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.every((t) => t.includes(firstName))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('opens a customer, adds a follow-up and sees it in the timeline', async () => {
    const { page, errors } = phone;

    await page.getByTestId('customer-list').locator('.van-cell').first().click();
    await page.getByTestId('customer-head').waitFor();
    await screenshot(page, 'customer-detail-overview');
    await page.getByTestId('customer-tabs').getByRole('tab', { name: '跟进' }).click();
    await page.getByTestId('write-follow-up').click();
    await page.getByTestId('follow-up-content').locator('textarea').fill('详情页记录：预约下周面谈');
    await page.getByTestId('follow-up-save').click();
    await page.getByText('详情页记录：预约下周面谈').first().waitFor();
    await page.getByTestId('customer-tabs').getByRole('tab', { name: '时间线' }).click();
    await page.getByTestId('timeline').getByText('详情页记录：预约下周面谈').waitFor();
    await screenshot(page, 'customer-detail-timeline');

    expect(await page.getByTestId('timeline').locator('.van-step').first().innerText()).toContain('详情页记录：预约下周面谈');
    expect(errors).toEqual([]);
  });

  it('creates a customer, showing the server’s field errors inline first', async () => {
    const { page, errors } = phone;

    await page.goto('/customers/new');
    await page.getByTestId('customer-form').waitFor();
    await page.getByTestId('field-name').locator('input').fill('表单新建客户');
    await page.getByTestId('field-phone').locator('input').fill('139 0000 7777');
    await page.getByTestId('field-email').locator('input').fill('not-an-email');
    await page.getByTestId('customer-save').click();
    await page.getByTestId('field-email').getByText('邮箱格式不正确').waitFor();
    await screenshot(page, 'customer-form-error');
    await page.getByTestId('field-email').locator('input').fill('new@example.com');
    await page.getByTestId('customer-save').click();
    await page.getByTestId('customer-head').waitFor();
    await screenshot(page, 'customer-created');

    expect(await page.getByTestId('customer-head').innerText()).toContain('表单新建客户');
    expect(page.url()).toMatch(/\/customers\/\d+$/);
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
  });

  it('reaches the rep’s consignment partners from the workbench and logs a partner follow-up', async () => {
    const { page, errors } = phone;
    errors.length = 0; // the form test before provoked a 400 on purpose

    await page.goto('/workbench');
    await page.getByTestId('entry-partners').click();
    await page.getByTestId('partner-count').waitFor();
    await screenshot(page, 'partners-list');
    const count = await page.getByTestId('partner-count').innerText();
    await page.getByTestId('partner-list').locator('.van-cell').first().click();
    await page.getByTestId('partner-info').waitFor();
    await page.getByTestId('write-partner-follow-up').click();
    await page.getByTestId('follow-up-content').locator('textarea').fill('渠道回访：确认下季度代销额度');
    await page.getByTestId('follow-up-save').click();
    await page.getByTestId('partner-follow-ups').getByText('渠道回访：确认下季度代销额度').waitFor();
    await page.waitForTimeout(400); // the sheet slides away
    await screenshot(page, 'partner-detail');

    expect(count).toBe('共 2 家代销机构');
    expect(errors).toEqual([]);
  });
});
