/**
 * Every CRM write validates its fields: one bad value on an otherwise valid body → 400 whose
 * details name exactly that field. Dictionary-backed fields also list the allowed codes.
 */
import type { CustomerView } from '@shared/customers';
import type { FieldIssue } from '@shared/http';
import type { PartnerView } from '@shared/partners';
import type { ProductView } from '@shared/products';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

interface Endpoint {
  method: 'POST' | 'PATCH' | 'PUT';
  path: (ids: Ids) => string;
  valid: (ids: Ids) => Record<string, unknown>;
  /** [field, bad value] — the field named in the 400 is the one sent. */
  bad: [string, unknown][];
  userid?: string;
}

interface Ids {
  customer: number;
  product: number;
  partner: number;
}

const long = (n: number) => '长'.repeat(n + 1);

const ENDPOINTS: Record<string, Endpoint> = {
  'create customer': {
    method: 'POST',
    path: () => '/api/customers',
    valid: () => ({ type: 'individual', name: '校验客户' }),
    bad: [
      ['type', 'robot'],
      ['name', ''],
      ['name', long(128)],
      ['status', 'gone'],
      ['lifecycleStage', 'hot'],
      ['source', 'tv'],
      ['level', 'gold'],
      ['institution', long(256)],
      ['title', long(128)],
      ['phone', '12ab'],
      ['email', 'a@'],
      ['notes', long(4000)],
      ['ownerUserId', -1],
      ['ownerUserId', 999_999],
      ['departmentId', 999_999],
      ['nextFollowUpAt', 'tomorrow'],
    ],
  },
  'edit customer': {
    method: 'PATCH',
    path: (ids) => `/api/customers/${ids.customer}`,
    valid: () => ({ version: 1, notes: '改' }),
    bad: [
      ['version', undefined],
      ['version', 'one'],
      ['lifecycleStage', 'hot'],
      ['phone', '+'],
      ['email', 'x'],
    ],
  },
  'add contact': {
    method: 'POST',
    path: (ids) => `/api/customers/${ids.customer}/contacts`,
    valid: () => ({ name: '联系人' }),
    bad: [
      ['name', ''],
      ['phone', 'abc'],
      ['email', 'nope'],
      ['isPrimary', 'yes'],
      ['relation', long(64)],
    ],
  },
  'add follow-up': {
    method: 'POST',
    path: (ids) => `/api/customers/${ids.customer}/follow-ups`,
    valid: () => ({ channel: 'phone', content: '沟通' }),
    bad: [
      ['channel', 'pigeon'],
      ['content', ''],
      ['content', long(4000)],
      ['followedAt', 'yesterday'],
      ['nextFollowUpAt', 'soon'],
      ['outcome', long(512)],
    ],
  },
  'create product': {
    method: 'POST',
    path: () => '/api/products',
    valid: () => ({ code: 'VAL001', name: '校验产品', category: 'wealth', riskLevel: 'R2' }),
    bad: [
      ['code', 'has space'],
      ['name', ''],
      ['category', 'crypto'],
      ['riskLevel', 'R6'],
      ['status', 'sold'],
    ],
    userid: 'admin',
  },
  'record a holding change': {
    method: 'POST',
    path: (ids) => `/api/customers/${ids.customer}/holding-records`,
    valid: (ids) => ({ kind: 'buy', productId: ids.product, amount: 100, tradedOn: '2026-06-01' }),
    bad: [
      ['kind', 'gift'],
      ['productId', 'x'],
      ['productId', 999_999],
      ['amount', 0],
      ['amount', 1.001],
      ['shares', -1],
      ['tradedOn', '2026-02-30'],
    ],
  },
  'book a sale': {
    method: 'POST',
    path: () => '/api/sales',
    valid: (ids) => ({ productId: ids.product, customerId: ids.customer, amount: 100, soldOn: '2026-06-01', channel: 'direct' }),
    bad: [
      ['productId', 999_999],
      ['customerId', 999_999],
      ['amount', 0],
      ['amount', 1e12],
      ['soldOn', '2026/06/01'],
      ['channel', 'online'],
      ['partnerId', 999_999],
      ['repUserId', 999_999],
      ['notes', long(512)],
    ],
  },
  'create partner': {
    method: 'POST',
    path: () => '/api/partners',
    valid: () => ({ name: '校验机构', type: 'bank' }),
    bad: [
      ['name', ''],
      ['type', 'fund'],
      ['status', 'dating'],
      ['creditCode', '91-310000'],
      ['contactPhone', 'call me'],
      ['agreementSignedOn', '2026-13-01'],
    ],
  },
  'set a target': {
    method: 'PUT',
    path: () => '/api/targets',
    valid: () => ({ period: '2026-Q4', scopeType: 'department', scopeId: 2, metric: 'follow_ups', value: 100 }),
    bad: [
      ['period', '2026-Q5'],
      ['scopeType', 'team'],
      ['scopeId', 999_999],
      ['metric', 'calls'],
      ['value', -1],
      ['value', 2.5],
    ],
    userid: 'admin',
  },
};

describe.each(databaseTargets())('CRM validation on $label', (target) => {
  const { api } = useCrmServer(target);
  const ids = {} as Ids;

  beforeAll(async () => {
    ids.customer = (await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '校验基准客户', ...ASSESSED_C5 })).id;
    ids.product = (
      await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'VAL000', name: '校验基准产品', category: 'wealth', riskLevel: 'R1' })
    ).id;
    ids.partner = (await api.send<PartnerView>('rep-east-1', 'POST', '/api/partners', { name: '校验基准机构', type: 'bank' })).id;
  });

  const cases = Object.entries(ENDPOINTS).flatMap(([name, endpoint]) => endpoint.bad.map(([field, value]) => [name, field, value, endpoint] as const));

  it.each(cases)('%s: %s = %j → 400 naming the field', async (_name, field, value, endpoint) => {
    const body = { ...endpoint.valid(ids), [field]: value };
    if (field === 'partnerId') body.channel = 'consignment';

    const res = await (await api.as(endpoint.userid ?? 'rep-east-1')).json(endpoint.path(ids), endpoint.method, body);

    expect(res.status).toBe(400);
    expect(((await errorOf(res)).details as FieldIssue[]).map((d) => d.field)).toEqual([field]);
  });

  it('lists the allowed codes for a dictionary field', async () => {
    const res = await (await api.as('rep-east-1')).json('/api/partners', 'POST', { name: '字典校验', type: 'fund' });

    expect(((await errorOf(res)).details as (FieldIssue & { allowed: string[] })[])[0]!.allowed).toEqual(['bank', 'securities', 'third_party', 'insurance']);
  });
});
