import { openPhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
describe('dbg', () => {
  const suite = useH5Suite({});
  it('x', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    phone.page.on('request', (r) => console.log('REQ', r.url()));
    await phone.page.goto('/sidebar?contact=abc');
    await phone.page.waitForTimeout(3000);
    console.log(phone.errors, phone.page.url(), (await phone.page.content()).slice(-600));
  });
});
