/** 看板 in Chromium at 375×812 over the demo data: managers see it, reps do not. */
import { loginThroughSimulator, openPhonePage, screenshot } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe('dashboards in Chromium at 375x812', () => {
  const suite = useH5Suite({ seedCrm: true });

  it('renders the four dashboards for a manager, and the department picker narrows them', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/dashboard', 'mgr-east');

    await page.getByTestId('dashboard-targets').waitFor();
    await screenshot(page, 'dashboard-manager');
    const before = Number(await page.getByTestId('customers-total').innerText());
    await page.getByTestId('dashboard-filters').locator('.van-dropdown-menu__item').nth(1).click();
    await page.locator('.van-dropdown-item__option', { hasText: '上海财富团队' }).click();
    await page
      .getByTestId('customers-total')
      .filter({ hasNotText: String(before) })
      .waitFor();
    const after = Number(await page.getByTestId('customers-total').innerText());
    await screenshot(page, 'dashboard-department');

    expect(before).toBe(200); // the demo's 215 customers of 华东, less the 15 it put into 公海 (nobody's)
    expect(after).toBe(48); // 上海财富团队's 50, less 2 in 公海
    expect(await page.getByTestId('tabbar').getByText('看板').count()).toBe(1);
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('has no 看板 for a rep, and the route sends them to the workbench', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page } = phone;
    await loginThroughSimulator(phone, '/workbench', 'rep-east-1');

    await page.goto('/dashboard');
    await page.waitForURL((url) => url.pathname === '/workbench');

    expect(await page.getByTestId('tabbar').getByText('看板').count()).toBe(0);
    await phone.context.close();
  });
});
