/**
 * 我的跟进 → 我写的跟进 at a PC (1280×800): what the rep wrote across customers as a table, with the
 * customer in a column, a row opening that customer's 跟进. Screenshot in test/artifacts.
 */
import type { CustomerView } from '@shared/customers';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot } from '../helpers/browser';
import { crmClient } from '../helpers/crm';
import { useH5Suite } from '../helpers/h5-suite';

describe('我写的跟进 as a table on a wide screen', () => {
  let customers: CustomerView[] = [];
  const suite = useH5Suite({
    async setUp({ server }) {
      const api = crmClient(server);
      customers = [];
      for (const [name, phone] of [
        ['表格跟进甲', '13700007701'],
        ['表格跟进乙', '13700007702'],
      ] as const) {
        const customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name, phone });
        await api.send('rep-east-1', 'POST', `/api/customers/${customer.id}/follow-ups`, { channel: 'phone', content: `${name}：电话沟通了产品` }, 201);
        customers.push(customer);
      }
    },
  });

  it('lists the rep’s follow-ups with their customers, and a row opens the customer’s 跟进', async () => {
    const desk = await openPhonePage(suite.browser, suite.server.baseUrl, { desktop: true, viewport: { width: 1280, height: 800 } });
    const { page, errors } = desk;
    await loginThroughSimulator(desk, '/follow-ups', 'rep-east-1');
    await page.getByRole('tab', { name: '我写的跟进' }).click();
    const table = page.getByTestId('my-follow-up-table');
    await table.waitFor();
    const row = page.getByTestId('my-follow-up').filter({ hasText: '表格跟进乙：电话沟通了产品' });
    await row.waitFor();
    await nextPaint(page);
    await screenshot(page, 'my-follow-ups-table-1280');

    expect(await page.getByTestId('my-follow-up-head-customer').innerText()).toBe('客户');
    expect(await row.locator('td[data-column=customer]').innerText()).toBe('表格跟进乙');
    expect(await page.getByTestId('my-follow-up-head-user').count()).toBe(0);
    await row.click();
    await page.waitForURL(new RegExp(`/customers/${customers[1]!.id}\\?tab=follow-ups$`));
    expect(errors).toEqual([]);
    await desk.context.close();
  });
});
