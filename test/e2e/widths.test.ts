/** The main pages at the narrowest and widest phones (320 / 430 px) and in a desktop browser: nothing overflows sideways. */
import type { Page } from 'playwright-core';
import { loginThroughSimulator, openPhonePage, screenshot, settled } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

const PAGES: [path: string, ready: string][] = [
  ['/workbench', 'due-follow-ups'],
  ['/customers', 'customer-count'],
  ['/dashboard', 'dashboard-customers'],
  ['/products', 'product'], // a product's row: the phone list's cell or, from 1024 px, the table's row
];

/** How many CSS pixels the page is wider than the window (0 when nothing sticks out). */
const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

describe('the H5 from 320 px phones to a desktop browser', () => {
  const suite = useH5Suite({ seedCrm: true });

  describe.each([
    ['320 px phone', { viewport: { width: 320, height: 640 } }, 'w320'],
    ['430 px phone', { viewport: { width: 430, height: 932 } }, 'w430'],
    ['desktop browser', { viewport: { width: 1280, height: 800 }, desktop: true }, 'desktop'],
  ] as const)('%s', (_, options, tag) => {
    it.each(PAGES)('lays out %s within the width', async (path, ready) => {
      const phone = await openPhonePage(suite.browser, suite.server.baseUrl, options);
      await loginThroughSimulator(phone, path, 'mgr-east');

      await phone.page.getByTestId(ready).first().waitFor();
      await settled(phone.page);
      await screenshot(phone.page, `${tag}-${path.slice(1)}`);

      expect(await overflow(phone.page)).toBeLessThanOrEqual(0);
      expect(phone.errors).toEqual([]);
      await phone.context.close();
    });
  });
});
