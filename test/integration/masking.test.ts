/**
 * Phones and ID numbers masked (138****1234) in the customer list and page for a viewer without
 * `customer.view_sensitive` (合规 here), whole for a rep who has it; a reveal gives one whole and
 * writes an audit row each time.
 */
import type { CustomerDetail, CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

describe.each(databaseTargets())('masking phones and ID numbers on $label', (target) => {
  const { api, count } = useCrmServer(target);
  let customer: CustomerView;
  const reveals = () => count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'customer.reveal' AND entity_id = ?", [String(customer.id)]);

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '脱敏客户',
      phone: '13812341234',
      idType: 'resident_id',
      idNumber: '11010519491231002X',
    });
  });

  it('shows the rep who calls the customer the phone whole', async () => {
    const { items } = await api.get<PageOf<CustomerView>>('rep-east-1', '/api/customers?keyword=脱敏客户');

    expect(items[0]).toMatchObject({ phone: '13812341234' });
  });

  it('masks the phone in the list and the page for a viewer without customer.view_sensitive', async () => {
    const { items } = await api.get<PageOf<CustomerView>>('risk-1', '/api/customers?keyword=脱敏客户');
    const page = await api.get<CustomerDetail>('risk-1', `/api/customers/${customer.id}`);

    expect(items[0]).toMatchObject({ phone: '138****1234', sensitiveMasked: true });
    expect(page).toMatchObject({ phone: '138****1234', idNumber: '110***********002X' });
  });

  it('reveals the phone once, with an audit row', async () => {
    const before = await reveals();

    const revealed = await api.send<{ value: string }>('risk-1', 'POST', `/api/customers/${customer.id}/reveal`, { field: 'phone' }, 200);

    expect(revealed.value).toBe('13812341234');
    expect(await reveals()).toBe(before + 1);
  });
});
