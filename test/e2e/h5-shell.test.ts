import { loginThroughSimulator, openPhonePage, screenshot } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe('H5 shell in Chromium at 375x812', () => {
  const suite = useH5Suite({ syncOrg: false });

  it('serves the built files precompressed, brotli first, varying on Accept-Encoding', async () => {
    const html = await (await fetch(`${suite.server.baseUrl}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;

    const br = await fetch(`${suite.server.baseUrl}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
    const gzip = await fetch(`${suite.server.baseUrl}${script}`, { headers: { 'accept-encoding': 'gzip' } });

    expect(br.headers.get('content-encoding')).toBe('br');
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(br.headers.get('vary')).toContain('Accept-Encoding');
    expect(br.headers.get('content-type')).toContain('javascript');
    expect(await br.text()).toBe(await gzip.text());
  });

  it('sends a visitor without a session through WeCom login to the simulator picker', async () => {
    const { page, errors, context } = await openPhonePage(suite.browser, suite.server.baseUrl);

    await page.goto('/customers');
    await page.locator('[data-userid="rep-east-1"]').waitFor();
    await screenshot(page, 'login-simulator-picker');

    expect(new URL(page.url()).pathname).toBe('/__wecom/connect/oauth2/authorize');
    expect(await page.getByText('选择登录身份').count()).toBeGreaterThan(0);
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await context.close();
  });

  it('renders the workbench for the logged-in rep with the three tabs and no console errors', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors, context } = phone;

    await loginThroughSimulator(phone, '/workbench', 'rep-east-1');
    await page.getByTestId('demo-notice').waitFor();
    await page.getByTestId('greeting').waitFor();
    const tabs = await page.getByTestId('tabbar').locator('.van-tabbar-item').allInnerTexts();
    await screenshot(page, 'shell-workbench');

    expect(page.url()).toBe(`${suite.server.baseUrl}/workbench`);
    expect(tabs.map((t) => t.trim())).toEqual(['客户', '工作台', '我的']);
    // Server and WeCom state is the admins' business: a rep does not see it.
    expect(await page.getByText('已连接').count()).toBe(0);
    expect(await page.getByTestId('greeting').innerText()).toContain('李娜');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("lists the rep's customers due for a follow-up on the workbench", async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors, context } = phone;
    await loginThroughSimulator(phone, '/workbench', 'rep-east-2');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const created = await page.request.post('/api/customers', {
      data: { type: 'individual', name: '待跟进的王总', institution: '宁波港城物流有限公司', nextFollowUpAt: yesterday },
    });

    await page.reload();
    await page.getByText('待跟进的王总').waitFor();
    await screenshot(page, 'workbench-due-follow-ups');

    expect(created.status()).toBe(201);
    expect(await page.getByTestId('due-follow-ups').innerText()).toContain('已逾期');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switches tabs from the tab bar and shows who is logged in under 我的', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors, context } = phone;
    await loginThroughSimulator(phone, '/workbench', 'mgr-east');

    await page.getByTestId('tabbar').getByText('客户').click();
    await page.getByPlaceholder('搜索姓名、拼音首字母、手机号、机构').waitFor();
    await screenshot(page, 'shell-customers');
    await page.getByTestId('tabbar').getByText('我的').click();
    await page.getByText('运行模式').waitFor();
    await screenshot(page, 'shell-me');

    expect(page.url()).toBe(`${suite.server.baseUrl}/me`);
    expect(await page.getByTestId('profile').innerText()).toContain('陈建国');
    expect(await page.getByText('本部门及下级').count()).toBe(1);
    expect(await page.title()).toBe('我的 · 企微客户管理');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serves index.html for a deep link and a friendly page for an unknown route', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors, context } = phone;
    await loginThroughSimulator(phone, '/workbench', 'rep-east-2');

    const res = await page.goto('/no/such/page');
    await page.getByText('页面不存在，可能链接已失效').waitFor();
    await screenshot(page, 'shell-not-found');

    expect(res?.status()).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('caches hashed assets for a year and revalidates index.html', async () => {
    const index = await fetch(`${suite.server.baseUrl}/workbench`);
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const assetRes = await fetch(`${suite.server.baseUrl}${asset}`);

    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(assetRes.status).toBe(200);
    expect(assetRes.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${suite.server.baseUrl}/assets/missing-123.js`)).status).toBe(404);
  });
});
