/**
 * 商机 and 公海 in Chromium at 375×812 over the demo data (issue 35 [pipeline]): in the chat sidebar
 * rep-east-1 opens a 商机 for the customer and moves it in two taps; on the customer page 成交 books
 * the buy (one trade); the rep releases another customer to 公海 and rep-east-2 claims it from the
 * pool page; mgr-east's 看板 shows the funnel, the forecast and the pool. Then 看板 at 1280×800.
 */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe('商机 and 公海 in the H5 in Chromium at 375x812', () => {
  /** A demo contact of rep-east-1 linked to a customer of theirs assessed for any product, and a product that suits them. */
  let linked: { externalUserid: string; customerId: number };
  let product: string;
  /** Another customer of rep-east-1, to release. */
  let spare: { id: number; name: string };
  let rep: PhonePage;

  const suite = useH5Suite({
    seedCrm: 'linked',
    async setUp({ server, browser }) {
      const q = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
      const [row] = await q<{ external_userid: string; id: number }>(
        `SELECT l.external_userid, c.id FROM customer_wecom_links l
           JOIN customers c ON c.id = l.customer_id JOIN users u ON u.id = c.owner_user_id
           JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid
          WHERE u.wecom_userid = 'rep-east-1' AND NOT EXISTS (SELECT 1 FROM opportunities o WHERE o.customer_id = c.id)
          ORDER BY l.external_userid LIMIT 1`,
      );
      linked = { externalUserid: row!.external_userid, customerId: Number(row!.id) };
      // Assessed C5 today: every product on sale suits them.
      await server.db.sequelize.query(
        "UPDATE customers SET investor_class = 'ordinary', risk_level = 'C5', risk_assessed_on = ?, risk_assessment_expires_on = NULL WHERE id = ?",
        {
          replacements: [new Date().toISOString().slice(0, 10), linked.customerId],
        },
      );
      product = (await q<{ name: string }>("SELECT name FROM products WHERE status = 'on_sale' AND category = 'public_fund' ORDER BY id LIMIT 1"))[0]!.name;
      const [other] = await q<{ id: number; name: string }>(
        `SELECT c.id, c.name FROM customers c JOIN users u ON u.id = c.owner_user_id
          WHERE u.wecom_userid = 'rep-east-1' AND c.deleted_at IS NULL AND c.id <> ?
            AND NOT EXISTS (SELECT 1 FROM customer_pool_entries e WHERE e.live_customer_id = c.id)
            AND NOT EXISTS (SELECT 1 FROM customer_wecom_links l WHERE l.customer_id = c.id)
          ORDER BY c.id LIMIT 1`,
        [linked.customerId],
      );
      spare = { id: Number(other!.id), name: other!.name };
      rep = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(rep, `/sidebar?contact=${linked.externalUserid}`, 'rep-east-1');
    },
  });
  const count = async (sql: string, replacements: unknown[] = []) =>
    Number((await suite.server.db.sequelize.query<{ n: number }>(sql, { replacements, type: QueryTypes.SELECT }))[0]!.n);

  it('opens a 商机 from the sidebar card and moves it in two taps', async () => {
    const { page, errors } = rep;
    const panel = page.getByTestId('sidebar-opportunities');
    await panel.getByTestId('new-opportunity').click();
    await page.getByTestId('opportunity-sheet').waitFor();
    await page.getByTestId('opportunity-product').click();
    await page.getByTestId('product-picker').getByTestId('picker-search').locator('input').fill(product);
    await page.getByTestId('product-picker').getByTestId('picker-option').filter({ hasText: product }).first().click();
    await page.getByTestId('opportunity-amount').locator('input').fill('300000');
    await nextPaint(page);
    await screenshot(page, 'pipeline-sidebar-new-opportunity', { screen: true });
    await page.getByTestId('opportunity-save').click();
    const row = panel.getByTestId('opportunity-row').first();
    await row.getByText('初步沟通 10%').waitFor();

    await row.click();
    await page.getByTestId('opportunity-stages').getByText('方案推荐').click();

    await row.getByText('方案推荐 50%').waitFor();
    await panel.scrollIntoViewIfNeeded();
    await nextPaint(page);
    await screenshot(page, 'pipeline-sidebar-card', { screen: true });
    expect(
      await count('SELECT COUNT(*) AS n FROM opportunity_stage_changes s JOIN opportunities o ON o.id = s.opportunity_id WHERE o.customer_id = ?', [
        linked.customerId,
      ]),
    ).toBe(2);
    expect(errors).toEqual([]);
  }, 60_000);

  it('books the buy on 成交 from the customer page', async () => {
    const { page, errors } = rep;
    const trades = await count("SELECT COUNT(*) AS n FROM trades WHERE customer_id = ? AND kind = 'buy'", [linked.customerId]);
    await page.goto(`/customers/${linked.customerId}?tab=opportunities`);
    const row = page.getByTestId('opportunities').getByTestId('opportunity-row').first();
    await row.click();
    await page.getByTestId('opportunity-stages').getByText('成交（记一笔申购）').click();
    await page.locator('.van-dialog').getByRole('button', { name: '成交' }).click();

    await row.getByTestId('opportunity-stage').getByText('成交').waitFor();
    await nextPaint(page);
    await screenshot(page, 'pipeline-customer-opportunities');
    expect(await count("SELECT COUNT(*) AS n FROM trades WHERE customer_id = ? AND kind = 'buy'", [linked.customerId])).toBe(trades + 1);
    expect(errors).toEqual([]);
  }, 60_000);

  it('releases a customer to 公海, and another rep claims it from the pool page', async () => {
    const { page, errors } = rep;
    await page.goto(`/customers/${spare.id}`);
    await page.getByTestId('release-customer').click();
    await page.getByTestId('release-reason').locator('textarea').fill('客户近期无投资计划');
    await page.locator('.van-dialog').getByRole('button', { name: '释放' }).click();
    await page.getByTestId('pool-status').waitFor();
    await screenshot(page, 'pipeline-released', { screen: true });

    const other = await openPhonePage(suite.browser, suite.server.baseUrl);
    await loginThroughSimulator(other, '/pool', 'rep-east-2');
    const entry = other.page.getByTestId('pool-customer').filter({ hasText: spare.name });
    await entry.waitFor();
    await nextPaint(other.page);
    await screenshot(other.page, 'pipeline-pool-page');
    await entry.getByTestId('pool-claim').click();
    await other.page.locator('.van-toast').getByText('已领取').waitFor();
    await screenshot(other.page, 'pipeline-pool-claimed', { screen: true });

    expect(
      await count("SELECT COUNT(*) AS n FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE c.id = ? AND u.wecom_userid = 'rep-east-2'", [spare.id]),
    ).toBe(1);
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
    await other.context.close();
  }, 60_000);

  it('shows the funnel, the forecast and the pool on 看板, at 375 and 1280 wide', async () => {
    for (const [name, viewport] of [
      ['phone', undefined],
      ['desktop', { width: 1280, height: 800 }],
    ] as const) {
      const manager = await openPhonePage(suite.browser, suite.server.baseUrl, viewport ? { viewport, desktop: true } : {});
      await loginThroughSimulator(manager, '/dashboard', 'mgr-east');
      const { page } = manager;
      const board = page.getByTestId('dashboard-pipeline');
      await board.getByTestId('pipeline-weighted').waitFor();
      await page.getByTestId('dashboard-pool').getByTestId('pool-size').waitFor();
      await board.scrollIntoViewIfNeeded();
      await nextPaint(page);
      await screenshot(page, `pipeline-dashboard-${name}`, { screen: true });
      await page.getByTestId('dashboard-pool').scrollIntoViewIfNeeded();
      await nextPaint(page);
      await screenshot(page, `pipeline-dashboard-pool-${name}`, { screen: true });
      expect(await board.getByTestId('pipeline-stage').count()).toBeGreaterThanOrEqual(4);
      expect(manager.errors).toEqual([]);
      await manager.context.close();
    }
  }, 90_000);
});
