/**
 * 合并重复客户 in Chromium at 375×812 and 1280×800 over the demo data: an admin opens it from the
 * customer page, picks the duplicate by search, sees both side by side with what remains, may swap
 * which is kept, confirms and lands on the kept customer; a rep has no way in.
 */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe.each([
  ['375x812', {}, 'phone'],
  ['1280x800', { viewport: { width: 1280, height: 800 }, desktop: true }, 'desktop'],
] as const)('the customer merge screen at %s', (_, options, tag) => {
  const suite = useH5Suite({ seedCrm: true });
  let phone: PhonePage;
  const query = <T extends object>(sql: string, replacements: unknown[] = []) =>
    suite.server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  afterEach(() => phone?.context.close());

  /** Two live customers (not in 公海, which the customer search leaves out) of distinct names: the kept one without an email, the duplicate with one. */
  async function pair(): Promise<{ kept: { id: number; name: string }; duplicate: { id: number; name: string } }> {
    const rows = await query<{ id: number; name: string }>(
      `SELECT MIN(c.id) AS id, c.name FROM customers c
        WHERE c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM customer_pool_entries e WHERE e.live_customer_id = c.id)
        GROUP BY c.name HAVING COUNT(*) = 1 ORDER BY MIN(c.id) LIMIT 2`,
    );
    const [kept, duplicate] = rows.map((r) => ({ id: Number(r.id), name: r.name }));
    await suite.server.db.sequelize.query('UPDATE customers SET email = NULL WHERE id = ?', { replacements: [kept!.id] });
    await suite.server.db.sequelize.query("UPDATE customers SET email = 'dup@example.com' WHERE id = ?", { replacements: [duplicate!.id] });
    return { kept: kept!, duplicate: duplicate! };
  }
  const followUps = async (id: number) => Number((await query<{ n: number }>('SELECT COUNT(*) AS n FROM follow_ups WHERE customer_id = ?', [id]))[0]!.n);

  it('merges a duplicate picked by search into the customer kept, and opens it', async () => {
    const { kept, duplicate } = await pair();
    const total = (await followUps(kept.id)) + (await followUps(duplicate.id));
    phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
    await loginThroughSimulator(phone, `/customers/${kept.id}`, 'admin');
    const page = phone.page;

    await page.getByTestId('merge-customer').click();
    await page.waitForURL((url) => url.pathname === `/customers/${kept.id}/merge`);
    await page.getByTestId('merge-pick').click();
    await page.getByTestId('customer-picker').locator('input').fill(duplicate.name);
    await page
      .getByTestId('picker-option')
      .filter({ has: page.locator('.name', { hasText: new RegExp(`^${duplicate.name}$`) }) })
      .click();

    const compare = page.getByTestId('merge-compare');
    await compare.waitFor();
    expect(await page.getByTestId('merge-kept').innerText()).toContain(kept.name);
    expect(await page.getByTestId('merge-merged').innerText()).toContain(duplicate.name);
    // The kept one has no email: the duplicate's fills it, and the screen says so.
    const email = page.getByTestId('merge-field-email');
    expect(await email.locator('td.keep').innerText()).toContain('dup@example.com');
    expect(await email.locator('td.keep').innerText()).toContain('补入保留的客户');
    expect(await page.getByTestId('merge-field-name').locator('td.keep').innerText()).toBe(kept.name);
    await nextPaint(page);
    await screenshot(page, `customer-merge-${tag}`);

    // Swapped, the duplicate is the one kept; swapped back for the merge.
    await page.getByTestId('merge-swap').click();
    expect(await page.getByTestId('merge-kept').innerText()).toContain(duplicate.name);
    await page.getByTestId('merge-swap').click();
    expect(await page.getByTestId('merge-kept').innerText()).toContain(kept.name);

    await page.getByTestId('merge-confirm').click();
    await page.locator('.van-dialog').getByText('合并', { exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/customers/${kept.id}`);
    await page.getByTestId('customer-head').waitFor();

    const [gone] = await query<{ merged_into_id: number; deleted: number }>(
      'SELECT merged_into_id, CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END AS deleted FROM customers WHERE id = ?',
      [duplicate.id],
    );
    expect({ into: Number(gone!.merged_into_id), deleted: Number(gone!.deleted) }).toEqual({ into: kept.id, deleted: 1 });
    expect(await followUps(kept.id)).toBe(total);
    const [after] = await query<{ email: string }>('SELECT email FROM customers WHERE id = ?', [kept.id]);
    expect(after!.email).toBe('dup@example.com');
    expect(phone.errors).toEqual([]);
  });

  it('offers a rep no merge, and the screen’s address sends them away', async () => {
    const [own] = await query<{ id: number }>(
      "SELECT c.id FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE u.wecom_userid = 'rep-east-1' AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1",
    );
    phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
    await loginThroughSimulator(phone, `/customers/${own!.id}`, 'rep-east-1');
    const page = phone.page;
    await page.getByTestId('customer-head').waitFor();
    expect(await page.getByTestId('merge-customer').count()).toBe(0);

    await page.goto(`/customers/${own!.id}/merge`);
    await page.waitForURL((url) => !url.pathname.endsWith('/merge'));
    expect(await page.getByTestId('customer-merge').count()).toBe(0);
  });
});
