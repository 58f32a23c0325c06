/**
 * The sidebar's first paint (h5/src/first-paint): the card is on screen from the boot answer before
 * the app's JS has run, and the app takes it over with the same text and no second request.
 * Screenshots of both paints at 375×812 and 1280×800 go to test/artifacts.
 */
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
import { deliverCallbacks } from '../helpers/server';

/** The app's entry script (index-*.js), which the first paint loads after the card. */
const APP_ENTRY = /\/assets\/index-[\w-]+\.js$/;

describe('the sidebar’s first paint in Chromium', () => {
  /** rep-east-1's followed contact, linked to their own customer with holdings and follow-ups. */
  let linked: { externalUserid: string; customer: string; product: string };
  let unlinked: string;
  let phone: PhonePage;
  let desk: PhonePage;

  const suite = useH5Suite({
    seedCrm: 'linked',
    async setUp({ server, browser }) {
      const [row] = await server.db.sequelize.query<{ external_userid: string; name: string; product: string }>(
        `SELECT l.external_userid, c.name,
                (SELECT p.name FROM holdings h JOIN products p ON p.id = h.product_id WHERE h.customer_id = c.id ORDER BY h.id LIMIT 1) AS product
           FROM customer_wecom_links l
           JOIN customers c ON c.id = l.customer_id
           JOIN users u ON u.id = c.owner_user_id
           JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid
          WHERE u.wecom_userid = 'rep-east-1'
            AND EXISTS (SELECT 1 FROM follow_ups f WHERE f.customer_id = c.id)
            AND EXISTS (SELECT 1 FROM holdings h WHERE h.customer_id = c.id)
          ORDER BY l.external_userid LIMIT 1`,
        { type: QueryTypes.SELECT },
      );
      linked = { externalUserid: row!.external_userid, customer: row!.name, product: row!.product };
      // A new contact the corp does not turn into a lead: it stays unlinked.
      unlinked = 'wmFIRSTPAINT01';
      server.simulator.state.addExternalContact(
        { external_userid: unlinked, name: '新来的客户', type: 1 },
        { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [] },
      );
      await server.db.sequelize.query("INSERT INTO corp_settings (name, value, created_at, updated_at) VALUES ('autoCreateLeads', 'false', ?, ?)", {
        replacements: [new Date(), new Date()],
      });
      await deliverCallbacks(server);
      phone = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(phone, `/sidebar?contact=${linked.externalUserid}`, 'rep-east-1');
      desk = await openPhonePage(browser, server.baseUrl, { desktop: true, viewport: { width: 1280, height: 800 } });
      await desk.context.addCookies(await phone.context.cookies());
    },
  });

  /** Opens the sidebar with the app's entry blocked: only the first paint can draw. */
  async function openWithoutApp(page: Page, contact: string): Promise<string[]> {
    const blocked: string[] = [];
    await page.route(APP_ENTRY, (route) => {
      blocked.push(route.request().url());
      return route.abort();
    });
    await page.goto(`/sidebar?contact=${contact}`);
    return blocked;
  }

  /** API requests of the page, as paths with their query. */
  function apiRequests(page: Page): string[] {
    const seen: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) seen.push(`${url.pathname}${url.search}`);
    });
    return seen;
  }

  afterEach(async () => {
    for (const p of [phone, desk]) await p.page.unrouteAll({ behavior: 'ignoreErrors' });
  });

  it('paints the customer’s name, holdings with 市值 and follow-ups before the app’s JS has run', async () => {
    const { page } = phone;

    const blocked = await openWithoutApp(page, linked.externalUserid);
    const card = page.getByTestId('first-paint-card');
    await card.waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('sidebar-card').length > 0);
    await nextPaint(page);
    await screenshot(page, 'sidebar-first-paint-375');

    expect(blocked.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => !!document.querySelector('[data-v-app]'))).toBe(false);
    expect(await page.locator('#first-paint').innerText()).toContain(linked.customer);
    expect(await card.innerText()).toMatch(new RegExp(`${linked.product}[\\s\\S]*市值 [\\d,.]+ (万元|元)`));
    expect(await card.innerText()).toContain('持仓市值 · ');
    expect(await card.innerText()).toContain('最近跟进');
    expect(await page.locator('#app').isVisible()).toBe(false);
  });

  it('hands over to the app with the same text, without a second boot or card request', async () => {
    const { page, errors } = phone;
    errors.length = 0; // the entry aborted on purpose above
    const requests = apiRequests(page);

    await page.goto(`/sidebar?contact=${linked.externalUserid}`);
    await page.getByTestId('customer-card').waitFor();
    await page.locator('#first-paint').waitFor({ state: 'detached' });
    await nextPaint(page);
    await screenshot(page, 'sidebar-after-takeover-375');

    const text = await page.locator('#app').innerText();
    expect(text).toContain(linked.customer);
    expect(text).toContain(linked.product);
    expect(text).toMatch(/市值 [\d,.]+ (万元|元)/);
    // One boot request: the preload the page's Link header starts, which the first paint's fetch() takes.
    expect(requests.filter((r) => r.startsWith('/api/sidebar/boot'))).toEqual([`/api/sidebar/boot?contact=${linked.externalUserid}`]);
    const bootEntry = () =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) => r.name.includes('/api/sidebar/boot'))?.initiatorType;
    expect(await page.evaluate(bootEntry)).toBe('link');
    expect(requests.filter((r) => r.startsWith('/api/sidebar/external-contacts/'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('looks the same at 1280×800 before and after the app takes over', async () => {
    const { page } = desk;

    await openWithoutApp(page, linked.externalUserid);
    await page.getByTestId('first-paint-card').waitFor();
    await nextPaint(page);
    await screenshot(page, 'sidebar-first-paint-1280');
    const before = await page.getByTestId('first-paint-card').innerText();
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    await page.goto(`/sidebar?contact=${linked.externalUserid}`);
    await page.locator('#first-paint').waitFor({ state: 'detached' });
    await nextPaint(page);
    await screenshot(page, 'sidebar-after-takeover-1280');

    const after = await page.locator('#app').innerText();
    for (const line of before.split('\n').filter((l) => l.trim())) expect(after).toContain(line.trim());
  });

  it('paints an unlinked contact’s matching panel before the app', async () => {
    const { page } = phone;

    await openWithoutApp(page, unlinked);

    await page.getByText('尚未关联客户').waitFor();
    expect(await page.locator('#first-paint').isVisible()).toBe(true);
  });

  it('paints the card’s refusal for a contact the rep may not see', async () => {
    const { page } = phone;

    await openWithoutApp(page, 'wmNOT-A-CONTACT-OF-ANYONE');

    await page.getByTestId('first-paint-error').waitFor();
    expect(await page.getByTestId('first-paint-error').innerText()).toMatch(/找不到这位客户|只有添加了该客户的同事/);
  });

  it('answers a warm open’s revalidation of sidebar.html and index.html with a bodiless 304, and caches the first-paint script for a year', async () => {
    const base = suite.server.baseUrl;
    for (const path of [`/sidebar?contact=${linked.externalUserid}`, '/workbench']) {
      const first = await fetch(`${base}${path}`, { headers: { 'accept-encoding': 'br' } });
      const etag = first.headers.get('etag');
      const html = await first.text();

      // As a browser revalidates a no-cache page (fetch() would add `cache-control: no-cache`, which asks for the body).
      const again = await fetch(`${base}${path}`, { headers: { 'accept-encoding': 'br', 'if-none-match': etag!, 'cache-control': 'max-age=0' } });

      expect(first.headers.get('cache-control')).toBe('no-cache');
      expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      if (path.startsWith('/sidebar')) {
        const script = /<script src="(\/assets\/first-paint-[\w-]+\.js)">/.exec(html)![1]!;
        expect((await fetch(`${base}${script}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      }
    }
  });

  it('puts the content security policy on the page, not on its hashed scripts, which still refuse sniffing', async () => {
    const base = suite.server.baseUrl;
    const page = await fetch(`${base}/sidebar?contact=${linked.externalUserid}`);
    const script = /<script src="(\/assets\/first-paint-[\w-]+\.js)">/.exec(await page.text())![1]!;

    const asset = await fetch(`${base}${script}`);

    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(asset.headers.get('content-security-policy')).toBeNull();
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
