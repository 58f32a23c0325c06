/**
 * Headless Debian Chromium through playwright-core, at the phone viewport the H5 is designed
 * for. Screenshots go to test/artifacts/ (git-ignored) for a person to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Cookie, type Locator, type Page, type Request } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = resolve(__dirname, '../artifacts');
export const PHONE_VIEWPORT = { width: 375, height: 812 };

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it with "apt-get install -y chromium" ` + '(.ci/run does) or set CHROMIUM_PATH.');
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The base URL each context was opened with (Playwright does not hand it back). */
const CONTEXT_BASE = new WeakMap<BrowserContext, string>();

export interface PhonePage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

/**
 * Injected into every page a test opens: nothing slides, fades or spins. Vant's sheets, dialogs,
 * toasts and pickers animate with CSS; a tap or a screenshot that lands mid-slide was the cause of
 * the flaky browser flows (a tap on 跟进时间 lost while the follow-up sheet slid up). Without
 * transitions Vue's <Transition> ends on the next frame (it reads no duration from the computed
 * style), so a sheet is in place as soon as it is in the DOM and a closed one is gone at once.
 * The only Vant parts that wait for `transitionend` are a picker column being dragged (tests tap
 * options, which set the value at once), the collapse and popover (unused) and the notice bar's
 * marquee (which then simply stays still).
 */
export const NO_MOTION_CSS =
  '*, *::before, *::after { transition: none !important; animation: none !important; caret-color: transparent !important; scroll-behavior: auto !important; }';

/**
 * Adds NO_MOTION_CSS to every document of a context as early as the document has an element to
 * hang it on (a string: the root tsconfig has no DOM types). The H5's CSP allows inline styles.
 */
const NO_MOTION_SCRIPT = `(() => {
  const add = () => {
    const style = document.createElement('style');
    style.setAttribute('data-test', 'no-motion');
    style.textContent = ${JSON.stringify(NO_MOTION_CSS)};
    (document.head || document.documentElement).appendChild(style);
  };
  if (document.documentElement) add();
  else document.addEventListener('readystatechange', add, { once: true });
})();`;

export const DESKTOP_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** A phone (375×812 unless `viewport` says otherwise), or a desktop browser with `desktop`. */
export async function openPhonePage(
  browser: Browser,
  baseURL: string,
  options: { userAgent?: string; viewport?: { width: number; height: number }; desktop?: boolean } = {},
): Promise<PhonePage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? PHONE_VIEWPORT,
    deviceScaleFactor: options.desktop ? 1 : 2,
    isMobile: !options.desktop,
    hasTouch: !options.desktop,
    locale: 'zh-CN',
    userAgent:
      options.userAgent ??
      (options.desktop ? DESKTOP_USER_AGENT : undefined) ??
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
    baseURL,
  });
  await context.addInitScript({ content: NO_MOTION_SCRIPT });
  CONTEXT_BASE.set(context, baseURL);
  const page = await context.newPage();
  trackRequests(page);
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

/**
 * The whole page, or (`screen`) what the phone's screen shows — for dialogs and fixed bars over a
 * long list. `style`: CSS in force for the capture only.
 */
export async function screenshot(page: Page, name: string, options: { screen?: boolean; style?: string } = {}): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: !options.screen, style: options.style });
  return file;
}

/**
 * A screenshot of the page itself: once no sheet, dialog or dropdown is open over it (without
 * motion they close at once; this waits for Vue to take them away), and with a passing toast left
 * out of the picture. Vant shows a toast for 2 s; the browser flows waited for it to go before
 * each such screenshot, ~2 s each. A test that cares what a toast says waits for its text.
 */
export async function screenshotPage(page: Page, name: string, options: { screen?: boolean } = {}): Promise<string> {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.van-overlay, .van-dropdown-item')).every((e) => getComputedStyle(e).display === 'none'),
  );
  await nextPaint(page);
  return screenshot(page, name, { ...options, style: '.van-toast { visibility: hidden !important; }' });
}

