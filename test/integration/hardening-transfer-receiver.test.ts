/**
 * A transfer's receiver cannot be used to find out who exists (issue 29, hardening): an id that
 * names nobody and one that names an employee outside the caller's scope get the same answer.
 * The test failed on the code before the fix (400 for the one, 403 for the other).
 */
import type { CustomerView } from '@shared/customers';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

describe.each(databaseTargets())('transfer receiver on $label', (target) => {
  const { api } = useCrmServer(target);
  let customer: CustomerView;

  /** What 华东's manager hears when handing the customer to `toUserId`: status and message. */
  const answerTo = async (path: string, body: Record<string, unknown>) => {
    const res = await (await api.as('mgr-east')).json(path, 'POST', body);
    const error = await errorOf(res);
    return { status: res.status, message: error.message, details: error.details };
  };

  beforeAll(async () => {
    customer = await api.send<CustomerView>('mgr-east', 'POST', '/api/customers', {
      type: 'individual',
      name: '接收人探测',
      phone: '13912300001',
      ownerUserId: await api.userId('rep-east-1'),
    });
  });

  it('answers the same for a missing employee and one outside the caller’s scope (selected customers)', async () => {
    const missing = await answerTo('/api/transfers', { customerIds: [customer.id], toUserId: 999_999 });
    const hidden = await answerTo('/api/transfers', { customerIds: [customer.id], toUserId: await api.userId('rep-south-1') });

    expect(hidden).toEqual(missing);
    expect(missing.status).toBe(400);
  });

  it('answers the same for a missing employee and one outside the caller’s scope (a whole book)', async () => {
    const fromUserId = await api.userId('rep-east-1');
    const missing = await answerTo('/api/transfers/book', { fromUserId, toUserId: 999_999 });
    const hidden = await answerTo('/api/transfers/book', { fromUserId, toUserId: await api.userId('rep-south-1') });

    expect(hidden).toEqual(missing);
  });
});
