import { seedDemoCrm, type DemoDataSummary } from '../../scripts/demo-data';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const NOW = new Date('2026-11-23T02:00:00Z');

describe.each(databaseTargets())('demo CRM data on $label', (target) => {
  const { server, count } = useCrmServer(target);
  let summary: DemoDataSummary | null;

  beforeAll(async () => {
    const started = Date.now();
    summary = await seedDemoCrm(server.db.sequelize, { now: NOW });
    process.stdout.write(`demo data on ${target.label}: ${Date.now() - started} ms ${JSON.stringify(summary)}\n`);
  }, 300_000);

  it('seeds 300 customers across the six demo owners, 12 products, 10 partners', async () => {
    expect(summary).toMatchObject({ customers: 300, products: 12, partners: 10 });
    expect(summary!.contacts).toBeGreaterThan(50);
    expect(await count('SELECT COUNT(DISTINCT owner_user_id) AS n FROM customers')).toBe(6);
  });

  it('spreads follow-ups over the last six months and leaves some due today or overdue', async () => {
    expect(summary!.followUps).toBeGreaterThan(600);
    expect(
      await count('SELECT COUNT(*) AS n FROM customers c WHERE c.last_follow_up_at <> (SELECT MAX(followed_at) FROM follow_ups f WHERE f.customer_id = c.id)'),
    ).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM follow_ups WHERE followed_at < '2026-05-20'`)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM customers WHERE next_follow_up_at < '2026-11-23 16:00:00'`)).toBeGreaterThan(5);
  });

  it('builds every holding from its records', async () => {
    const mismatched = await count(
      `SELECT COUNT(*) AS n FROM holdings h
        WHERE h.amount_fen <> (SELECT COALESCE(SUM(amount_delta_fen), 0) FROM holding_records r WHERE r.holding_id = h.id)
           OR h.amount_fen < 0 OR h.cost_fen < 0`,
    );

    expect(summary!.holdingRecords).toBeGreaterThan(200);
    expect(mismatched).toBe(0);
  });

  it('books direct and consignment sales, the latter only through selling partners', async () => {
    expect(await count(`SELECT COUNT(*) AS n FROM product_sales WHERE channel = 'direct'`)).toBeGreaterThan(50);
    expect(await count(`SELECT COUNT(*) AS n FROM product_sales WHERE channel = 'consignment'`)).toBeGreaterThan(10);
    expect(
      await count(`SELECT COUNT(*) AS n FROM product_sales s JOIN consignment_partners p ON p.id = s.partner_id WHERE p.status NOT IN ('active', 'signed')`),
    ).toBe(0);
  });

  it('sums the sales into the monthly rollup the dashboards read', async () => {
    const live = await count('SELECT SUM(amount_fen) AS n FROM product_sales WHERE deleted_at IS NULL');

    expect(await count('SELECT SUM(amount_fen) AS n FROM sales_monthly')).toBe(live);
    expect(await count('SELECT SUM(sale_count) AS n FROM sales_monthly')).toBe(summary!.sales);
  });

  it('keeps one primary contact per customer that has contacts', async () => {
    expect(await count('SELECT COUNT(DISTINCT customer_id) AS n FROM customer_contacts')).toBe(
      await count('SELECT COUNT(*) AS n FROM customer_contacts WHERE primary_of_customer_id IS NOT NULL'),
    );
  });

  it('sets this quarter’s targets', async () => {
    expect(await count(`SELECT COUNT(*) AS n FROM targets WHERE period = '2026-Q4'`)).toBe(summary!.targets);
    expect(summary!.targets).toBeGreaterThanOrEqual(12);
  });

  it('does nothing the second time', async () => {
    expect(await seedDemoCrm(server.db.sequelize, { now: NOW })).toBeNull();
  });
});
