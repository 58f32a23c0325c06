/**
 * 客户继承 in Chromium at 375×812: a manager picks customers in the list and hands them over with a
 * message, follows WeCom's answer, decides on a refusal, and assigns a departed rep's book; the
 * new owner's chat sidebar says where the handover stands.
 */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
import { deliverCallbacks } from '../helpers/server';

describe('customer transfers in Chromium at 375x812', () => {
  let manager: PhonePage;
  /** Two linked customers of rep-east-1, with the WeCom contact rep-east-1 follows for each. */
  let picked: { id: number; name: string; externalUserid: string }[];

  const runJobs = async () => {
    await suite.server.db.sequelize.query("UPDATE jobs SET run_at = ? WHERE status = 'queued'", { replacements: [new Date(Date.now() - 1000)] });
    await suite.server.services.jobs.drain();
  };

  const suite = useH5Suite({
    server: { simulator: { transfers: { objectionMs: 3_600_000 } } },
    seedCrm: 'linked',
    async setUp({ server, browser }) {
      picked = await server.db.sequelize.query<{ id: number; name: string; externalUserid: string }>(
        `SELECT c.id, c.name, MIN(l.external_userid) AS "externalUserid" FROM customers c
         JOIN users u ON u.id = c.owner_user_id
         JOIN customer_wecom_links l ON l.customer_id = c.id
         JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid AND r.deleted_at IS NULL
        WHERE u.wecom_userid = 'rep-east-1' AND c.deleted_at IS NULL
        GROUP BY c.id, c.name, c.updated_at ORDER BY c.updated_at DESC, c.id LIMIT 2`,
        { type: QueryTypes.SELECT },
      );
      manager = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(manager, '/customers', 'mgr-east');
    },
  });

  it('hands two customers picked in the list to a colleague, with a message for the customers', async () => {
    const { page, errors } = manager;

    await page.getByTestId('bulk-transfer').click();
    for (const c of picked) await page.getByTestId('customer-list').locator('.van-cell', { hasText: c.name }).first().click();
    await page.getByTestId('pick-bar').getByText('已选 2 位').waitFor();
    await screenshot(page, 'transfer-pick', { screen: true });
    await page.getByTestId('transfer-selected').click();
    await page.getByTestId('person-search').locator('input').fill('赵敏');
    await page.getByTestId('person-option').filter({ hasText: '赵敏' }).click();
    await page.getByTestId('transfer-message').locator('textarea').fill('您好，之后由赵敏为您服务，有事随时找她。');
    await nextPaint(page);
    await screenshot(page, 'transfer-confirm', { screen: true });
    await page.getByRole('button', { name: '确认转移' }).click();
    await page.getByText('已把 2 位客户转给 赵敏').waitFor();

    const owners = await suite.server.db.sequelize.query<{ userid: string }>(
      `SELECT u.wecom_userid AS userid FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE c.id IN (${picked.map((c) => c.id).join(',')})`,
      { type: QueryTypes.SELECT },
    );
    expect(owners.map((o) => o.userid)).toEqual(['rep-east-3', 'rep-east-3']);
    expect(errors).toEqual([]);
  });

  it('shows the handovers waiting on WeCom in 客户转接', async () => {
    const { page, errors } = manager;
    await runJobs();

    await page.goto('/transfers');
    await page.getByTestId('transfer-row').first().waitFor();
    await screenshot(page, 'transfer-progress');

    const statuses = await page.getByTestId('transfer-status').allInnerTexts();
    expect(statuses.filter((s) => s === '等待接替')).toHaveLength(2);
    expect(suite.server.simulator.transfers.transfers.map((t) => t.message)).toContain('您好，之后由赵敏为您服务，有事随时找她。');
    expect(errors).toEqual([]);
  });

  it('tells the new owner in the chat sidebar that the WeCom relation is on its way', async () => {
    const owner = await openPhonePage(suite.browser, suite.server.baseUrl);
    await loginThroughSimulator(owner, `/sidebar?contact=${picked[0]!.externalUserid}`, 'rep-east-3');

    await owner.page.getByTestId('card-transfer').waitFor();
    await owner.page.getByTestId('customer-card').waitFor();
    await screenshot(owner.page, 'transfer-sidebar-new-owner');

    expect(await owner.page.getByTestId('card-transfer').innerText()).toContain('转接中（李娜 → 赵敏）');
    expect(owner.errors).toEqual([]);
    await owner.page.close();
  });

  it('shows a refusal as 待处理 and hands the customer back to the old owner when the manager decides so', async () => {
    const { page, errors } = manager;
    suite.server.simulator.transfers.refuse(picked[1]!.externalUserid);
    await deliverCallbacks(suite.server);
    await runJobs();

    await page.goto('/transfers');
    await page.getByTestId('transfer-filter').filter({ hasText: '待处理' }).click();
    await page.getByTestId('transfer-decide').first().waitFor();
    await screenshot(page, 'transfer-refused');
    await page.getByTestId('transfer-reassign').first().click();
    await page.getByTestId('person-search').locator('input').fill('李娜');
    await page.getByTestId('person-option').filter({ hasText: '李娜' }).click();
    await page.getByText('已改派给 李娜').waitFor();

    const [owner] = await suite.server.db.sequelize.query<{ userid: string }>(
      'SELECT u.wecom_userid AS userid FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE c.id = ?',
      { replacements: [picked[1]!.id], type: QueryTypes.SELECT },
    );
    expect(owner!.userid).toBe('rep-east-1');
    expect(errors).toEqual([]);
  });

  it('assigns a departed rep’s customers and groups to a successor from 离职待分配', async () => {
    const { page, errors } = manager;
    suite.server.simulator.state.deleteUser('rep-east-2');
    await deliverCallbacks(suite.server);

    await page.goto('/transfers');
    await page.getByRole('tab', { name: '离职待分配' }).click();
    await page.getByTestId('unassigned-book').filter({ hasText: '王强（已离职）' }).waitFor();
    await screenshot(page, 'transfer-unassigned');
    await page.getByTestId('unassigned-book').filter({ hasText: '王强（已离职）' }).getByTestId('assign-book').click();
    await page.getByTestId('person-search').locator('input').fill('李娜');
    await page.getByTestId('person-option').filter({ hasText: '李娜' }).click();
    await page.getByRole('button', { name: '确认转移' }).click();
    await page.getByText(/已转给 李娜/).waitFor();
    await nextPaint(page);
    await screenshot(page, 'transfer-unassigned-assigned');

    const [left] = await suite.server.db.sequelize.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE u.wecom_userid = 'rep-east-2' AND c.deleted_at IS NULL",
      { type: QueryTypes.SELECT },
    );
    expect(Number(left!.n)).toBe(0);
    expect(errors).toEqual([]);
  });
});
