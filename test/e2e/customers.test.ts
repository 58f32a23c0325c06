/** The 客户 pages in Chromium at 375×812 over the demo data, as rep-east-1. */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { demoBookSize } from '../helpers/demo-book';
import { useH5Suite } from '../helpers/h5-suite';

describe('customer pages in Chromium at 375x812', () => {
  let phone: PhonePage;
  const suite = useH5Suite({
    seedCrm: true,
    async setUp({ browser, server }) {
      phone = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(phone, '/customers', 'rep-east-1');
    },
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

    // The rep's book in the demo.
    const book = await demoBookSize(suite.server.db.sequelize, 'rep-east-1');
    expect(book).toBeGreaterThan(60);
    expect(count).toBe(`共 ${book} 位客户`);
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
    await nextPaint(page);
    await screenshot(page, 'partner-detail');

    expect(count).toBe('共 2 家代销机构');
    expect(errors).toEqual([]);
  });

  it('lets a manager hand a rep’s customer to a colleague from the customer page; a rep has no such button', async () => {
    const [customer] = await suite.server.db.sequelize.query<{ id: number; name: string }>(
      "SELECT c.id, c.name FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE u.wecom_userid = 'rep-east-1' AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1",
      { type: QueryTypes.SELECT },
    );
    const manager = await openPhonePage(suite.browser, suite.server.baseUrl);
    await loginThroughSimulator(manager, `/customers/${customer!.id}`, 'mgr-east');
    const { page, errors } = manager;

    await page.getByTestId('transfer-customer').click();
    await page.getByTestId('person-option').first().waitFor();
    await page.getByTestId('person-search').locator('input').fill('王强');
    await page.getByTestId('person-option').nth(1).waitFor({ state: 'detached' }); // the search narrowed the list to one
    await screenshot(page, 'customer-transfer');
    await page.getByTestId('person-option').filter({ hasText: '王强' }).click();
    await page.getByRole('button', { name: '确认' }).click();
    await page.getByTestId('customer-head').getByText('负责人 王强').waitFor();
    await nextPaint(page);
    await screenshot(page, 'customer-transferred');
    const [owner] = await suite.server.db.sequelize.query<{ userid: string }>(
      'SELECT u.wecom_userid AS userid FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE c.id = ?',
      {
        replacements: [customer!.id],
        type: QueryTypes.SELECT,
      },
    );
    await phone.page.goto('/customers');
    await phone.page.getByTestId('customer-list').locator('.van-cell').first().click();
    await phone.page.getByTestId('customer-head').waitFor();

    expect(owner!.userid).toBe('rep-east-2');
    expect(await phone.page.getByTestId('transfer-customer').count()).toBe(0);
    expect(errors).toEqual([]);
    await manager.context.close();
  });
});
