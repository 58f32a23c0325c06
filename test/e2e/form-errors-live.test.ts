/**
 * Form errors all at once and gone as each is fixed (issue 36) on the customer, partner and
 * product forms, in Chromium at 375×812 and 1280×800: one save shows every field's problem; fixing
 * a field takes its message away (or says its new problem) while the others stay.
 */
import type { Locator } from 'playwright-core';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe.each([
  ['375x812', {}, 'phone'],
  ['1280x800', { viewport: { width: 1280, height: 800 }, desktop: true }, 'desktop'],
] as const)('form errors at %s', (_, options, tag) => {
  const suite = useH5Suite();
  let phone: PhonePage;
  const open = async (userid: string, path: string, form: string) => {
    phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
    await loginThroughSimulator(phone, path, userid);
    const locator = phone.page.getByTestId(form);
    await locator.waitFor();
    return locator;
  };
  afterEach(() => phone?.context.close());
  /** The message under a field (none: empty text). */
  const messageOf = async (field: Locator) => {
    const message = field.locator('.van-field__error-message');
    return (await message.count()) ? (await message.innerText()).trim() : '';
  };
  /** Waits until the form shows `text` no more. */
  const gone = (form: Locator, text: string) => form.getByText(text).waitFor({ state: 'detached' });

  it('customer form: a bad email and a missing name at once; each message goes as it is fixed', async () => {
    const form = await open('rep-east-1', '/customers/new', 'customer-form');
    await form.getByTestId('field-email').locator('input').fill('not-an-email');
    await form.getByTestId('customer-save').click();
    await form.getByText('请填写客户名称').waitFor();
    const email = await messageOf(form.getByTestId('field-email'));
    expect(email).not.toBe('');
    await nextPaint(phone.page);
    await screenshot(phone.page, `form-errors-customer-${tag}`);

    await form.getByTestId('field-email').locator('input').fill('wang@example.com');
    await gone(form, email);
    expect(await messageOf(form.getByTestId('field-name'))).toBe('请填写客户名称');

    await form.getByTestId('field-name').locator('input').fill('王强');
    await gone(form, '请填写客户名称');
    expect(phone.errors).toEqual([]);
  });

  it('partner form: name and type at once; naming it leaves only the type’s message', async () => {
    const form = await open('mgr-east', '/partners/new', 'partner-form');
    await form.getByTestId('partner-save').click();
    await form.getByText('请填写机构名称').waitFor();
    await form.getByText('请选择机构类型').waitFor();

    await form.getByTestId('partner-name').locator('input').fill('宁波银行杭州分行');
    await gone(form, '请填写机构名称');
    expect(await form.getByText('请选择机构类型').count()).toBe(1);

    await form.getByTestId('partner-type').getByText('银行').click();
    await gone(form, '请选择机构类型');
    await nextPaint(phone.page);
    await screenshot(phone.page, `form-errors-partner-fixed-${tag}`);
  });

  it('product form: a code fixed badly says its new problem, fixed well says nothing; the others stay', async () => {
    const form = await open('admin', '/products/new', 'product-form');
    await form.getByTestId('product-save').click();
    await form.getByText('请填写产品代码').waitFor();
    await form.getByText('请填写产品名称').waitFor();
    await form.getByText('请选择产品类别').waitFor();

    await form.getByTestId('product-code').locator('input').fill('PF 0099');
    await form.getByText('产品代码只能包含字母、数字、下划线和短横线').waitFor();
    await form.getByTestId('product-code').locator('input').fill('PF0099');
    await gone(form, '产品代码只能包含字母、数字、下划线和短横线，最多 32 位');
    expect(await messageOf(form.getByTestId('product-code'))).toBe('');
    expect(await form.getByText('请填写产品名称').count()).toBe(1);
    expect(await form.getByText('请选择产品类别').count()).toBe(1);
    await nextPaint(phone.page);
    await screenshot(phone.page, `form-errors-product-${tag}`);
  });
});
