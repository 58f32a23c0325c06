/**
 * The desktop layout (issue 36 item 1) in Chromium over the demo data: from 1024 px the side
 * navigation and each list page's table (DeskTable), below it the phone's tab bar and lists as
 * before; the customers table's bulk actions on 3 picked rows; no raw code in the visible text.
 * Screenshots of each page at 1280×800 and 375×812 (test/artifacts, or DESK_SHOTS).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { ARTIFACTS_DIR, loginThroughSimulator, nextPaint, openPhonePage, settled, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

const SHOTS = process.env.DESK_SHOTS ?? ARTIFACTS_DIR;
const WIDE = { viewport: { width: 1280, height: 800 }, desktop: true } as const;

async function shot(page: Page, name: string, scrollTo?: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  if (scrollTo) await page.getByTestId(scrollTo).first().scrollIntoViewIfNeeded();
  await nextPaint(page);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Permission-like codes (`customer.write`) and `kind:id` subjects (`contact_way:2`) a person should never read. */
function rawCodes(text: string): string[] {
  return [...(text.match(/[a-z_]+\.[a-z_]+/g) ?? []), ...(text.match(/[a-z_]+:\d+/g) ?? [])];
}

/** Each list page: its path, who opens it, the wide table's testid, the phone list's testid. */
const PAGES: [name: string, path: string, userid: string, table: string, phoneList: string][] = [
  ['customers', '/customers', 'mgr-east', 'customer-table', 'customer-list'],
  ['sales', '/sales?period=year', 'mgr-east', 'sales-table', 'sales-list'],
  ['partners', '/partners', 'mgr-east', 'partner-table', 'partner-list'],
  ['products', '/products', 'mgr-east', 'product-table', 'product-list'],
  ['transfers', '/transfers?filter=all', 'mgr-east', 'transfer-table', 'transfer-tabs'],
  ['approvals', '/approvals?tab=mine', 'rep-east-1', 'approvals-mine-table', 'approvals-mine'],
  ['audit', '/admin/audit', 'admin', 'audit-table', 'audit-log'],
  ['events', '/admin', 'admin', 'event-table', 'event-log'],
  ['imports', '/admin/import', 'admin', 'import-table', 'import-upload'],
  ['follow-ups', '/customers/FIRST?tab=follow-ups', 'rep-east-1', 'follow-up-table', 'follow-up-list'],
];

