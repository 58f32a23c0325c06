/**
 * The customer's KYC fields in Chromium: the form (证件类型, 证件号码 checked as a 居民身份证, 出生日期),
 * the detail page with the number masked, and the audit log naming the fields in Chinese — on a
 * 375×812 phone and in a 1280×800 desktop browser.
 */
import type { Page } from 'playwright-core';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

const ID_CARD = '11010519491231002X';
const MASKED = '110***********002X';
const DESKTOP = { viewport: { width: 1280, height: 800 }, desktop: true } as const;
/** How many CSS pixels the page is wider than the window (0 when nothing sticks out). */
const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

describe('customer KYC fields in Chromium', () => {
  const suite = useH5Suite();
  let customerPath = '';

  it('fills 证件 and 出生日期 on the phone, refusing a bad 居民身份证 number next to it', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/customers/new', 'rep-east-1');

    await page.getByTestId('customer-form').waitFor();
    await page.getByTestId('field-name').locator('input').fill('证件客户');
    await page.getByTestId('field-id-type').click();
    await page.getByTestId('id-type-sheet').getByText('居民身份证', { exact: true }).click();
    await page.getByTestId('field-id-number').locator('input').fill('110105194912310021');
    await page.getByTestId('field-birth-date').click();
    const picker = page.getByTestId('date-picker').filter({ hasText: '出生日期' });
    await picker.waitFor();
    await picker.getByText('确认').click();
    await page.getByTestId('customer-save').click();
    await page.getByTestId('field-id-number').getByText('居民身份证号码的校验位不正确，请核对').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await nextPaint(page);
    await screenshot(page, 'customer-kyc-form-error');
    await page.getByTestId('field-id-number').locator('input').fill(ID_CARD.toLowerCase());
    await page.getByTestId('customer-save').click();
    await page.getByTestId('customer-id-document').waitFor();
    customerPath = new URL(page.url()).pathname;
    await page.locator('.van-toast').waitFor({ state: 'hidden' });
    await nextPaint(page);
    await screenshot(page, 'customer-kyc-detail');

    expect(await page.getByTestId('customer-id-document').innerText()).toMatch(new RegExp(`居民身份证\\s+${MASKED.replace(/\*/g, '\\*')}`));
    expect(await page.getByTestId('customer-birth-date').innerText()).toContain('1980年1月1日');
    expect(await page.locator('body').innerText()).not.toContain(ID_CARD);
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('shows the same form and detail in a desktop browser', async () => {
    const desktop = await openPhonePage(suite.browser, suite.server.baseUrl, DESKTOP);
    const { page, errors } = desktop;
    await loginThroughSimulator(desktop, `${customerPath}/edit`, 'rep-east-1');

    await page.getByTestId('customer-kyc').waitFor();
    await page.getByTestId('field-id-type').filter({ hasText: '居民身份证' }).waitFor();
    await nextPaint(page);
    await screenshot(page, 'customer-kyc-form-desktop');
    const number = await page.getByTestId('field-id-number').locator('input').inputValue();
    await page.goto(customerPath);
    await page.getByTestId('customer-id-document').waitFor();
    await nextPaint(page);
    await screenshot(page, 'customer-kyc-detail-desktop');

    expect(number).toBe(ID_CARD);
    expect(await page.getByTestId('customer-id-document').innerText()).toContain(MASKED);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await desktop.context.close();
  });

  it('names the fields of the new customer in Chinese in the audit log, the number masked', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin/audit', 'admin');

    await page.getByTestId('audit-entry').filter({ hasText: '新建客户 证件客户' }).click();
    const detail = page.getByTestId('audit-detail');
    await detail.getByText('证件号码').waitFor();
    await nextPaint(page);
    await screenshot(page, 'customer-kyc-audit', { screen: true });
    const text = await detail.innerText();

    expect(text).toContain(`"证件类型": "resident_id"`);
    expect(text).toContain(`"证件号码": "${MASKED}"`);
    expect(text).toContain(`"出生日期": "1980-01-01"`);
    expect(text).not.toContain(ID_CARD);
    expect(errors).toEqual([]);
    await phone.context.close();
  });
});
