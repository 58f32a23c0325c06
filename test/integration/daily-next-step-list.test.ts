/**
 * 下一步 on the workbench's due list (issue 36): each customer-list row carries the planned action of
 * the follow-up that set the customer's next follow-up, so the list shows what is to be done.
 */
import type { CustomerListItem, CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const inDays = (days: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + days * 86_400_000).toISOString();

describe.each(databaseTargets())('the planned 下一步 on customer rows on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let seq = 0;
  const customer = async () => {
    seq++;
    return api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: `下一步客户${seq}`,
      phone: `1361100${String(seq).padStart(4, '0')}`,
    });
  };
  const followUp = (customerId: number, body: Record<string, unknown> = {}) =>
    api.send('rep-east-1', 'POST', `/api/customers/${customerId}/follow-ups`, { channel: 'phone', content: '电话沟通', ...body });
  const row = async (c: CustomerView) =>
    (await api.get<PageOf<CustomerListItem>>('rep-east-1', `/api/customers?keyword=${encodeURIComponent(c.name)}`)).items.find((i) => i.id === c.id)!;

  it('shows the action of the follow-up that planned the next one', async () => {
    const c = await customer();
    await followUp(c.id, { nextAction: '寄送产品资料', nextFollowUpAt: inDays(1) });

    expect((await row(c)).nextAction).toBe('寄送产品资料');
  });

  it('shows the newest plan once a later follow-up replaces it', async () => {
    const c = await customer();
    await followUp(c.id, { nextAction: '寄送产品资料', nextFollowUpAt: inDays(1) });
    await followUp(c.id, { nextAction: '约见面谈', nextFollowUpAt: inDays(3) });

    expect((await row(c)).nextAction).toBe('约见面谈');
  });

  it('shows none when the latest follow-up plans no next step, or none was ever written', async () => {
    const planless = await customer();
    await followUp(planless.id, { nextAction: '寄送产品资料', nextFollowUpAt: inDays(1) });
    await followUp(planless.id);
    const fresh = await customer();

    expect((await row(planless)).nextAction).toBeNull();
    expect((await row(fresh)).nextAction).toBeNull();
  });

  it('carries it on the due list the workbench reads', async () => {
    const c = await customer();
    await followUp(c.id, { nextAction: '回访确认到账', nextFollowUpAt: inDays(1) });
    // The plan has come due: yesterday, on the customer and on the follow-up that set it.
    const yesterday = new Date(Date.now() - 86_400_000);
    await server.db.sequelize.query('UPDATE customers SET next_follow_up_at = ? WHERE id = ?', { replacements: [yesterday, c.id] });
    await server.db.sequelize.query('UPDATE follow_ups SET next_follow_up_at = ? WHERE customer_id = ?', { replacements: [yesterday, c.id] });

    const due = await api.get<PageOf<CustomerListItem>>('rep-east-1', '/api/customers?followUp=due&sort=next_follow_up_asc&pageSize=100');

    expect(due.items.find((i) => i.id === c.id)?.nextAction).toBe('回访确认到账');
  });
});
