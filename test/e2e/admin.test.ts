/** 管理 in Chromium at 375×812: an admin starts an org sync and watches it finish; reps never see it. */
import type { Browser } from 'playwright-core';
import { launchBrowser, loginThroughSimulator, openPhonePage, screenshot } from '../helpers/browser';
import { deliverCallbacks, startTestServer, syncOrg, requireH5Build, type TestServer } from '../helpers/server';

describe('admin pages in Chromium at 375x812', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    requireH5Build();
    server = await startTestServer({ serveH5: true });
    await syncOrg(server);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('starts an org sync and shows its progress reaching 100%', async () => {
    const phone = await openPhonePage(browser, server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin', 'admin');

    const panel = page.getByTestId('sync-org');
    await panel.getByTestId('sync-status').getByText('已完成').waitFor();
    const runsBefore = await panel.getByTestId('sync-history').count();
    await panel.getByTestId('sync-start').click();
    // The new run becomes the latest: the one before moves into the history list.
    await panel.getByTestId('sync-history').nth(runsBefore).waitFor();
    await panel.getByTestId('sync-status').getByText('已完成').waitFor({ timeout: 20_000 });
    await panel.getByTestId('sync-progress').getByText('100%').waitFor();
    await screenshot(page, 'admin-sync');

    expect(await page.getByTestId('tabbar').getByText('管理').count()).toBe(1);
    expect(errors).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('lists callback events by status and shows an event’s payload', async () => {
    server.simulator.state.addExternalContact({ external_userid: 'wmADMINLOG01', name: '日志客户', type: 1 }, { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [] });
    await deliverCallbacks(server);
    const phone = await openPhonePage(browser, server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin', 'admin');

    await page.getByTestId('event-row').first().waitFor();
    await page.getByTestId('event-row').first().click();
    await page.getByTestId('event-detail').getByText('add_external_contact').first().waitFor();
    await screenshot(page, 'admin-event-detail');

    expect(await page.getByTestId('event-log').innerText()).toContain('已完成 1');
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('has no 管理 for a rep, and /admin sends them to the workbench', async () => {
    const phone = await openPhonePage(browser, server.baseUrl);
    await loginThroughSimulator(phone, '/workbench', 'rep-east-1');

    await phone.page.goto('/admin');
    await phone.page.waitForURL((url) => url.pathname === '/workbench');

    expect(await phone.page.getByTestId('tabbar').getByText('管理').count()).toBe(0);
    await phone.context.close();
  });
});
