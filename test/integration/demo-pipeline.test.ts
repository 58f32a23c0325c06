/**
 * The demo's 商机 and 公海 (issue 35 [pipeline]): every stage has opportunities, the won ones are
 * real buys of the customer, the pools hold customers, and 看板's funnel and pool boards show them.
 */
import type { PipelineDashboard, PoolDashboard } from '@shared/dashboard';
import { seedDemoCrm, type DemoDataSummary } from '../../scripts/demo-data';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const NOW = new Date('2026-11-23T02:00:00Z');

describe.each(databaseTargets())('the demo pipeline and pool on $label', (target) => {
  const { server, api, count } = useCrmServer(target);
  let summary: DemoDataSummary | null;

  beforeAll(async () => {
    summary = await seedDemoCrm(server.db.sequelize, { now: NOW });
  });

  it('has opportunities in every stage', async () => {
    expect(summary!.opportunities).toBe(await count('SELECT COUNT(*) AS n FROM opportunities'));
    for (const stage of ['initial', 'needs', 'proposal', 'pending_payment', 'won', 'lost'])
      expect(await count('SELECT COUNT(*) AS n FROM opportunities WHERE stage = ?', [stage])).toBeGreaterThan(0);
  });

  it('links every won opportunity to a buy of its own customer', async () => {
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM opportunities o LEFT JOIN trades t ON t.id = o.trade_id AND t.customer_id = o.customer_id AND t.kind = 'buy'
          WHERE o.stage = 'won' AND t.id IS NULL`,
      ),
    ).toBe(0);
  });

  it('owns every opportunity by its customer’s owner, with a stage change for each stage entered', async () => {
    expect(await count('SELECT COUNT(*) AS n FROM opportunities o JOIN customers c ON c.id = o.customer_id WHERE o.owner_user_id <> c.owner_user_id')).toBe(0);
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM opportunities o WHERE NOT EXISTS (SELECT 1 FROM opportunity_stage_changes s WHERE s.opportunity_id = o.id AND s.to_stage = o.stage)',
      ),
    ).toBe(0);
  });

  it('has department pools with customers in them', async () => {
    expect(summary!.pooled).toBeGreaterThan(10);
    expect(await count('SELECT COUNT(*) AS n FROM customer_pools WHERE department_id IS NOT NULL')).toBe(2);
    const pool = await api.get<PoolDashboard>('mgr-east', '/api/dashboard/pool?period=2026');
    expect(pool.size).toBeGreaterThan(0);
  });

  it('gives 看板 a funnel worth looking at', async () => {
    const board = await api.get<PipelineDashboard>('admin', '/api/dashboard/pipeline?period=2026-Q4');
    expect(board.stages.filter((s) => s.count > 0).length).toBeGreaterThanOrEqual(5);
    expect(board.weighted).toBeGreaterThan(0);
  });
});
