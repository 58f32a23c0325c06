/**
 * Issue 36's phone pages in Chromium at 375×812 and 1280×800 over the demo data: the customer
 * list (pinyin search, sort, labelled dates), a follow-up corrected from the customer page, 我的跟进
 * with its calendar, the audit log — each with no raw code in what a person reads.
 */
import type { Page } from 'playwright-core';
import { loginThroughSimulator, openPhonePage, screenshot, settled, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

/** What a person reads must not carry permission-like codes (`customer.read`) or keyed subjects (`department:2`). */
async function rawCodes(page: Page): Promise<string[]> {
  const text = await page.evaluate<string>('document.body.innerText');
  // A keyed subject is a code before the colon (`department:2`); a time (10:05) is not one.
  return [...(text.match(/[a-z_]+\.[a-z_]+/g) ?? []), ...(text.match(/[a-z_]+:\d+/g) ?? [])];
}

describe.each([
  ['375x812', {}, 'phone'],
  ['1280x800', { viewport: { width: 1280, height: 800 }, desktop: true }, 'desktop'],
] as const)('the daily pages at %s', (_, options, tag) => {
  const suite = useH5Suite({ seedCrm: true });
  let phone: PhonePage;
  const open = async (userid: string, path: string) => {
    phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
    await loginThroughSimulator(phone, path, userid);
    return phone.page;
  };
  afterEach(() => phone?.context.close());
  /** From 1024 px the lists are tables (h5/README.md#desktop-layout-and-tables): a row's name cell, else the phone cell's title. */
  const wide = tag === 'desktop';
  const customerNames = (page: Page) =>
    wide ? page.getByTestId('customer-row').locator('td[data-column=name]') : page.getByTestId('customer-list').locator('.van-cell__title span');

  it('finds a customer by pinyin initials and sorts by assets, each date named', async () => {
    const page = await open('rep-east-1', '/customers');
    await page.getByTestId('customer-count').waitFor();
    const first = (await customerNames(page).first().innerText()).trim();
    const [row] = await suite.server.db.sequelize.query<{ name_initials: string }>('SELECT name_initials FROM customers WHERE name = ?', {
      replacements: [first],
      type: 'SELECT' as never,
    });

    await page.getByTestId('customer-search').locator('input').fill(row!.name_initials);
    await page.getByTestId('customer-search').locator('input').press('Enter');
    await customerNames(page).filter({ hasText: first }).first().waitFor();
    await page.getByTestId('customer-search').locator('input').fill('');
    await page.getByTestId('customer-search').locator('input').press('Enter');
    await page.getByTestId('customer-sort-filters').locator('.van-dropdown-menu__item').first().click();
    await page.locator('.van-dropdown-item__option').filter({ hasText: '资产规模从高到低' }).click();
    if (wide) {
      // The table names each date in its header and shows 资产 in a column of its own.
      await page.getByTestId('customer-row').first().locator('td[data-column=aum]').filter({ hasText: '元' }).waitFor();
      expect(await page.getByTestId('customer-table').locator('thead').innerText()).toMatch(/上次跟进[\s\S]*下次跟进/);
    } else {
      await page.getByTestId('customer-dates').first().filter({ hasText: '资产' }).waitFor();
      expect(await page.getByTestId('customer-dates').first().innerText()).toMatch(/最近跟进|未跟进过/);
    }
    await settled(page);
    await screenshot(page, `daily-${tag}-customers-aum`);

    expect(await rawCodes(page)).toEqual([]);
    expect(phone.errors).toEqual([]);
  });

  it('corrects the rep’s own follow-up on the customer page and shows its 下一步', async () => {
    const page = await open('rep-east-1', '/customers');
    if (wide) await page.goto(`/customers/${await page.getByTestId('customer-row').first().getAttribute('data-key')}`);
    else await page.getByTestId('customer-list').locator('.van-cell').first().click();
    await page.getByTestId('customer-head').waitFor();
    await page.getByTestId('customer-tabs').getByRole('tab', { name: '跟进' }).click();
    await page.getByTestId('write-follow-up').click();
    await page.getByTestId('follow-up-content').locator('textarea').fill('当日跟进：客户想了解债基');
    await page.getByTestId('follow-up-next-action').locator('input').fill('发送产品资料');
    await page.getByTestId('follow-up-save').click();
    const followUps = page.getByTestId(wide ? 'follow-up-row' : 'follow-up');
    await followUps.filter({ hasText: '当日跟进：客户想了解债基' }).click();
    await page.getByTestId('follow-up-edit-sheet').waitFor();
    await page.getByTestId('follow-up-edit-content').locator('textarea').fill('当日跟进（已更正）：客户想了解债基和理财');
    await page.getByTestId('follow-up-edit-save').click();
    const corrected = followUps.filter({ hasText: '已更正' });
    await corrected.waitFor();
    await settled(page);
    await screenshot(page, `daily-${tag}-follow-up-corrected`);

    if (wide) expect(await corrected.locator('td[data-column=nextAction]').innerText()).toBe('发送产品资料');
    else expect(await corrected.getByTestId('follow-up-next').innerText()).toContain('下一步：发送产品资料');
    expect(await corrected.innerText()).toContain('已修改');
    expect(await rawCodes(page)).toEqual([]);
    expect(phone.errors).toEqual([]);
  });

  it('shows 我的跟进: the calendar of planned follow-ups and what the rep wrote', async () => {
    const page = await open('rep-east-1', '/follow-ups');
    await page.getByTestId('follow-up-calendar').waitFor();
    await settled(page);
    await screenshot(page, `daily-${tag}-my-follow-ups-calendar`);
    const calendarCodes = await rawCodes(page);
    const calendarText = await page.getByTestId('my-follow-ups').innerText();
    await page.getByRole('tab', { name: '我写的跟进' }).click();
    await page.getByTestId('my-follow-up').first().waitFor();
    await screenshot(page, `daily-${tag}-my-follow-ups-written`);

    expect(calendarText).toMatch(/计划跟进 \d+ 位/);
    expect(calendarCodes).toEqual([]);
    expect(await rawCodes(page)).toEqual([]);
    expect(phone.errors).toEqual([]);
  });

  it('shows the audit log with Chinese subjects, and 管理 without raw codes', async () => {
    const page = await open('admin', '/admin/audit');
    await page.getByTestId('audit-entry').first().waitFor();
    await settled(page);
    await screenshot(page, `daily-${tag}-audit`);
    const auditCodes = await rawCodes(page);
    await page.goto('/admin');
    await page.getByTestId('sync-org').waitFor();
    await settled(page);
    await screenshot(page, `daily-${tag}-admin`);

    expect(auditCodes).toEqual([]);
    expect(await rawCodes(page)).toEqual([]);
    expect(phone.errors).toEqual([]);
  });
});
