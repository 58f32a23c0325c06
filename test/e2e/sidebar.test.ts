/**
 * The chat sidebar in Chromium at 375×812 against the simulator's demo corp: the dev shim stands
 * in for the WeCom JS-SDK (the page reads the "current chat" from `?contact=` / `?chat=`).
 */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
import { deliverCallbacks } from '../helpers/server';
import { WECOM_USER_AGENT } from '../helpers/wecom-webview';

describe('chat sidebar in Chromium at 375x812', () => {
  /** A demo contact of rep-east-1, linked to a customer of theirs with follow-ups. */
  let linked: { externalUserid: string; customer: string };
  let phone: PhonePage;

  const suite = useH5Suite({
    seedCrm: 'linked',
    async setUp({ server, browser }) {
      const [row] = await server.db.sequelize.query<{ external_userid: string; name: string }>(
        `SELECT l.external_userid, c.name FROM customer_wecom_links l
         JOIN customers c ON c.id = l.customer_id
         JOIN users u ON u.id = c.owner_user_id
         JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid
        WHERE u.wecom_userid = 'rep-east-1' AND l.matched_by = 'mobile'
          AND EXISTS (SELECT 1 FROM follow_ups f WHERE f.customer_id = c.id)
        ORDER BY l.external_userid LIMIT 1`,
        { type: QueryTypes.SELECT },
      );
      linked = { externalUserid: row!.external_userid, customer: row!.name };
      phone = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(phone, `/sidebar?contact=${linked.externalUserid}`, 'rep-east-1');
    },
  });

  it('shows the linked customer’s name, stage and latest follow-ups for the current chat', async () => {
    const { page, errors } = phone;

    await page.getByTestId('customer-card').waitFor();
    await screenshot(page, 'sidebar-linked-customer');

    expect(await page.getByTestId('customer-name').innerText()).toContain(linked.customer);
    expect((await page.getByTestId('customer-stage').innerText()).trim()).toMatch(/线索|意向|商机|成交客户|复购|流失/);
    expect(await page.getByTestId('latest-follow-ups').locator('.van-cell').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('shim-bar').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('opens with one API request before the card: session, dictionaries and card come together', async () => {
    const { page } = phone;

    await page.goto(`/sidebar?contact=${linked.externalUserid}`);
    await page.waitForFunction(() => performance.getEntriesByName('sidebar-card').length > 0);
    const before = await page.evaluate(() => {
      const card = performance.getEntriesByName('sidebar-card')[0]!.startTime;
      return (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((r) => r.startTime < card && new URL(r.name).pathname.startsWith('/api/'))
        .map((r) => new URL(r.name).pathname);
    });

    expect(before).toEqual(['/api/sidebar/boot']);
    // The mark is the first paint's; the app's card shows once it has taken over.
    await page.getByTestId('customer-name').waitFor();
    expect(await page.getByTestId('customer-name').innerText()).toContain(linked.customer);
  });

  it('serves /sidebar as a page that paints a skeleton, starts with the first-paint script and lists the sidebar’s code', async () => {
    const html = await (await fetch(`${suite.server.baseUrl}/sidebar?contact=${linked.externalUserid}`)).text();

    expect(html).toContain('class="boot-skeleton"');
    expect(html).toMatch(/<script src="\/assets\/first-paint-[\w-]+\.js"><\/script>/);
    // Loaded by the first-paint script once the card has painted, not by the HTML.
    expect(html).toMatch(
      /<script type="application\/json" id="sidebar-app">\{"entry":"\/assets\/index-[\w-]+\.js","preload":\[[^\]]*"\/assets\/SidebarPage-[\w-]+\.js"/,
    );
    expect(html).not.toContain('<link rel="stylesheet" crossorigin');
  });

  it('keeps the skeleton on screen while the boot request is on its way', async () => {
    const { page } = phone;
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/sidebar/boot*', async (route) => {
      await held;
      await route.continue();
    });

    await page.goto(`/sidebar?contact=${linked.externalUserid}`, { waitUntil: 'load' });
    await nextPaint(page);
    const skeleton = await page.locator('.boot-skeleton').isVisible();
    await screenshot(page, 'sidebar-first-paint', { screen: true });
    release();
    await page.getByTestId('customer-card').waitFor();
    await page.unroute('**/api/sidebar/boot*');

    expect(skeleton).toBe(true);
  });

  it('adds a follow-up from the sidebar and shows it at the top of the list', async () => {
    const { page, errors } = phone;

    await page.getByTestId('write-follow-up').click();
    await page.getByTestId('follow-up-content').locator('textarea').fill('侧边栏记录：客户想了解稳健型理财');
    await screenshot(page, 'sidebar-follow-up-sheet');
    await page.getByTestId('follow-up-save').click();
    await page.getByTestId('latest-follow-ups').getByText('侧边栏记录：客户想了解稳健型理财').waitFor();
    await page.getByTestId('next-follow-up').filter({ hasNotText: '未安排' }).waitFor();
    await nextPaint(page);
    await screenshot(page, 'sidebar-after-follow-up');

    const first = await page.getByTestId('latest-follow-ups').locator('.van-cell').first().innerText();
    expect(first).toContain('侧边栏记录：客户想了解稳健型理财');
    expect(await page.getByTestId('next-follow-up').innerText()).not.toContain('未安排');
    expect(errors).toEqual([]);
  });

  it('changes the stage and the next follow-up from the card', async () => {
    const { page, errors } = phone;

    await page.getByTestId('change-stage').click();
    await page.locator('.van-action-sheet__item', { hasText: '商机' }).click();
    await page.getByTestId('customer-stage').getByText('商机').waitFor();
    await page.getByTestId('next-follow-up').click();
    await page.locator('.van-action-sheet__item', { hasText: '明天' }).click();
    await page
      .getByTestId('next-follow-up')
      .filter({ hasText: /\d+月\d+日/ })
      .waitFor();

    expect((await page.getByTestId('customer-stage').innerText()).trim()).toBe('商机');
    expect(await page.getByTestId('next-follow-up').innerText()).toMatch(/\d+月\d+日/);
    expect(errors).toEqual([]);
  });

  it('offers to link or create for a contact that matches no customer', async () => {
    const { page, errors } = phone;
    suite.server.simulator.state.addExternalContact(
      { external_userid: 'wmE2ENEW0001', name: '新来的客户', type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [] },
    );
    await suite.server.db.sequelize.query("INSERT INTO corp_settings (name, value, created_at, updated_at) VALUES ('autoCreateLeads', 'false', ?, ?)", {
      replacements: [new Date(), new Date()],
    });
    await deliverCallbacks(suite.server);

    await page.goto('/sidebar?contact=wmE2ENEW0001');
    await page.getByTestId('match-panel').waitFor();
    await screenshot(page, 'sidebar-unlinked-contact');
    await page.getByTestId('create-customer').click();
    await page.getByTestId('customer-card').waitFor();

    expect(await page.getByTestId('customer-name').innerText()).toContain('新来的客户');
    expect(errors).toEqual([]);
  });

  it('lists a group chat’s customers and unmatched members', async () => {
    const { page, errors } = phone;

    await page.goto('/sidebar?chat=wr-demo-chat-1');
    await page.getByTestId('group-header').waitFor();
    await screenshot(page, 'sidebar-group-chat');

    expect(await page.getByTestId('group-header').innerText()).toContain('华东高净值客户交流群');
    const listed =
      (await page.getByTestId('group-customers').locator('.van-cell').count()) + (await page.getByTestId('group-unmatched').locator('.van-cell').count());
    expect(listed).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('explains where to open it when there is no current chat, and refuses a contact the rep does not follow', async () => {
    const { page } = phone;
    const [other] = await suite.server.db.sequelize.query<{ external_userid: string }>(
      "SELECT external_userid FROM wecom_follow_relations WHERE userid = 'rep-south-1' AND external_userid NOT IN (SELECT external_userid FROM wecom_follow_relations WHERE userid = 'rep-east-1') LIMIT 1",
      { type: QueryTypes.SELECT },
    );

    await page.goto('/sidebar');
    await page.getByTestId('sidebar-elsewhere').waitFor();
    await page.goto(`/sidebar?contact=${other!.external_userid}`);
    await page.getByTestId('sidebar-error').waitFor();
    await screenshot(page, 'sidebar-not-follower');

    expect(await page.getByTestId('sidebar-error').innerText()).toContain('只有添加了该客户的同事才能在侧边栏查看');
  });
});

describe('chat sidebar inside the WeCom webview, without WeCom’s native bridge', () => {
  const suite = useH5Suite({ timeoutMs: 60_000 });

  it('signs the page URL for ww.register in the boot request and explains a JS-SDK that never answers instead of hanging', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, {
      userAgent: WECOM_USER_AGENT,
    });
    await loginThroughSimulator(phone, '/sidebar', 'rep-east-1');
    const booted = phone.page.waitForRequest((r) => r.url().includes('/api/sidebar/boot'));
    const signedApart: string[] = [];
    phone.page.on('request', (r) => r.url().includes('/api/wecom/jssdk-config') && signedApart.push(r.url()));

    await phone.page.reload();
    const request = new URL((await booted).url());
    await phone.page.getByTestId('sidebar-error').waitFor({ timeout: 15_000 });
    await screenshot(phone.page, 'sidebar-jssdk-unavailable');

    expect(request.searchParams.get('url')).toBe(`${suite.server.baseUrl}/sidebar`);
    expect(request.searchParams.get('contact')).toBeNull();
    expect(signedApart).toEqual([]);
    expect(await phone.page.getByTestId('shim-bar').count()).toBe(0);
    expect(await phone.page.getByTestId('sidebar-error').innerText()).toContain('企业微信');
    await phone.context.close();
  }, 60_000);
});
