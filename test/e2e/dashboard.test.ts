/** 看板 in Chromium at 375×812 over the demo data: managers see it, reps do not. */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, openPhonePage, screenshot } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe('dashboards in Chromium at 375x812', () => {
  const suite = useH5Suite({ seedCrm: true });
  /**
   * The customers of these departments nobody holds in 公海: which quiet customers the demo puts
   * into the pool depends on the day it is seeded (what has matured by then), so the figure is read
   * from the database, not written down.
   */
  const outsidePool = async (departments: string[]) => {
    const [row] = await suite.server.db.sequelize.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM customers c JOIN departments d ON d.id = c.department_id
        WHERE c.deleted_at IS NULL AND d.name IN (:departments)
          AND NOT EXISTS (SELECT 1 FROM customer_pool_entries e WHERE e.live_customer_id = c.id)`,
      { replacements: { departments }, type: QueryTypes.SELECT },
    );
    return Number(row!.n);
  };

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

    expect(before).toBe(await outsidePool(['华东销售部', '上海财富团队'])); // the subtree's, less 公海's (nobody's)
    expect(after).toBe(await outsidePool(['上海财富团队']));
    expect(after).toBeGreaterThan(0);
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
