/**
 * 商机漏斗与预测 on 看板 (issue 35 [pipeline]) on a fixed fixture of opportunities expected in
 * 2027 Q1: the forecast of each month is Σ amount × the stage's probability, against the month's
 * target; the funnel counts each stage; conversion follows the stages entered; stale opportunities
 * are the open ones without a move for N days; the loss reasons and the per-rep figures add up; a
 * rep of another region sees none of it.
 */
import type { CustomerView } from '@shared/customers';
import type { PipelineDashboard } from '@shared/dashboard';
import type { OpportunityView } from '@shared/opportunities';
import type { ProductView } from '@shared/products';
import { ASSESSED_C5 } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

/** [rep, stage to end in, amount, expected on]: the moves go through every stage before it. */
const FIXTURE: [string, string, number, string][] = [
  ['rep-east-1', 'initial', 100_000, '2027-01-10'],
  ['rep-east-1', 'needs', 200_000, '2027-01-20'],
  ['rep-east-1', 'proposal', 300_000, '2027-02-05'],
  ['rep-east-2', 'pending_payment', 400_000, '2027-02-15'],
  ['rep-east-2', 'won', 50_000, '2027-01-25'],
  ['rep-east-2', 'lost', 80_000, '2027-03-01'],
  ['rep-east-1', 'lost', 60_000, '2027-03-02'],
];
const PROBABILITY: Record<string, number> = { initial: 10, needs: 30, proposal: 50, pending_payment: 80, won: 100, lost: 0 };
const LADDER = ['initial', 'needs', 'proposal', 'pending_payment', 'won'];

describe.each(databaseTargets())('the pipeline board on $label', (target) => {
  const { api, server } = useCrmServer(target);
  const made: OpportunityView[] = [];
  let board: PipelineDashboard;

  beforeAll(async () => {
    const product = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'PIPE1',
      name: '漏斗一号',
      category: 'public_fund',
      riskLevel: 'R2',
    });
    let seq = 0;
    for (const [rep, stage, amount, expectedOn] of FIXTURE) {
      const c = await api.send<CustomerView>(rep, 'POST', '/api/customers', {
        type: 'individual',
        name: `漏斗客户${++seq}`,
        phone: `1360000${String(seq).padStart(4, '0')}`,
        ...ASSESSED_C5,
      });
      const o = await api.send<OpportunityView>(rep, 'POST', '/api/opportunities', {
        name: `漏斗${seq}`,
        customerId: c.id,
        productIds: [product.id],
        expectedAmount: amount,
        expectedOn,
      });
      const path = stage === 'lost' ? ['needs', 'lost'] : LADDER.slice(1, LADDER.indexOf(stage) + 1);
      for (const next of path)
        await api.send(
          rep,
          'PATCH',
          `/api/opportunities/${o.id}`,
          next === 'lost' ? { stage: next, lossReason: seq % 2 ? 'competitor' : 'yield' } : { stage: next },
          200,
        );
      made.push(o);
    }
    const [department] = await server.db.sequelize.query<{ id: number }>("SELECT id FROM departments WHERE name = '华东销售部'", { type: 'SELECT' as never });
    for (const [period, value] of [
      ['2027-01', 500_000],
      ['2027-Q1', 900_000],
    ] as const)
      await api.send('admin', 'PUT', '/api/targets', { period, scopeType: 'department', scopeId: department!.id, metric: 'sales_amount', value }, 200);
    // The first opportunity has not moved for 20 days.
    await server.db.sequelize.query('UPDATE opportunities SET stage_changed_at = ? WHERE id = ?', {
      replacements: [new Date(Date.now() - 20 * 86_400_000), made[0]!.id],
    });
    board = await api.get<PipelineDashboard>('mgr-east', '/api/dashboard/pipeline?period=2027-Q1');
  });

  it('forecasts each month as the sum of amount × probability of the opportunities expected in it', () => {
    const expected = (month: string) =>
      FIXTURE.filter(([, , , on]) => on.startsWith(month)).reduce((sum, [, stage, amount]) => sum + (amount * PROBABILITY[stage]!) / 100, 0);
    expect(board.forecast.map((m) => [m.month, m.weighted])).toEqual([
      ['2027-01', expected('2027-01')],
      ['2027-02', expected('2027-02')],
      ['2027-03', expected('2027-03')],
    ]);
    expect(board.weighted).toBe(expected('2027'));
  });

  it('sets each month against its target, a month without one at a third of its quarter', () => {
    expect(board.forecast.map((m) => m.target)).toEqual([500_000, 300_000, 300_000]);
  });

  it('counts every stage with its amount', () => {
    const figure = (code: string) => board.stages.find((s) => s.code === code);
    expect(figure('proposal')).toMatchObject({ label: '方案推荐', count: 1, amount: 300_000, weighted: 150_000 });
    expect(figure('lost')).toMatchObject({ count: 2, amount: 140_000 });
    expect(board.won).toEqual({ count: 1, amount: 50_000 });
  });

  it('converts between stages by the stages each opportunity entered', () => {
    // Reached 初步沟通: all 7; 需求确认: all but the first (6); 方案推荐: 3 (the lost ones stopped at 需求确认); 待打款: 2; 成交: 1.
    expect(board.conversion.map((c) => [c.from, c.to, c.reached, c.advanced])).toEqual([
      ['initial', 'needs', 7, 6],
      ['needs', 'proposal', 6, 3],
      ['proposal', 'pending_payment', 3, 2],
      ['pending_payment', 'won', 2, 1],
    ]);
  });

  it('finds the stale open opportunities', () => {
    expect(board.stale).toEqual({ days: 14, count: 1, amount: 100_000 });
  });

  it('counts the loss reasons', () => {
    expect(board.lossReasons.map((r) => [r.code, r.count, r.amount])).toEqual([
      ['competitor', 1, 60_000],
      ['yield', 1, 80_000],
    ]);
  });

  it('splits the figures per rep', () => {
    const east2 = board.byRep.find((r) => r.user.name === '王强');
    expect(east2).toMatchObject({ open: 1, openAmount: 400_000, weighted: 370_000, won: 1, wonAmount: 50_000, lost: 1 });
  });

  it('narrows to a department subtree, and shows another region nothing', async () => {
    const [team] = await server.db.sequelize.query<{ id: number }>("SELECT id FROM departments WHERE name = '上海财富团队'", { type: 'SELECT' as never });
    const narrowed = await api.get<PipelineDashboard>('mgr-east', `/api/dashboard/pipeline?period=2027-Q1&departmentId=${team!.id}`);
    expect(narrowed.stages.reduce((n, s) => n + s.count, 0)).toBe(0);
    const south = await api.get<PipelineDashboard>('mgr-south', '/api/dashboard/pipeline?period=2027-Q1');
    expect(south.stages.reduce((n, s) => n + s.count, 0)).toBe(0);
    expect(south.byRep).toEqual([]);
  });
});
