import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, openPhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
describe('dbg', () => {
  const suite = useH5Suite({ seedCrm: 'linked' });
  it('x', async () => {
    const [row] = await suite.server.db.sequelize.query<{ external_userid: string }>(
      `SELECT l.external_userid FROM customer_wecom_links l JOIN customers c ON c.id = l.customer_id JOIN users u ON u.id = c.owner_user_id
       JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid
       WHERE u.wecom_userid = 'rep-east-1' ORDER BY l.external_userid LIMIT 1`, { type: QueryTypes.SELECT });
    const path = `/sidebar?contact=${row!.external_userid}`;
    const login = await openPhonePage(suite.browser, suite.server.baseUrl);
    await loginThroughSimulator(login, path, 'rep-east-1');
    const cookies = await login.context.cookies();
    for (const throttle of [4]) {
      const ctx = await suite.browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: suite.server.baseUrl });
      await ctx.addCookies(cookies);
      const page = await ctx.newPage();
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
      for (const run of ['cold', 'warm']) {
        await page.goto(path, { waitUntil: 'commit' });
        await page.waitForFunction(() => performance.getEntriesByName('sidebar-card').length > 0, null, { timeout: 60000 });
        await page.waitForLoadState('networkidle');
        const out = await page.evaluate(() => {
          const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          const r = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => `${new URL(e.name).pathname.slice(0, 40)} start=${e.startTime.toFixed(0)} end=${e.responseEnd.toFixed(0)} tx=${e.transferSize} enc=${e.encodedBodySize}`);
          return { marks: performance.getEntriesByType("mark").map((m) => `${m.name}=${m.startTime.toFixed(0)}`).join(" "), nav: `resp=${n.responseEnd.toFixed(0)} dcl=${n.domContentLoadedEventEnd.toFixed(0)} tx=${n.transferSize}`, card: performance.getEntriesByName('sidebar-card')[0]!.startTime, fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime, r };
        });
        console.log(throttle, run, JSON.stringify(out, null, 1));
      }
      await ctx.close();
    }
  });
});
