/**
 * The sidebar's first paint inside the WeCom webview (h5/src/first-paint, wecom/wecom-session.ts):
 * the JS-SDK names the chat, the first paint asks for that contact's card and paints it before the
 * app's JS has run, and the app takes over on the same SDK session — registered once, the chat
 * asked once, the card asked once. WeCom's native bridge is the stand-in of helpers/wecom-webview.
 * Screenshots at 375×812 and 1280×800 go to test/artifacts.
 */
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
import { fakeWecomBridge, WECOM_USER_AGENT, wecomCalls, type WecomChat } from '../helpers/wecom-webview';

/** The app's entry script (index-*.js), which the first paint loads after the card. */
const APP_ENTRY = /\/assets\/index-[\w-]+\.js$/;

describe('the sidebar’s first paint inside WeCom', () => {
  let linked: { externalUserid: string; customer: string };
  const opened: PhonePage[] = [];

  const suite = useH5Suite({
    seedCrm: 'linked',
    async setUp({ server }) {
      const [row] = await server.db.sequelize.query<{ external_userid: string; name: string }>(
        `SELECT l.external_userid, c.name
           FROM customer_wecom_links l
           JOIN customers c ON c.id = l.customer_id
           JOIN users u ON u.id = c.owner_user_id
           JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid
          WHERE u.wecom_userid = 'rep-east-1'
          ORDER BY l.external_userid LIMIT 1`,
        { type: QueryTypes.SELECT },
      );
      linked = { externalUserid: row!.external_userid, customer: row!.name };
    },
  });

  /** rep-east-1 in the WeCom webview, the sidebar open in `chat`. */
  async function openInWecom(chat: WecomChat, desktop = false): Promise<PhonePage> {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, {
      userAgent: WECOM_USER_AGENT,
      ...(desktop ? { viewport: { width: 1280, height: 800 } } : {}),
    });
    opened.push(phone);
    await fakeWecomBridge(phone.context, chat);
    await loginThroughSimulator(phone, '/sidebar', 'rep-east-1');
    return phone;
  }

  /** API requests of the page from now on, as paths. */
  function apiPaths(page: Page): string[] {
    const seen: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) seen.push(url.pathname);
    });
    return seen;
  }

  afterAll(async () => {
    for (const phone of opened) await phone.context.close();
  });

  it('paints the card of the contact WeCom names before the app’s JS has run', async () => {
    for (const desktop of [false, true]) {
      const { page } = await openInWecom({ entry: 'single_chat_tools', externalUserId: linked.externalUserid }, desktop);
      const blocked: string[] = [];
      await page.route(APP_ENTRY, (route) => {
        blocked.push(route.request().url());
        return route.abort();
      });

      await page.reload();
      const card = page.getByTestId('first-paint-card');
      await card.waitFor();
      await page.waitForFunction(() => performance.getEntriesByName('sidebar-card').length > 0);
      await nextPaint(page);
      await screenshot(page, desktop ? 'sidebar-wecom-first-paint-1280' : 'sidebar-wecom-first-paint-375');

      expect(blocked.length).toBeGreaterThan(0);
      expect(await page.evaluate(() => !!document.querySelector('[data-v-app]'))).toBe(false);
      expect(await card.innerText()).toContain(linked.customer);
      expect(await wecomCalls(page)).toEqual(expect.arrayContaining(['getContext', 'getCurExternalContact']));
      // No dev shim inside WeCom: its picker bar is not painted.
      expect(await page.getByTestId('shim-bar').count()).toBe(0);
    }
  });

  it('hands over to the app on the same SDK session: registered once, the chat and the card asked once', async () => {
    const { page, errors } = await openInWecom({ entry: 'single_chat_tools', externalUserId: linked.externalUserid });
    // The first open has handed over (its card asked and shown) before the count starts: its requests are not the reload's.
    await page.locator('#first-paint').waitFor({ state: 'detached' });
    await page.getByTestId('customer-card').waitFor();
    const paths = apiPaths(page);

    await page.reload();
    await page.getByTestId('customer-card').waitFor();
    await page.locator('#first-paint').waitFor({ state: 'detached' });
    await nextPaint(page);
    await screenshot(page, 'sidebar-wecom-after-takeover-375');

    expect(await page.getByTestId('customer-name').innerText()).toContain(linked.customer);
    const calls = await wecomCalls(page);
    expect(calls.filter((c) => c === 'agentConfig')).toHaveLength(1);
    expect(calls.filter((c) => c === 'getContext')).toHaveLength(1);
    expect(calls.filter((c) => c === 'getCurExternalContact')).toHaveLength(1);
    expect(paths.filter((p) => p.startsWith('/api/sidebar/external-contacts/'))).toHaveLength(1);
    expect(paths.filter((p) => p === '/api/sidebar/boot')).toHaveLength(1);
    // The boot answer carried the signatures for this page.
    expect(paths).not.toContain('/api/wecom/jssdk-config');
    expect(errors).toEqual([]);
  });

  it('paints the card’s refusal for a contact WeCom names that the rep may not see, and the app says the same', async () => {
    const { page } = await openInWecom({ entry: 'single_chat_tools', externalUserId: 'wmNOT-A-CONTACT-OF-ANYONE' });
    await page.route(APP_ENTRY, (route) => route.abort());

    await page.reload();
    await page.getByTestId('first-paint-error').waitFor();
    const refusal = await page.getByTestId('first-paint-error').innerText();
    await screenshot(page, 'sidebar-wecom-refusal-375');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload();
    await page.getByTestId('sidebar-error').waitFor();

    expect(refusal).toMatch(/找不到这位客户|只有添加了该客户的同事/);
    expect(await page.getByTestId('sidebar-error').innerText()).toMatch(/找不到这位客户|只有添加了该客户的同事/);
  });

  it('leaves a group chat to the app, which lists its customers', async () => {
    const { page, errors } = await openInWecom({ entry: 'group_chat_tools', chatId: 'wr-demo-chat-1' });

    await page.reload();
    await page.getByTestId('group-header').waitFor();
    await nextPaint(page);
    await screenshot(page, 'sidebar-wecom-group-375');

    expect(await page.getByTestId('group-header').innerText()).toContain('华东高净值客户交流群');
    expect((await wecomCalls(page)).filter((c) => c === 'getContext')).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