describe('the desktop layout: side navigation and tables from 1024 px, the phone layout below', () => {
  const suite = useH5Suite({ seedCrm: true, timeoutMs: 180_000 });
  let firstCustomer = 0;
  beforeAll(async () => {
    const [row] = await suite.server.db.sequelize.query<{ id: number }>(
      `SELECT c.id FROM customers c JOIN users u ON u.id = c.owner_user_id
        WHERE u.wecom_userid = 'rep-east-1' AND c.deleted_at IS NULL AND c.last_follow_up_at IS NOT NULL ORDER BY c.id LIMIT 1`,
      { type: QueryTypes.SELECT },
    );
    firstCustomer = row!.id;
  });

  async function open(options: Parameters<typeof openPhonePage>[2], path: string, userid: string): Promise<PhonePage> {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
    await loginThroughSimulator(phone, path.replace('FIRST', String(firstCustomer)), userid);
    return phone;
  }

  it.each(PAGES)('shows %s as a table at 1280x800, with the side navigation', async (name, path, userid, table) => {
    const phone = await open(WIDE, path, userid);
    const { page } = phone;
    await page.getByTestId(table).locator('tbody tr').first().waitFor();
    await settled(page);
    await shot(page, `desk-w1280-${name}`, table);

    expect(await page.getByTestId('side-nav').isVisible()).toBe(true);
    expect(await page.getByTestId('tabbar').count()).toBe(0);
    // The page uses the width: its content starts right of the navigation and reaches the right edge.
    const box = await page.getByTestId(table).boundingBox();
    expect(box!.width).toBeGreaterThan(700);
    expect(rawCodes(await page.locator('body').innerText())).toEqual([]);
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it.each(PAGES)('keeps %s as the phone list at 375x812', async (name, path, userid, table, phoneList) => {
    const phone = await open({}, path, userid);
    const { page } = phone;
    await page.getByTestId(phoneList).first().waitFor();
    await settled(page);
    await shot(page, `desk-w375-${name}`, name === 'events' ? phoneList : undefined);

    expect(await page.getByTestId(table).count()).toBe(0);
    expect(await page.getByTestId('side-nav').count()).toBe(0);
    expect(rawCodes(await page.locator('body').innerText())).toEqual([]);
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  describe('the customers table at 1280x800', () => {
    let phone: PhonePage;
    beforeAll(async () => {
      phone = await open(WIDE, '/customers', 'mgr-east');
    });
    afterAll(() => phone.context.close());
    const names = () => phone.page.getByTestId('customer-row').locator('td:nth-child(2)').allInnerTexts();

    it('opens a row beside the table (master–detail) and closes it again', async () => {
      const { page } = phone;
      const row = page.getByTestId('customer-row').first();
      const name = (await row.locator('td:nth-child(2)').innerText()).trim();
      await row.locator('td:nth-child(2)').click();
      await page.getByTestId('customer-detail-pane').getByText(name).first().waitFor();
      await settled(page);
      await shot(page, 'desk-w1280-customers-detail');
      expect(await page.getByTestId('customer-table').isVisible()).toBe(true);
      expect(new URL(page.url()).pathname).toBe('/customers');
      expect(rawCodes(await page.locator('body').innerText())).toEqual([]);
      await page.getByTestId('customer-detail-close').click();
      expect(await page.getByTestId('customer-detail-pane').count()).toBe(0);
      expect(phone.errors).toEqual([]);
    });

    it('sorts the page in view by a column, ascending then descending', async () => {
      const { page } = phone;
      await page.getByTestId('customer-head-name').click();
      const up = await names();
      expect(up).toEqual([...up].sort(new Intl.Collator('zh-Hans-CN', { numeric: true }).compare));
      await page.getByTestId('customer-head-name').click();
      expect(await names()).toEqual([...up].reverse());
      await page.getByTestId('customer-head-name').click(); // back to the server's order
    });

    it('pages through the server’s pages, 20 rows each', async () => {
      const { page } = phone;
      const first = await names();
      expect(first).toHaveLength(20);
      await page.getByTestId('customer-pages').getByText('2', { exact: true }).click();
      await page.getByTestId('customer-row').first().locator('td:nth-child(2)').filter({ hasNotText: first[0]! }).waitFor();
      const second = await names();
      expect(second.filter((n) => first.includes(n)).length).toBeLessThan(20);
      await page.getByTestId('customer-pages').getByText('1', { exact: true }).click();
    });

    it('remembers the columns the user chose, per user, across a reload', async () => {
      const { page } = phone;
      await page.getByTestId('customer-choose-columns').click();
      await page.getByTestId('customer-column-institution').click();
      await page.getByTestId('customer-column-source').click();
      await shot(page, 'desk-w1280-customers-columns');
      await page.keyboard.press('Escape');
      await page.reload();
      await page.getByTestId('customer-row').first().waitFor();
      expect(await page.getByTestId('customer-head-institution').count()).toBe(0);
      expect(await page.getByTestId('customer-head-source').isVisible()).toBe(true);
      const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('desk-table:')));
      expect(stored).toEqual([expect.stringMatching(/^desk-table:\d+:customers$/)]);
    });
  });

  it('scrolls a chip row sideways with the mouse wheel, an arrow showing it goes on', async () => {
    const phone = await open(WIDE, '/admin/audit', 'admin');
    await phone.page.setViewportSize({ width: 1024, height: 800 });
    const { page } = phone;
    const row = page.getByTestId('scroll-row').first();
    await page.getByTestId('scroll-row-right').waitFor();
    expect(await page.getByTestId('scroll-row-left').count()).toBe(0);
    await row.hover();
    await page.mouse.wheel(0, 300);
    await page.waitForFunction(() => document.querySelector('[data-testid="scroll-row"]')!.scrollLeft > 0);
    await page.getByTestId('scroll-row-left').waitFor();
    await shot(page, 'desk-w1024-audit-chips');
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });
});