/** Session cookies a file's logins earned, by server and employee (jest loads this module afresh per file). */
const sessionCookies = new Map<string, Cookie[]>();

/**
 * Opens `path` as `userid`. The first time in a file the browser goes through WeCom login as a
 * person would: the H5 sends it to the simulator's pick-an-employee page, where we pick `userid`,
 * and it comes back on `path`. After that the page opens with the session that login earned (one
 * navigation instead of four, two app starts saved), as long as the server still accepts it: a
 * session a test revoked sends the page through the login again.
 */
export async function loginThroughSimulator(phone: PhonePage, path: string, userid: string): Promise<void> {
  const { page, context } = phone;
  const baseURL = CONTEXT_BASE.get(context);
  const key = `${baseURL} ${userid}`;
  const earned = sessionCookies.get(key);
  if (baseURL && earned && (await sessionIsLive(baseURL, earned))) {
    await context.addCookies(earned);
    await page.goto(path);
    return;
  }
  await page.goto(path);
  await page.locator(`[data-userid="${userid}"]`).click();
  await page.waitForURL((url) => url.pathname === path.split('?')[0]);
  if (baseURL) sessionCookies.set(key, await context.cookies(baseURL));
  // The 401 that started the login is expected; count errors from here on.
  phone.errors.length = 0;
}

/** Whether the server still answers `/api/me` for these cookies. */
async function sessionIsLive(baseURL: string, cookies: Cookie[]): Promise<boolean> {
  const res = await fetch(new URL('/api/me', baseURL), { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
  await res.arrayBuffer();
  return res.ok;
}

/**
 * Resolves once the page has painted what its DOM holds now (two animation frames). With motion
 * off (NO_MOTION_CSS) that is the final picture, so a screenshot waits for this, never for a time.
 */
export async function nextPaint(page: Page): Promise<void> {
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))');
}

/** The requests each tracked page has sent and not yet seen answered (see `settled`). */
const inFlight = new WeakMap<Page, Set<Request>>();

function trackRequests(page: Page): void {
  const open = new Set<Request>();
  inFlight.set(page, open);
  page.on('request', (r) => open.add(r));
  page.on('requestfinished', (r) => open.delete(r));
  page.on('requestfailed', (r) => open.delete(r));
}

/** How long no request may be open, painted frames included, before a page counts as settled. */
const QUIET_MS = 100;

/**
 * Resolves once the page has had no request open for QUIET_MS and has painted since: its lists
 * loaded, the chunks and requests a loaded page starts in turn answered too. Playwright's
 * `networkidle` asks for 500 ms of quiet each time, which the browser flows paid hundreds of times
 * a run; the quiet window here only has to outlast the gap between one answer and the request its
 * handler sends (a microtask and a render), which two animation frames and a few milliseconds do.
 */
export async function settled(page: Page): Promise<void> {
  const open = inFlight.get(page);
  if (!open) return page.waitForLoadState('networkidle');
  let quietSince = open.size ? Number.POSITIVE_INFINITY : Date.now();
  for (;;) {
    await nextPaint(page);
    if (open.size) quietSince = Number.POSITIVE_INFINITY;
    else if (quietSince === Number.POSITIVE_INFINITY) quietSince = Date.now();
    else if (Date.now() - quietSince >= QUIET_MS) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Taps the option just above a Vant picker column's selected one and waits until the column has
 * selected it: a second tap resolved before the re-render would tap the old option's neighbour again.
 */
export async function pickPreviousOption(column: Locator): Promise<void> {
  const selected = column.locator('.van-picker-column__item--selected');
  const before = (await selected.innerText()).trim();
  await selected.locator('xpath=preceding-sibling::*[1]').click();
  const literal = before.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const same = new RegExp(`^\\s*${literal}\\s*$`);
  await column.locator('.van-picker-column__item--selected').filter({ hasNotText: same }).waitFor();
}
