/**
 * What a rep waits for when the chat sidebar opens: headless Chromium at 375×812 opens
 * `/sidebar?contact=` (the dev shim's entry) on the bench server and reads the `sidebar-card`
 * mark, which the page sets in the frame that first paints the customer (SidebarPage.vue). Cold
 * is a fresh browser context (empty HTTP cache); warm is the same context opening it again.
 * CPU throttling is Chrome's own (DevTools' "4× slowdown"), standing in for a mid-range phone.
 * With `wecom`, the page opens as inside WeCom: its user agent, `/sidebar` without the contact, and
 * the test stand-in for WeCom's native bridge naming the contact (each native call answered after
 * 5 ms — the real client's own time is not in the figure).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { launchBrowser, PHONE_VIEWPORT } from '../../test/helpers/browser';
import { fakeWecomBridge, WECOM_USER_AGENT } from '../../test/helpers/wecom-webview';
import type { ServerProcess } from './harness';

export interface SidebarOpen {
  /** ms from navigation start to the frame with the card, median of the runs. */
  cardMs: number;
  /** Bytes over the wire (compressed bodies + headers) until the page was idle, median. */
  transferBytes: number;
  /** Of those, the dev shim's (its bridge and picker bar: not in a live build), median. */
  shimBytes: number;
  /** API requests the page started before the card was painted (the waterfall), median. */
  apiRequestsBeforeCard: number;
  runs: number;
}

export interface SidebarOpenFigures {
  throttle: number;
  cold: SidebarOpen;
  warm: SidebarOpen;
}

/** A follower and a contact of theirs that is linked to a customer they own: the full card. */
export async function ownedContact(sequelize: Sequelize): Promise<{ userid: string; externalUserid: string }> {
  const [pair] = await sequelize.query<{ userid: string; external_userid: string }>(
    `SELECT r.userid, r.external_userid
       FROM wecom_follow_relations r
       JOIN customer_wecom_links l ON l.external_userid = r.external_userid
       JOIN customers c ON c.id = l.customer_id
       JOIN users u ON u.id = c.owner_user_id AND u.wecom_userid = r.userid
      WHERE r.deleted_at IS NULL AND c.deleted_at IS NULL
      ORDER BY r.id LIMIT 1`,
    { type: QueryTypes.SELECT },
  );
  if (!pair) throw new Error('no followed contact linked to a customer its follower owns');
  return { userid: pair.userid, externalUserid: pair.external_userid };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function measureSidebarOpen(
  server: ServerProcess,
  sessionCookie: string,
  externalUserid: string,
  options: { throttles: number[]; runs: number; wecom?: boolean },
): Promise<SidebarOpenFigures[]> {
  const browser = await launchBrowser();
  const url = options.wecom ? `${server.base}/sidebar` : `${server.base}/sidebar?contact=${encodeURIComponent(externalUserid)}`;
  const cookies = sessionCookie.split('; ').map((pair) => {
    const [name, ...value] = pair.split('=');
    return { name: name!, value: value.join('='), url: server.base };
  });
  try {
    const figures: SidebarOpenFigures[] = [];
    for (const throttle of options.throttles) {
      const cold: Omit<SidebarOpen, 'runs'>[] = [];
      const warm: Omit<SidebarOpen, 'runs'>[] = [];
      for (let run = 0; run < options.runs; run++) {
        const context = await browser.newContext({
          viewport: PHONE_VIEWPORT,
          deviceScaleFactor: 2,
          isMobile: true,
          hasTouch: true,
          ...(options.wecom ? { userAgent: WECOM_USER_AGENT } : {}),
        });
        if (options.wecom) await fakeWecomBridge(context, { entry: 'single_chat_tools', externalUserId: externalUserid });
        await context.addCookies(cookies);
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
        const open = async (): Promise<Omit<SidebarOpen, 'runs'>> => {
          await page.goto(url, { waitUntil: 'commit' });
          await page.waitForFunction(() => performance.getEntriesByName('sidebar-card').length > 0, null, { timeout: 60_000 });
          await page.waitForLoadState('networkidle');
          // BENCH_SIDEBAR_RESOURCES=1: what each open downloaded, to stderr (where the bytes go).
          if (process.env.BENCH_SIDEBAR_RESOURCES)
            process.stderr.write(
              `${(
                await page.evaluate(() =>
                  (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map(
                    (r) => `  ${new URL(r.name).pathname} ${r.transferSize} B at ${r.startTime.toFixed(0)} ms`,
                  ),
                )
              ).join('\n')}\n`,
            );
          return page.evaluate(() => {
            const card = performance.getEntriesByName('sidebar-card')[0]!.startTime;
            const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
            const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
            return {
              cardMs: card,
              transferBytes: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
              shimBytes: resources.filter((r) => /\/assets\/(?:dev-shim|ShimBar)-/.test(r.name)).reduce((sum, r) => sum + r.transferSize, 0),
              apiRequestsBeforeCard: resources.filter((r) => new URL(r.name).pathname.startsWith('/api/') && r.startTime < card).length,
            };
          });
        };
        cold.push(await open());
        warm.push(await open());
        await context.close();
      }
      const summary = (list: Omit<SidebarOpen, 'runs'>[]): SidebarOpen => ({
        cardMs: median(list.map((m) => m.cardMs)),
        transferBytes: median(list.map((m) => m.transferBytes)),
        shimBytes: median(list.map((m) => m.shimBytes)),
        apiRequestsBeforeCard: median(list.map((m) => m.apiRequestsBeforeCard)),
        runs: list.length,
      });
      figures.push({ throttle, cold: summary(cold), warm: summary(warm) });
    }
    return figures;
  } finally {
    await browser.close();
  }
}
