/**
 * 工作台 → 今日待办 names each customer's planned 下一步 (issue 36), at 375×812 and 1280×800 over
 * the demo data: the first due customer's plan, written on the follow-up that set its next date.
 */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe.each([
  ['375x812', {}, 'phone'],
  ['1280x800', { viewport: { width: 1280, height: 800 }, desktop: true }, 'desktop'],
] as const)('the workbench’s due list at %s', (_, options, tag) => {
  const suite = useH5Suite({ seedCrm: true });
  let phone: PhonePage;
  afterEach(() => phone?.context.close());

  it('shows the planned 下一步 under the customer due first', async () => {
    const db = suite.server.db.sequelize;
    const [first] = await db.query<{ id: number; name: string; next_follow_up_at: Date | string }>(
      `SELECT c.id, c.name, c.next_follow_up_at FROM customers c JOIN users u ON u.id = c.owner_user_id
        WHERE u.wecom_userid = 'rep-east-1' AND c.deleted_at IS NULL AND c.next_follow_up_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM customer_pool_entries e WHERE e.live_customer_id = c.id)
        ORDER BY c.next_follow_up_at, c.id LIMIT 1`,
      { type: QueryTypes.SELECT },
    );
    const [latest] = await db.query<{ id: number }>('SELECT id FROM follow_ups WHERE customer_id = ? AND deleted_at IS NULL ORDER BY id DESC LIMIT 1', {
      replacements: [first!.id],
      type: QueryTypes.SELECT,
    });
    expect(latest).toBeDefined();
    // The newest follow-up planned the customer's next date, with this action.
    await db.query('UPDATE follow_ups SET next_action = ?, next_follow_up_at = ? WHERE id = ?', {
      replacements: ['寄送产品资料', first!.next_follow_up_at, latest!.id],
    });

    phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
    await loginThroughSimulator(phone, '/workbench', 'rep-east-1');
    const row = phone.page.getByTestId('due-row').filter({ hasText: first!.name }).first();
    await row.waitFor();

    expect(await row.innerText()).toContain('下一步：寄送产品资料');
    await nextPaint(phone.page);
    await screenshot(phone.page, `workbench-next-step-${tag}`, { screen: true });
    expect(phone.errors).toEqual([]);
  });
});
