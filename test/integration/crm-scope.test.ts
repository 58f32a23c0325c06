/**
 * server/README.md#permissions-and-data-scopes for every CRM resource, table-driven: a rep sees only their own records, a manager
 * their department subtree, another manager only theirs, an admin everything. Out of scope is
 * 404 for a record (read, update, delete alike) and absent from lists.
 */
import type { ContactView, CustomerView, FollowUpView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { PartnerFollowUpView, PartnerView } from '@shared/partners';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

// own (rep-east-1, 华东), colleague (rep-east-2, 华东), subtree (rep-east-3, 上海团队 under 华东), other (rep-south-1, 华南)
const OWNERS = { own: 'rep-east-1', colleague: 'rep-east-2', subtree: 'rep-east-3', other: 'rep-south-1' } as const;
type Slot = keyof typeof OWNERS;
const VIEWERS: [string, Slot[]][] = [
  ['rep-east-1', ['own']],
  ['mgr-east', ['own', 'colleague', 'subtree']],
  ['mgr-south', ['other']],
  ['admin', ['own', 'colleague', 'subtree', 'other']],
];
const SLOTS = Object.keys(OWNERS) as Slot[];

interface Fixture {
  customer: CustomerView;
  contact: ContactView;
  followUp: FollowUpView;
  sale: SaleView;
  partner: PartnerView;
  partnerFollowUp: PartnerFollowUpView;
}

/** One resource: how to list it, and its record URL, for the fixture of one slot. */
interface Resource {
  name: string;
  /** A list URL and the id of the slot's record in it; `perRecord` lists answer 404 when out of scope. */
  list(f: Fixture): { url: string; id: number; perRecord: boolean };
  record?(f: Fixture): { url: string; patch?: unknown };
}

const RESOURCES: Resource[] = [
  {
    name: 'customer',
    list: (f) => ({ url: '/api/customers?keyword=范围&pageSize=100', id: f.customer.id, perRecord: false }),
    record: (f) => ({ url: `/api/customers/${f.customer.id}`, patch: { version: 1, notes: 'x' } }),
  },
  {
    name: 'contact',
    list: (f) => ({ url: `/api/customers/${f.customer.id}/contacts`, id: f.contact.id, perRecord: true }),
    record: (f) => ({ url: `/api/customers/${f.customer.id}/contacts/${f.contact.id}`, patch: { notes: 'x' } }),
  },
  {
    name: 'follow-up',
    list: (f) => ({ url: `/api/customers/${f.customer.id}/follow-ups`, id: f.followUp.id, perRecord: true }),
    record: (f) => ({ url: `/api/customers/${f.customer.id}/follow-ups/${f.followUp.id}` }),
  },
  { name: 'holding', list: (f) => ({ url: `/api/customers/${f.customer.id}/holdings`, id: -1, perRecord: true }) },
  { name: 'timeline', list: (f) => ({ url: `/api/customers/${f.customer.id}/timeline`, id: -1, perRecord: true }) },
  {
    name: 'sale',
    list: (f) => ({ url: '/api/sales?pageSize=100', id: f.sale.id, perRecord: false }),
    record: (f) => ({ url: `/api/sales/${f.sale.id}`, patch: { notes: 'x' } }),
  },
  {
    name: 'partner',
    list: (f) => ({ url: '/api/partners?keyword=范围&pageSize=100', id: f.partner.id, perRecord: false }),
    record: (f) => ({ url: `/api/partners/${f.partner.id}`, patch: { version: 1, notes: 'x' } }),
  },
  {
    name: 'partner follow-up',
    list: (f) => ({ url: `/api/partners/${f.partner.id}/follow-ups`, id: f.partnerFollowUp.id, perRecord: true }),
    record: (f) => ({ url: `/api/partners/${f.partner.id}/follow-ups/${f.partnerFollowUp.id}` }),
  },
];

describe.each(databaseTargets())('data scope of every CRM resource on $label', (target) => {
  const { api } = useCrmServer(target);
  const fixtures = {} as Record<Slot, Fixture>;

  beforeAll(async () => {
    const product = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'SCOPE01', name: '范围产品', category: 'wealth', riskLevel: 'R1' });
    let n = 0;
    for (const slot of SLOTS) {
      const userid = OWNERS[slot];
      n++;
      const customer = await api.send<CustomerView>(userid, 'POST', '/api/customers', {
        type: 'individual',
        name: `范围客户-${slot}`,
        phone: `1350000000${n}`,
        ...ASSESSED_C5,
      });
      const contact = await api.send<ContactView>(userid, 'POST', `/api/customers/${customer.id}/contacts`, { name: `联系人-${slot}` });
      const followUp = await api.send<FollowUpView>(userid, 'POST', `/api/customers/${customer.id}/follow-ups`, { channel: 'wecom', content: '范围测试' });
      await api.send(userid, 'POST', `/api/customers/${customer.id}/holding-records`, {
        kind: 'buy',
        productId: product.id,
        amount: 1000,
        tradedOn: '2026-05-01',
      });
      const sale = await api.send<SaleView>(userid, 'POST', '/api/sales', {
        productId: product.id,
        customerId: customer.id,
        amount: 1000,
        soldOn: '2026-05-01',
        channel: 'direct',
      });
      const partner = await api.send<PartnerView>(userid, 'POST', '/api/partners', { name: `范围机构-${slot}`, type: 'bank' });
      const partnerFollowUp = await api.send<PartnerFollowUpView>(userid, 'POST', `/api/partners/${partner.id}/follow-ups`, {
        channel: 'visit',
        content: '拜访',
      });
      fixtures[slot] = { customer, contact, followUp, sale, partner, partnerFollowUp };
    }
  });

  describe.each(RESOURCES.map((r) => [r.name, r] as const))('%s', (_name, resource) => {
    it.each(VIEWERS)('%s lists exactly %j', async (viewer, visible) => {
      const browser = await api.as(viewer);
      const seen: Slot[] = [];
      for (const slot of SLOTS) {
        const { url, id, perRecord } = resource.list(fixtures[slot]);
        const res = await browser.fetch(url);
        if (perRecord) {
          if (res.status === 200) seen.push(slot);
          else expect([slot, res.status]).toEqual([slot, 404]);
        } else {
          const page = (await res.json()) as PageOf<{ id: number }>;
          if (page.items.some((item) => item.id === id)) seen.push(slot);
        }
      }
      expect([...new Set(seen)].sort()).toEqual([...visible].sort());
    });

    if (resource.record) {
      const record = resource.record;
      it.each(VIEWERS)('%s cannot read, update or delete records outside %j', async (viewer, visible) => {
        const browser = await api.as(viewer);
        for (const slot of SLOTS.filter((s) => !visible.includes(s))) {
          const { url, patch } = record(fixtures[slot]);
          const statuses = [
            ...(patch ? [(await browser.fetch(url)).status, (await browser.json(url, 'PATCH', patch)).status] : []),
            (await browser.fetch(url, { method: 'DELETE' })).status,
          ];
          expect([slot, statuses]).toEqual([slot, statuses.map(() => 404)]);
        }
      });
    }
  });

  it('keeps a rep from booking a sale or a record for a customer outside their scope', async () => {
    const browser = await api.as('rep-east-1');
    const other = fixtures.other.customer;

    const sale = await browser.json('/api/sales', 'POST', {
      productId: fixtures.own.sale.product.id,
      customerId: other.id,
      amount: 1,
      soldOn: '2026-05-02',
      channel: 'direct',
    });
    const contact = await browser.json(`/api/customers/${other.id}/contacts`, 'POST', { name: '越权' });
    const followUp = await browser.json(`/api/customers/${other.id}/follow-ups`, 'POST', { channel: 'phone', content: '越权' });

    expect([sale.status, contact.status, followUp.status]).toEqual([400, 404, 404]);
  });

  it('keeps a rep from creating a partner owned by someone else', async () => {
    const res = await (
      await api.as('rep-east-1')
    ).json('/api/partners', 'POST', { name: '越权机构', type: 'bank', ownerUserId: await api.userId('rep-south-1') });

    expect(res.status).toBe(403);
  });
});
