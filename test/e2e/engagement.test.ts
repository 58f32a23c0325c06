/**
 * Customer operations (欢迎语, 渠道活码, 标签, 话术库) in Chromium at 375×812 against the simulator's
 * demo corp: an admin sets them up in 管理, a rep tags the customer and sends a 话术 from the chat
 * sidebar (the dev shim records what it would send), a made-up customer scans the new code, and
 * the dashboard's channel row opens the customers it brought.
 */
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, screenshotPage, settled, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
import { deliverCallbacks } from '../helpers/server';

/** What the dev shim puts on `window` for every message it "sends" into the chat. */
type SentMessages = { msgtype: string; text?: { content: string }; image?: { mediaid: string } }[];
/**
 * Waits until the page expression is true. Polled from here with `evaluate` (the page's CSP
 * forbids the string eval `waitForFunction` would use; root tsconfig has no DOM types).
 */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${expression}`);
    await nextPaint(page);
  }
}
/** How many CSS pixels the page is wider than the window (0 when nothing sticks out). */
const OVERFLOW = 'document.documentElement.scrollWidth - window.innerWidth';

const CODE_NAME = 'E2E春季沙龙';
const GROUP_NAME = 'E2E投资偏好';
const REPLY_TITLE = 'E2E开场问候';

describe('customer operations in Chromium at 375x812', () => {
  let admin: PhonePage;
  let rep: PhonePage;
  /** A contact of rep-east-1 linked to one of their customers, and how the rep addresses them. */
  let linked: { externalUserid: string; customerId: number; customer: string; addressAs: string };

  const visible = (page: Page, testid: string) => page.getByTestId(testid).filter({ visible: true });
  /** Queued jobs (the code's tags for a scanned contact) run now. */
  const runJobs = async () => {
    await suite.server.db.sequelize.query("UPDATE jobs SET run_at = ? WHERE status = 'queued'", { replacements: [new Date(Date.now() - 1000)] });
    await suite.server.services.jobs.drain();
  };
  /** Lets the page paint before a screenshot (the browser helper turns animations off, so nothing is mid-slide). */
  const settle = (page: Page) => nextPaint(page);

  const suite = useH5Suite({
    seedCrm: 'linked',
    timeoutMs: 180_000,
    async setUp({ server, browser }) {
      const [row] = await server.db.sequelize.query<{ external_userid: string; id: number; name: string; remark: string | null; contact: string }>(
        `SELECT l.external_userid, c.id, c.name, r.remark, e.name AS contact FROM customer_wecom_links l
         JOIN customers c ON c.id = l.customer_id
         JOIN users u ON u.id = c.owner_user_id
         JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid AND r.deleted_at IS NULL
         JOIN wecom_external_contacts e ON e.external_userid = l.external_userid
        WHERE u.wecom_userid = 'rep-east-1' AND l.matched_by = 'mobile'
        ORDER BY l.external_userid LIMIT 1`,
        { type: QueryTypes.SELECT },
      );
      linked = { externalUserid: row!.external_userid, customerId: Number(row!.id), customer: row!.name, addressAs: row!.name }; // the CRM name (no gender recorded), never the remark (shared/greeting.ts, issue 34)
      admin = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(admin, '/admin', 'admin');
      rep = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(rep, `/sidebar?contact=${linked.externalUserid}`, 'rep-east-1');
    },
  });

  it('admin creates a 渠道活码 from the admin hub and sees its QR code', async () => {
    const { page, errors } = admin;

    await page.getByTestId('admin-engagement').waitFor();
    await screenshot(page, 'engagement-admin-hub');
    await page.getByTestId('admin-engagement').getByText('渠道活码').click();
    await page.getByTestId('new-contact-way').click();
    await page.getByTestId('contact-way-name-input').locator('input').fill(CODE_NAME);
    await page.getByTestId('add-member').click();
    await visible(page, 'person-search').locator('input').fill('李娜');
    await visible(page, 'person-option').filter({ hasText: '李娜' }).click();
    await page.getByTestId('member-chip').filter({ hasText: '李娜' }).waitFor();
    await page.getByTestId('contact-way-source').locator('.van-tag', { hasText: '活动' }).click();
    await page.getByTestId('contact-way-tags').click();
    await visible(page, 'tag-option').filter({ hasText: '线下活动' }).click();
    await visible(page, 'tag-sheet-save').click();
    await page.getByTestId('contact-way-tags').getByText('线下活动').waitFor();
    await page.getByTestId('contact-way-welcome').locator('textarea').fill('{客户称呼}您好，欢迎参加春季沙龙！我是{销售姓名}。');
    await screenshotPage(page, 'engagement-contact-way-form');
    await page.getByTestId('save-contact-way').click();

    await page.waitForURL((url) => url.pathname === '/admin/contact-ways');
    const card = page.getByTestId('contact-way').filter({ hasText: CODE_NAME });
    await card.waitFor();
    const qr = card.getByTestId('contact-way-qr').locator('img');
    await qr.waitFor();
    await until(page, "[...document.querySelectorAll('[data-testid=contact-way-qr] img')].every((img) => img.complete && img.naturalWidth > 0)");
    await screenshotPage(page, 'engagement-contact-ways');

    expect(await card.innerText()).toContain('李娜');
    expect(await card.innerText()).toContain('线下活动');
    expect(await card.innerText()).toContain('谁被添加谁负责');
    expect(await qr.getAttribute('src')).toMatch(/\/__wecom\/admin\/contact-ways\/[0-9a-f]+\/qr\.svg$/);
    expect([...suite.server.simulator.api.contactWays.ways.values()].map((w) => w.remark)).toContain(CODE_NAME);
    expect(errors).toEqual([]);
  });

  it('admin writes the corp welcome message with an image and sees the live preview', async () => {
    const { page, errors } = admin;
    // Any PNG will do: a piece of the page itself.
    const png = await page.screenshot({ clip: { x: 0, y: 0, width: 200, height: 120 } });

    await page.goto('/admin/welcome');
    await page.getByTestId('welcome-corp-empty').click();
    const text = page.getByTestId('welcome-text').locator('textarea');
    await text.fill('您好，我是');
    await page.getByTestId('welcome-placeholder').filter({ hasText: '{销售姓名}' }).click();
    await text.press('End');
    await text.pressSequentially('，很高兴为您服务。');
    await text.press('Home');
    await page.getByTestId('welcome-placeholder').filter({ hasText: '{客户称呼}' }).click();
    await page.getByTestId('welcome-attachment-kind').filter({ hasText: '图片' }).click();
    await page.getByTestId('welcome-image').locator('input[type=file]').setInputFiles({ name: 'welcome.png', mimeType: 'image/png', buffer: png });
    await page.getByTestId('welcome-image').getByTestId('image-preview').waitFor();
    await page.getByTestId('welcome-preview').locator('img').waitFor();
    await settle(page);
    await screenshot(page, 'engagement-welcome-edit');

    expect(await page.getByTestId('welcome-preview-text').innerText()).toBe('张先生您好，我是管理员，很高兴为您服务。');
    await page.getByTestId('welcome-save').click();
    await page.waitForURL((url) => url.pathname === '/admin/welcome');
    const corp = page.locator('[data-testid=welcome-template][data-scope=corp]');
    await corp.waitFor();
    await screenshotPage(page, 'engagement-welcome-list');

    expect(await corp.getByTestId('welcome-template-text').innerText()).toBe('{客户称呼}您好，我是{销售姓名}，很高兴为您服务。');
    expect(await corp.innerText()).toContain('图片');
    const wayWelcome = page.locator('[data-testid=welcome-template][data-scope=contact_way]');
    expect(await wayWelcome.innerText()).toContain(CODE_NAME);
    // The switch turns a template off (and on again) without opening it.
    await Promise.all([page.locator('.van-toast', { hasText: '已停用' }).waitFor(), wayWelcome.getByTestId('welcome-enabled').click()]);
    await wayWelcome.locator('[data-testid=welcome-enabled][aria-checked=false]').waitFor();
    await Promise.all([page.locator('.van-toast', { hasText: '已启用' }).waitFor(), wayWelcome.getByTestId('welcome-enabled').click()]);
    expect(new URL(page.url()).pathname).toBe('/admin/welcome');
    await wayWelcome.locator('[data-testid=welcome-enabled][aria-checked=true]').waitFor();
    expect(errors).toEqual([]);
  });

  it('admin adds a tag group, renames a tag, and finds the console’s tags read-only', async () => {
    const { page, errors } = admin;

    await page.goto('/admin/corp-tags');
    await page.getByTestId('corp-tag-group').first().waitFor();
    await page.getByTestId('new-tag-group').click();
    await page.getByTestId('tag-group-name').locator('input').fill(GROUP_NAME);
    await page.getByTestId('tag-names').locator('textarea').fill('稳健型\n进取型');
    await page.getByTestId('save-corp-tag').click();
    const group = page.getByTestId('corp-tag-group').filter({ hasText: GROUP_NAME });
    await group.getByTestId('corp-tag').filter({ hasText: '进取型' }).click();
    await page.locator('.van-action-sheet__item', { hasText: '改名' }).click();
    await page.getByTestId('tag-rename').locator('input').fill('积极进取型');
    await page.getByTestId('save-corp-tag').click();
    await group.getByTestId('corp-tag').filter({ hasText: '积极进取型' }).waitFor();
    const consoleGroup = page.getByTestId('corp-tag-group').filter({ hasText: '客户等级' });
    await Promise.all([
      page.locator('.van-toast', { hasText: '在企业微信管理后台创建，请在后台修改' }).waitFor(),
      consoleGroup.getByTestId('corp-tag').filter({ hasText: '高净值' }).click(),
    ]);
    await screenshot(page, 'engagement-corp-tags', { screen: true });

    expect((await group.getByTestId('corp-tag').allInnerTexts()).sort()).toEqual(['积极进取型', '稳健型'].sort());
    expect(await consoleGroup.innerText()).toContain('在企业微信管理后台创建，请在后台修改');
    expect(await group.getByTestId('rename-group').count()).toBe(1);
    expect(await consoleGroup.getByTestId('rename-group').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('admin adds a 话术 to the 话术库', async () => {
    const { page, errors } = admin;

    await page.goto('/admin/quick-replies');
    await page.getByTestId('new-quick-reply').click();
    await page.getByTestId('quick-reply-category-input').locator('input').fill('开场问候');
    await page.getByTestId('quick-reply-title').locator('input').fill(REPLY_TITLE);
    await page.getByTestId('quick-reply-content').locator('textarea').fill('{客户称呼}您好，我是您的专属理财顾问，有问题随时找我。');
    await settle(page);
    await screenshot(page, 'engagement-quick-reply-sheet', { screen: true });
    await page.getByTestId('save-quick-reply').click();
    const row = page.getByTestId('quick-reply-row').filter({ hasText: REPLY_TITLE });
    await row.waitFor();
    await screenshotPage(page, 'engagement-quick-replies');

    expect(await page.getByTestId('quick-reply-category').filter({ has: row }).innerText()).toContain('开场问候');
    expect(await row.innerText()).toContain('已用 0 次');
    expect(errors).toEqual([]);
  });

  it('admin adds an image 话术 with an uploaded picture', async () => {
    const { page, errors } = admin;
    const png = await page.screenshot({ clip: { x: 0, y: 0, width: 240, height: 160 } });

    await page.getByTestId('new-quick-reply').click();
    await page.getByTestId('quick-reply-category-input').locator('input').fill('产品资料');
    await page.getByTestId('quick-reply-title').locator('input').fill('稳健理财海报');
    await page.getByTestId('quick-reply-kind').filter({ hasText: '图片' }).click();
    await page.getByTestId('quick-reply-image').locator('input[type=file]').setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: png });
    await page.getByTestId('quick-reply-image').getByTestId('image-preview').locator('img').waitFor();
    await settle(page);
    await screenshot(page, 'engagement-quick-reply-image-sheet', { screen: true });
    await page.getByTestId('save-quick-reply').click();
    const row = page.getByTestId('quick-reply-row').filter({ hasText: '稳健理财海报' });
    await row.locator('img').waitFor();
    await screenshotPage(page, 'engagement-quick-replies-two-categories');

    expect(await page.getByTestId('quick-reply-category').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('a rep tags the contact from the sidebar and the card shows the tag', async () => {
    const { page, errors } = rep;

    await page.reload();
    await page.getByTestId('sidebar-actions').waitFor();
    await screenshot(page, 'engagement-sidebar-actions', { screen: true });
    expect(await page.getByTestId('action-detail').getAttribute('href')).toBe(`/customers/${linked.customerId}`);
    await page.getByTestId('action-tags').click();
    await visible(page, 'tag-option').filter({ hasText: '稳健型' }).click();
    await settle(page);
    await screenshot(page, 'engagement-sidebar-tag-sheet', { screen: true });
    await visible(page, 'tag-sheet-save').click();
    await page.getByTestId('contact-tags').getByText('稳健型').waitFor();
    await screenshotPage(page, 'engagement-sidebar-after-tags', { screen: true });

    const [relation] = await suite.server.db.sequelize.query<{ tag_ids: string }>(
      "SELECT tag_ids FROM wecom_follow_relations WHERE external_userid = ? AND userid = 'rep-east-1'",
      { replacements: [linked.externalUserid], type: QueryTypes.SELECT },
    );
    const [tag] = await suite.server.db.sequelize.query<{ id: string }>("SELECT id FROM wecom_corp_tags WHERE name = '稳健型' AND deleted_at IS NULL", {
      type: QueryTypes.SELECT,
    });
    expect(JSON.parse(relation!.tag_ids)).toContain(tag!.id);
    expect(errors).toEqual([]);
  });

  it('a rep sends a 话术 from the sidebar: the shim gets the text with the customer’s name filled in', async () => {
    const { page, errors } = rep;

    await page.getByTestId('action-quick-replies').click();
    await visible(page, 'quick-reply-search').locator('input').fill('E2E');
    const reply = visible(page, 'quick-reply').filter({ hasText: REPLY_TITLE });
    await reply.waitFor();
    // The search is debounced: the sheet first lists every reply.
    await visible(page, 'quick-reply').filter({ hasText: '稳健理财海报' }).waitFor({ state: 'detached' });
    await expect(visible(page, 'quick-reply').count()).resolves.toBe(1);
    await settle(page);
    await screenshot(page, 'engagement-sidebar-quick-replies', { screen: true });
    await Promise.all([page.locator('.van-toast', { hasText: '模拟发送到当前聊天' }).waitFor(), reply.getByTestId('quick-reply-send').click()]);
    await screenshot(page, 'engagement-sidebar-sent', { screen: true });

    const sent = await page.evaluate<SentMessages>('window.__sentChatMessages ?? []');
    expect(sent).toEqual([{ msgtype: 'text', text: { content: `${linked.addressAs}您好，我是您的专属理财顾问，有问题随时找我。` } }]);
    const [counted] = await suite.server.db.sequelize.query<{ use_count: number }>('SELECT use_count FROM quick_replies WHERE title = ?', {
      replacements: [REPLY_TITLE],
      type: QueryTypes.SELECT,
    });
    expect(Number(counted!.use_count)).toBe(1);
    expect(errors).toEqual([]);
  });

  it('a rep sends an image 话术: the shim gets a WeCom media_id', async () => {
    const { page, errors } = rep;
    // The last test's 「模拟发送到当前聊天」 toast goes first: this one waits for its own.
    await page.locator('.van-toast').waitFor({ state: 'hidden' });

    await page.getByTestId('action-quick-replies').click();
    await visible(page, 'quick-reply-category').filter({ hasText: '产品资料' }).click();
    const reply = visible(page, 'quick-reply').filter({ hasText: '稳健理财海报' });
    await reply.locator('img').waitFor();
    await settle(page);
    await screenshot(page, 'engagement-sidebar-quick-replies-image', { screen: true });
    await reply.getByTestId('quick-reply-send').click();
    await until(page, '(window.__sentChatMessages ?? []).length === 2');

    const sent = (await page.evaluate<SentMessages>('window.__sentChatMessages'))[1];
    expect(sent!.msgtype).toBe('image');
    expect(sent!.image!.mediaid).toMatch(/\S{6,}/);
    expect(errors).toEqual([]);
  });

  it('a customer scans the new code (simulator dev tool): the dashboard’s channel row opens the customers it brought', async () => {
    const { page, errors } = admin;

    await page.goto('/admin/contact-ways');
    await Promise.all([
      page.locator('.van-toast', { hasText: '扫码添加了 李娜' }).waitFor(),
      page.getByTestId('contact-way').filter({ hasText: CODE_NAME }).getByTestId('simulate-scan').click(),
    ]);
    await deliverCallbacks(suite.server);
    await runJobs();
    const [lead] = await suite.server.db.sequelize.query<{ state: string; n: number }>(
      'SELECT w.state, COUNT(c.id) AS n FROM contact_ways w LEFT JOIN customers c ON c.acquisition_channel = w.state WHERE w.name = ? GROUP BY w.state',
      { replacements: [CODE_NAME], type: QueryTypes.SELECT },
    );
    expect(Number(lead!.n)).toBe(1);

    await page.goto('/dashboard');
    const row = page.locator(`[data-testid=channel-row][data-state="${lead!.state}"]`);
    await row.waitFor();
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, 'engagement-dashboard-channels', { screen: true });
    expect(await row.innerText()).toContain(CODE_NAME);
    expect(await row.getByTestId('channel-added').innerText()).toBe('1');
    await row.click();

    await page.waitForURL((url) => url.pathname === '/customers' && url.searchParams.get('channel') === lead!.state);
    await page.getByTestId('customer-count').getByText('共 1 位客户').waitFor();
    await screenshotPage(page, 'engagement-customers-by-channel');
    expect(await page.getByTestId('customer-channel-filter').innerText()).toContain(CODE_NAME);
    expect(await page.getByTestId('customer-list').innerText()).toContain('扫码客户1');

    await page.goto('/admin/welcome');
    const sendRow = page.getByTestId('welcome-send').filter({ hasText: '扫码客户1' });
    await sendRow.waitFor();
    await screenshotPage(page, 'engagement-welcome-sends');
    expect(await sendRow.getByTestId('welcome-send-status').innerText()).toMatch(/已发送|发送中|未发送|发送失败/);
    expect(errors).toEqual([]);
  });

  it('the rep’s sidebar names the channel a scanned contact came through', async () => {
    const { page, errors } = rep;
    const [scanned] = await suite.server.db.sequelize.query<{ external_userid: string }>(
      "SELECT external_userid FROM wecom_external_contacts WHERE name = '扫码客户1'",
      {
        type: QueryTypes.SELECT,
      },
    );

    await page.goto(`/sidebar?contact=${scanned!.external_userid}`);
    await page.getByTestId('contact-channel').waitFor();
    await screenshot(page, 'engagement-sidebar-channel', { screen: true });

    expect(await page.getByTestId('contact-channel').innerText()).toContain(CODE_NAME);
    expect(await page.getByTestId('contact-tags').innerText()).toContain('线下活动');
    expect(errors).toEqual([]);
  });

  it('the customer page shows the tags and edits them; the customer list filters by tag', async () => {
    const { page, errors } = rep;

    await page.goto(`/customers/${linked.customerId}`);
    const cell = page.getByTestId('customer-tags');
    await cell.getByText('稳健型').waitFor();
    await cell.click();
    await visible(page, 'tag-option').filter({ hasText: '积极进取型' }).click();
    await visible(page, 'tag-sheet-save').click();
    await cell.getByText('积极进取型').waitFor();
    await screenshotPage(page, 'engagement-customer-tags');
    expect(await cell.getByTestId('customer-tag').allInnerTexts()).toEqual(expect.arrayContaining(['稳健型', '积极进取型']));

    await page.goto('/customers');
    await page.getByTestId('customer-count').waitFor();
    await page.getByTestId('customer-filters').locator('.van-dropdown-menu__item').nth(3).click();
    await page.locator('.van-dropdown-item__option', { hasText: '积极进取型' }).click();
    await page.waitForURL((url) => url.searchParams.has('tagId'));
    await page.getByTestId('customer-count').getByText('共 1 位客户').waitFor();
    await screenshotPage(page, 'engagement-customers-by-tag');
    expect(await page.evaluate<number>(OVERFLOW)).toBeLessThanOrEqual(0);
    expect(await page.getByTestId('customer-list').innerText()).toContain(linked.customer);
    expect(errors).toEqual([]);
  });

  it('lays out every engagement page within a 320 px phone', async () => {
    const [way] = await suite.server.db.sequelize.query<{ id: number }>('SELECT id FROM contact_ways WHERE name = ?', {
      replacements: [CODE_NAME],
      type: QueryTypes.SELECT,
    });
    const pages: [path: string, ready: string, who: 'admin' | 'rep-east-1'][] = [
      ['/admin/welcome', 'welcome-templates', 'admin'],
      ['/admin/welcome/edit', 'welcome-scope', 'admin'],
      ['/admin/contact-ways', 'contact-way', 'admin'],
      [`/admin/contact-ways/${way!.id}/edit`, 'contact-way-members', 'admin'],
      ['/admin/corp-tags', 'corp-tag-group', 'admin'],
      ['/admin/quick-replies', 'quick-reply-row', 'admin'],
      ['/dashboard', 'dashboard-channels', 'admin'],
      ['/customers', 'customer-count', 'admin'],
      [`/sidebar?contact=${linked.externalUserid}`, 'sidebar-actions', 'rep-east-1'],
    ];
    for (const who of ['admin', 'rep-east-1'] as const) {
      const phone = await openPhonePage(suite.browser, suite.server.baseUrl, { viewport: { width: 320, height: 640 } });
      await loginThroughSimulator(phone, '/workbench', who);
      for (const [path, ready] of pages.filter((p) => p[2] === who)) {
        await phone.page.goto(path);
        await phone.page.getByTestId(ready).first().waitFor();
        await settled(phone.page);
        await screenshot(phone.page, `engagement-w320-${path.split('?')[0]!.slice(1).replace(/\//g, '-')}`);
        expect([path, await phone.page.evaluate<number>(OVERFLOW)]).toEqual([path, 0]);
      }
      expect(phone.errors).toEqual([]);
      await phone.context.close();
    }
  }, 60_000);
});
