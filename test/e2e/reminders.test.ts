/** A reminder's link, opened in WeCom by someone without a session, lands on the record after login. */
import type { CustomerView } from '@shared/customers';
import { sendDueNotifications } from '../../server/modules/reminders/outbox';
import { openPhonePage, screenshot } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
import { crmClient } from '../helpers/crm';

describe('reminder deep links in Chromium at 375x812', () => {
  const suite = useH5Suite();

  it('opens the transferred customer from the WeCom message, through login', async () => {
    const api = crmClient(suite.server);
    const customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '深链客户', phone: '13911112222' });
    await api.send('mgr-east', 'POST', '/api/customers/transfer', { customerIds: [customer.id], toUserId: await api.userId('rep-east-2') }, 200);
    await sendDueNotifications(
      { sequelize: suite.server.db.sequelize, wecom: suite.server.wecom, logger: suite.server.logger, publicUrl: suite.server.config.publicUrl },
      new Date(),
    );
    const message = suite.server.simulator.api.sentMessages.find((m) => m.touser === 'rep-east-2') as { textcard: { url: string } };
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;

    await page.goto(message.textcard.url);
    await page.locator('[data-userid="rep-east-2"]').click();
    await page.waitForURL((url) => url.pathname === `/customers/${customer.id}`);
    await page.getByTestId('customer-head').getByText('深链客户').waitFor();
    await screenshot(page, 'reminder-deep-link');

    expect(new URL(message.textcard.url).pathname).toBe(`/customers/${customer.id}`);
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await phone.context.close();
  });
});
