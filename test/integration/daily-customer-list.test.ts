/**
 * The customer list a sales team expects (issue 36): pinyin-initials search from a stored column,
 * sorts by AUM and by follow-up dates, filters by risk level and holdings.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { addDays, businessDate } from '@shared/time';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const inDays = (days: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + days * 86_400_000).toISOString();
const ORG = '排序测试机构';

describe.each(databaseTargets())('the customer list on $label', (target) => {
  const { server, api } = useCrmServer(target);
  const made: Record<string, CustomerView> = {};
  const list = (query: string) => api.get<PageOf<CustomerView>>('rep-east-1', `/api/customers?pageSize=100&${query}`);
  const names = async (query: string) => (await list(`keyword=${encodeURIComponent(ORG)}&${query}`)).items.map((c) => c.name);

  beforeAll(async () => {
    const product = await api.send<{ id: number }>('admin', 'POST', '/api/products', { code: 'SORT-W', name: '排序理财', category: 'wealth', riskLevel: 'R2' });
    for (const [name, phone] of [
      ['张晨娜', '13500000001'],
      ['曾小贤', '13500000002'],
      ['李大伟', '13500000003'],
    ] as const)
      made[name] = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name, phone, institution: ORG });
    // Only 合规 may set a risk profile by hand: 李大伟 is assessed, the others are not.
    await api.send('admin', 'PATCH', `/api/customers/${made['李大伟']!.id}`, { ...ASSESSED_C5, version: made['李大伟']!.version });
    await api.send('admin', 'PATCH', `/api/customers/${made['张晨娜']!.id}`, { ...ASSESSED_C5, version: made['张晨娜']!.version });
    const soldOn = addDays(businessDate(new Date()), -3);
    for (const [name, amount] of [
      ['李大伟', 50_000],
      ['张晨娜', 200_000],
    ] as const)
      await api.send('rep-east-1', 'POST', '/api/sales', { productId: product.id, customerId: made[name]!.id, amount, soldOn, channel: 'direct' });
    made.product = { id: product.id } as CustomerView;
    const followUp = (name: string, body: Record<string, unknown>) =>
      api.send('rep-east-1', 'POST', `/api/customers/${made[name]!.id}/follow-ups`, { channel: 'phone', content: '沟通', ...body });
    await followUp('曾小贤', { followedAt: inDays(-5), nextFollowUpAt: inDays(1) });
    await followUp('李大伟', { followedAt: inDays(-1), nextFollowUpAt: inDays(6) });
  });

  it('finds 张晨娜 by the initials zcn', async () => {
    const found = await list('keyword=zcn');

    expect(found.items.map((c) => c.name)).toEqual(['张晨娜']);
  });

  it('reads a surname as a surname: zxx finds 曾小贤', async () => {
    expect((await list('keyword=ZXX')).items.map((c) => c.name)).toEqual(['曾小贤']);
  });

  it('keeps the initials with the name when it is renamed', async () => {
    const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '王改名', phone: '13500000009' });

    await api.send('rep-east-1', 'PATCH', `/api/customers/${c.id}`, { name: '孙悟空', version: c.version });
    const [row] = await server.db.sequelize.query<{ name_initials: string }>('SELECT name_initials FROM customers WHERE id = ?', {
      replacements: [c.id],
      type: QueryTypes.SELECT,
    });

    expect(row!.name_initials).toBe('swk');
    expect((await list('keyword=swk')).items.map((x) => x.id)).toEqual([c.id]);
  });

  it('sorts by assets under management, largest first, customers without holdings last', async () => {
    expect(await names('sort=aum_desc')).toEqual(['张晨娜', '李大伟', '曾小贤']);
  });

  it('sorts by the last follow-up, newest first, never followed last', async () => {
    expect(await names('sort=last_follow_up_desc')).toEqual(['李大伟', '曾小贤', '张晨娜']);
  });

  it('sorts by the next follow-up, soonest first, none planned last', async () => {
    expect(await names('sort=next_follow_up_asc')).toEqual(['曾小贤', '李大伟', '张晨娜']);
  });

  it('filters by risk level, by a lapsed or missing assessment, and by holders of a product', async () => {
    expect((await names('riskLevel=C5')).sort()).toEqual(['张晨娜', '李大伟'].sort());
    expect(await names('riskValidity=missing')).toEqual(['曾小贤']);
    expect(await names(`productId=${made.product!.id}&sort=aum_desc`)).toEqual(['张晨娜', '李大伟']);
  });
});
