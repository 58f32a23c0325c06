/**
 * The daily digest's 投资者保护 lines: a 合格投资者认定 lapsing within 30 days (once), and the rep's
 * buys past their 冷静期 still waiting for a 回访 (every day until done).
 */
import type { CustomerView } from '@shared/customers';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import { addDays, businessDate } from '@shared/time';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { twoDaysOfDigests } from '../helpers/digest';

const TODAY = businessDate(new Date());

describe.each(databaseTargets())('investor-protection reminders on $label', (target) => {
  const { server, api } = useCrmServer(target);

  it('tells the rep of a lapsing qualification once, and of buys waiting for 回访 every day', async () => {
    const fund = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'REM01',
      name: '私募提醒一号',
      category: 'private_fund',
      riskLevel: 'R3',
      qualifiedOnly: true,
    });
    const c = await api.send<CustomerView>('rep-south-1', 'POST', '/api/customers', { type: 'individual', name: '认定将到期客户', ...ASSESSED_C5 });
    await api.send('rep-south-1', 'PUT', `/api/customers/${c.id}/qualification`, { basis: 'income', evidenceOn: TODAY, validUntil: addDays(TODAY, 10) }, 200);
    const sale = await api.send<SaleView>('rep-south-1', 'POST', '/api/sales', {
      productId: fund.id,
      customerId: c.id,
      amount: 1_000_000,
      soldOn: TODAY,
      channel: 'direct',
    });
    await server.db.sequelize.query('UPDATE trades SET cooling_off_ends_at = ? WHERE id = ?', { replacements: [new Date(Date.now() - 60_000), sale.id] });
    const [first, second] = await twoDaysOfDigests(server.db.sequelize, await api.userId('rep-south-1'));
    expect(first).toContain('合格投资者认定 30 天内到期 1 位：认定将到期客户');
    expect(first).toContain('待回访的申购 1 笔');
    expect(second).not.toContain('合格投资者认定');
    expect(second).toContain('待回访的申购 1 笔');
  });
});
