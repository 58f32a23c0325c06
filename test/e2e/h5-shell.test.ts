import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPhonePage, screenshot } from '../helpers/browser';
import { H5_DIST, startTestServer, type TestServer } from '../helpers/server';

describe('H5 shell in Chromium at 375x812', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(H5_DIST, 'index.html'))) {
      throw new Error('h5/dist is missing: run `npm run build:h5` first (npm test does).');
    }
    server = await startTestServer({ serveH5: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders the workbench with the three tabs and no console errors', async () => {
    const { page, errors, context } = await openPhonePage(browser, server.baseUrl);

    await page.goto('/');
    await page.getByTestId('demo-notice').waitFor();
    const tabs = await page.getByTestId('tabbar').locator('.van-tabbar-item').allInnerTexts();
    await screenshot(page, 'shell-workbench');

    expect(page.url()).toBe(`${server.baseUrl}/workbench`);
    expect(tabs.map((t) => t.trim())).toEqual(['客户', '工作台', '我的']);
    expect(await page.getByText('已连接').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switches tabs from the tab bar', async () => {
    const { page, errors, context } = await openPhonePage(browser, server.baseUrl);
    await page.goto('/workbench');

    await page.getByTestId('tabbar').getByText('客户').click();
    await page.getByPlaceholder('搜索客户姓名、手机号、机构').waitFor();
    await screenshot(page, 'shell-customers');
    await page.getByTestId('tabbar').getByText('我的').click();
    await page.getByText('运行模式').waitFor();
    await screenshot(page, 'shell-me');

    expect(page.url()).toBe(`${server.baseUrl}/me`);
    expect(await page.title()).toBe('我的 · 企微客户管理');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serves index.html for a deep link and a friendly page for an unknown route', async () => {
    const { page, errors, context } = await openPhonePage(browser, server.baseUrl);

    const res = await page.goto('/no/such/page');
    await page.getByText('页面不存在，可能链接已失效').waitFor();
    await screenshot(page, 'shell-not-found');

    expect(res?.status()).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('caches hashed assets for a year and revalidates index.html', async () => {
    const index = await fetch(`${server.baseUrl}/workbench`);
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const assetRes = await fetch(`${server.baseUrl}${asset}`);

    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(assetRes.status).toBe(200);
    expect(assetRes.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${server.baseUrl}/assets/missing-123.js`)).status).toBe(404);
  });
});
