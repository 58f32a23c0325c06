/**
 * 商机 (issue 35 [pipeline]): an opportunity moves through the stages of the `opportunity_stage`
 * dictionary, each move on the customer's timeline; 成交 books exactly one buy through the trade
 * ledger — suitability applies, and a refused buy leaves the opportunity where it was; 输单 needs a
 * reason from the dictionary; a closed opportunity moves no more; scope like customers.
 */
import type { CustomerView, TimelineEntry } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { OpportunityView } from '@shared/opportunities';
import type { ProductView } from '@shared/products';
import { businessDate } from '@shared/time';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

const TODAY = businessDate(new Date());

describe.each(databaseTargets())('opportunities on $label', (target) => {
  const { api, count } = useCrmServer(target);
  let seq = 0;
  let r2: ProductView;
  let r5: ProductView;
  const customer = (profile: Record<string, unknown> = ASSESSED_C5) =>
    api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: `商机客户${++seq}`,
      phone: `1350000${String(seq).padStart(4, '0')}`,
      ...profile,
    });
  const open = (c: CustomerView, product: ProductView, extra: Record<string, unknown> = {}) =>
    api.send<OpportunityView>('rep-east-1', 'POST', '/api/opportunities', {
      name: `${c.name}的追加`,
      customerId: c.id,
      productIds: [product.id],
      expectedAmount: 200_000,
      expectedOn: '2026-12-31',
      ...extra,
    });
  const move = async (id: number, body: Record<string, unknown>, as = 'rep-east-1') => (await api.as(as)).json(`/api/opportunities/${id}`, 'PATCH', body);

  beforeAll(async () => {
    r2 = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'OPPR2', name: '稳健二号', category: 'public_fund', riskLevel: 'R2' });
    r5 = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'OPPR5', name: '进取五号', category: 'public_fund', riskLevel: 'R5' });
  });

  it('starts at the first stage with its probability and the customer owner as owner', async () => {
    const c = await customer();
    const o = await open(c, r2);
    expect(o).toMatchObject({ stage: 'initial', stageLabel: '初步沟通', probability: 10, expectedAmount: 200_000, weightedAmount: 20_000 });
    expect(o.owner.id).toBe(await api.userId('rep-east-1'));
  });

  it('logs every stage it enters on the customer timeline', async () => {
    const c = await customer();
    const o = await open(c, r2);
    expect((await move(o.id, { stage: 'needs' })).status).toBe(200);
    const timeline = await api.get<PageOf<TimelineEntry>>('rep-east-1', `/api/customers/${c.id}/timeline`);
    const moves = timeline.items.filter((e) => e.kind === 'opportunity').map((e) => e.summary);
    expect(moves).toEqual([`商机「${o.name}」：初步沟通 → 需求确认`, `新建商机「${o.name}」：初步沟通`]);
  });

  it('成交 books one buy of the first product at the expected amount and links it', async () => {
    const c = await customer();
    const o = await open(c, r2);

    const res = await move(o.id, { stage: 'won', tradedOn: TODAY });

    expect(res.status).toBe(200);
    const won = (await res.json()) as OpportunityView;
    expect(won).toMatchObject({ stage: 'won', probability: 100 });
    expect(won.tradeId).not.toBeNull();
    expect(await count("SELECT COUNT(*) AS n FROM trades WHERE customer_id = ? AND kind = 'buy' AND voided_at IS NULL", [c.id])).toBe(1);
    expect(await count('SELECT amount_fen AS n FROM trades WHERE id = ?', [won.tradeId])).toBe(20_000_000);
    expect(await count('SELECT product_id AS n FROM trades WHERE id = ?', [won.tradeId])).toBe(r2.id);
  });

  it('成交 of a product above the customer’s level is refused with the suitability check, and the opportunity does not move', async () => {
    const c = await customer({ riskLevel: 'C2', riskAssessedOn: TODAY });
    const o = await open(c, r5);

    const res = await move(o.id, { stage: 'won' });

    expect(res.status).toBe(409);
    expect(await errorOf(res)).toMatchObject({ code: 'suitability_mismatch', details: { customerLevel: 'C2', productLevel: 'R5' } });
    expect(await count('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', [c.id])).toBe(0);
    expect((await api.get<OpportunityView>('rep-east-1', `/api/opportunities/${o.id}`)).stage).toBe('initial');
    expect(await count('SELECT COUNT(*) AS n FROM opportunity_stage_changes WHERE opportunity_id = ?', [o.id])).toBe(1);
  });

  it('输单 needs a reason from the dictionary', async () => {
    const o = await open(await customer(), r2);
    const without = await move(o.id, { stage: 'lost' });
    expect(without.status).toBe(400);
    const unknown = await move(o.id, { stage: 'lost', lossReason: 'weather' });
    expect(unknown.status).toBe(400);

    const lost = await move(o.id, { stage: 'lost', lossReason: 'competitor' });

    expect(lost.status).toBe(200);
    expect(await lost.json()).toMatchObject({ stage: 'lost', lossReason: 'competitor', lossReasonLabel: '选择了其他机构' });
  });

  it('a closed opportunity moves no more, and a second 成交 books nothing', async () => {
    const c = await customer();
    const o = await open(c, r2);
    expect((await move(o.id, { stage: 'won' })).status).toBe(200);

    const again = await move(o.id, { stage: 'won' });

    expect(again.status).toBe(409);
    expect(await count('SELECT COUNT(*) AS n FROM trades WHERE customer_id = ?', [c.id])).toBe(1);
  });

  it('moves only into an enabled stage', async () => {
    const o = await open(await customer(), r2);
    const res = await move(o.id, { stage: 'signed' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toEqual([expect.objectContaining({ field: 'stage' })]);
  });

  it('is invisible outside the caller’s scope, like its customer', async () => {
    const o = await open(await customer(), r2);
    expect((await (await api.as('rep-south-1')).fetch(`/api/opportunities/${o.id}`)).status).toBe(404);
    expect((await move(o.id, { stage: 'needs' }, 'rep-south-1')).status).toBe(404);
    const theirs = await api.get<PageOf<OpportunityView>>('rep-south-1', '/api/opportunities');
    expect(theirs.items.map((x) => x.id)).not.toContain(o.id);
    expect((await api.get<PageOf<OpportunityView>>('mgr-east', '/api/opportunities?status=open')).items.map((x) => x.id)).toContain(o.id);
  });

  it('cannot be opened for a customer outside the caller’s scope', async () => {
    const c = await customer();
    const res = await (
      await api.as('rep-south-1')
    ).json('/api/opportunities', 'POST', {
      name: '越权商机',
      customerId: c.id,
      productIds: [r2.id],
      expectedAmount: 1000,
      expectedOn: '2026-12-31',
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toEqual([expect.objectContaining({ field: 'customerId' })]);
  });

  it('follows its customer into a merge', async () => {
    const keep = await customer();
    const dup = await customer();
    const o = await open(dup, r2);
    await api.send('admin', 'POST', `/api/customers/${keep.id}/merge`, { sourceIds: [dup.id] }, 200);
    expect((await api.get<OpportunityView>('rep-east-1', `/api/opportunities/${o.id}`)).customer.id).toBe(keep.id);
    const timeline = await api.get<PageOf<TimelineEntry>>('rep-east-1', `/api/customers/${keep.id}/timeline`);
    expect(timeline.items.some((e) => e.kind === 'opportunity' && e.summary.includes(o.name))).toBe(true);
  });
});
