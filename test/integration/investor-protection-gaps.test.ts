/**
 * Issue 33's gaps: the sidebar card and a customer's contacts mask phones (138****1234) for a
 * viewer without `customer.view_sensitive` (合规 here) as the customer pages do, whole for the rep
 * who has it, a contact's phone revealed through the audited reveal; and a 适当性例外 request for a
 * 仅限合格投资者 product shows the approver the missing qualification.
 */
import type { ApprovalView } from '@shared/approvals';
import type { ContactView, CustomerDetail, CustomerView } from '@shared/customers';
import type { ProductView } from '@shared/products';
import type { SidebarCard } from '@shared/sidebar';
import { businessDate } from '@shared/time';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { deliverCallbacks } from '../helpers/server';

const TODAY = businessDate(new Date());

describe.each(databaseTargets())('investor-protection gaps on $label', (target) => {
  const { server, api, count } = useCrmServer(target, { settings: { autoCreateLeads: false }, syncExternalContacts: true });
  let customer: CustomerView;
  let contact: ContactView;
  const externalUserid = 'wmMASK0001';
  const reveals = () => count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'customer.reveal' AND entity_id = ?", [String(customer.id)]);
  const card = (userid: string) => api.get<SidebarCard>(userid, `/api/sidebar/external-contacts/${externalUserid}`);

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '卡片脱敏客户',
      phone: '13812345678',
      idType: 'resident_id',
      idNumber: '11010519491231002X',
    });
    contact = await api.send<ContactView>('rep-east-1', 'POST', `/api/customers/${customer.id}/contacts`, { name: '客户助理', phone: '13987654321' });
    server.simulator.state.addExternalContact(
      { external_userid: externalUserid, name: '卡片脱敏', type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [], remark_mobiles: ['13812345678'] },
    );
    await deliverCallbacks(server);
  });

  it('shows the rep who follows the contact the card’s phone whole', async () => {
    const { customer: shown } = await card('rep-east-1');

    expect(shown).toMatchObject({ access: 'full', profile: { phone: '13812345678', idNumber: '11010519491231002X' } });
  });

  it('masks the card’s phone and ID number for a viewer without customer.view_sensitive', async () => {
    const { customer: shown } = await card('risk-1');

    expect(shown).toMatchObject({ access: 'full', profile: { phone: '138****5678', idNumber: '110***********002X', sensitiveMasked: true } });
  });

  it('masks contact phones in the list, the contact and the page’s primary contact for that viewer, not for the rep', async () => {
    const [listed] = await api.get<ContactView[]>('risk-1', `/api/customers/${customer.id}/contacts`);
    const one = await api.get<ContactView>('risk-1', `/api/customers/${customer.id}/contacts/${contact.id}`);
    const page = await api.get<CustomerDetail>('risk-1', `/api/customers/${customer.id}`);
    const [forRep] = await api.get<ContactView[]>('rep-east-1', `/api/customers/${customer.id}/contacts`);

    expect(listed).toMatchObject({ phone: '139****4321', sensitiveMasked: true });
    expect(one.phone).toBe('139****4321');
    expect(page.primaryContact?.phone).toBe('139****4321');
    expect(forRep?.phone).toBe('13987654321');
  });

  it('reveals a contact’s phone through the customer’s reveal, with an audit row', async () => {
    const before = await reveals();

    const revealed = await api.send<{ value: string }>(
      'risk-1',
      'POST',
      `/api/customers/${customer.id}/reveal`,
      { field: 'contactPhone', contactId: contact.id },
      200,
    );

    expect(revealed.value).toBe('13987654321');
    expect(await reveals()).toBe(before + 1);
  });

  it('shows a 合格投资者 row on a suitability exception for a qualified-only product the customer is not qualified for', async () => {
    const product = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'PEXQ01',
      name: '私募例外产品',
      category: 'private_fund',
      riskLevel: 'R4',
      qualifiedOnly: true,
    });
    const buyer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '未认定客户',
      riskLevel: 'C2',
      riskAssessedOn: TODAY,
    });
    const res = await (
      await api.as('rep-east-1')
    ).json('/api/sales', 'POST', {
      productId: product.id,
      customerId: buyer.id,
      amount: 100_000,
      soldOn: TODAY,
      channel: 'direct',
      suitabilityOverride: { reason: '客户书面确认坚持购买' },
    });
    const approval = (await res.json()) as ApprovalView;

    expect(res.status).toBe(202);
    expect(approval.subject).toContainEqual(expect.objectContaining({ label: '合格投资者', tone: 'warn', value: expect.stringContaining('仅限合格投资者') }));
  });
});
