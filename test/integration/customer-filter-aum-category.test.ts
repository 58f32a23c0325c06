/**
 * Two audience dimensions of the customer filter (the list, its exports and a 客户群发's audience):
 * an AUM band (`aumMin` inclusive, `aumBelow` exclusive, in yuan, the list's own 资产: live
 * holdings at the latest NAV, at par without one) and holders of a 产品类别 (`productCategory`).
 */
import type { PageOf } from '@shared/http';
import type { CustomerListItem } from '@shared/customers';
import type { MassAudiencePreview } from '@shared/mass-messages';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const TODAY = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe.each(databaseTargets())('AUM band and product-category filters on $label', (target) => {
  const { api } = useCrmServer(target);
  const names = { large: '资产段大户', middle: '资产段中户', none: '资产段空户' };

  beforeAll(async () => {
    const product = (code: string, category: string) =>
      api.send<{ id: number }>('admin', 'POST', '/api/products', { code, name: `资产段${code}`, category, riskLevel: 'R2' });
    // Neither has a NAV: valued at par, so the AUM is the amount bought.
    const fund = await product('AUMFUND', 'public_fund');
    const wealth = await product('AUMWEALTH', 'wealth');
    const customer = async (name: string) =>
      (await api.send<{ id: number }>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name, ...ASSESSED_C5 })).id;
    const buy = (customerId: number, productId: number, amount: number) =>
      api.send('rep-east-1', 'POST', '/api/sales', { productId, customerId, amount, soldOn: TODAY, channel: 'direct' });
    await buy(await customer(names.large), fund.id, 3_000_000);
    await buy(await customer(names.middle), wealth.id, 800_000);
    await customer(names.none);
  });

  const listed = async (query: Record<string, string>) =>
    (await api.get<PageOf<CustomerListItem>>('rep-east-1', `/api/customers?${new URLSearchParams({ keyword: '资产段', ...query })}`)).items
      .map((c) => c.name)
      .sort();

  it('keeps the customers whose AUM is in the band, the lower bound in and the upper out', async () => {
    expect(await listed({ aumMin: '1000000' })).toEqual([names.large]);
    expect(await listed({ aumMin: '800000', aumBelow: '3000000' })).toEqual([names.middle]);
    expect(await listed({ aumBelow: '1' })).toEqual([names.none]);
  });

  it('keeps the holders of a product category', async () => {
    expect(await listed({ productCategory: 'wealth' })).toEqual([names.middle]);
    expect(await listed({ productCategory: 'public_fund' })).toEqual([names.large]);
  });

  it('aims a 客户群发 with them: the preview counts the same customers', async () => {
    const preview = await api.send<MassAudiencePreview>(
      'mgr-east',
      'POST',
      '/api/mass-messages/preview',
      { audience: { keyword: '资产段', aumMin: 500_000 } },
      200,
    );
    expect(preview.matched).toBe(2);
  });

  it('refuses a negative bound with a Chinese message', async () => {
    const res = await (await api.as('rep-east-1')).fetch('/api/customers?aumMin=-5');
    const body = (await res.json()) as { error: { message: string; details?: { field: string; message: string }[] } };
    expect(res.status).toBe(400);
    expect(JSON.stringify(body.error)).toMatch(/[\u4e00-\u9fa5]/);
    expect(JSON.stringify(body.error)).not.toMatch(/Number must|Too small|expected/i);
  });
});
