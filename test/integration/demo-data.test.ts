import { QueryTypes, type Sequelize } from 'sequelize';
import { seedDemoCrm, type DemoDataSummary } from '../../scripts/demo-data';
import { replayPosition } from '../../server/modules/trades/ledger';
import { useCrmServer } from '../helpers/crm-server';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';
import { databaseTargets } from '../helpers/database';

const NOW = new Date('2026-11-23T02:00:00Z');
/** `day` plus `days` days, as SQL of the dialect. */
const addDaysSql = (label: string, day: string, days: string) =>
  label === 'sqlite' ? `date(${day}, (${days}) || ' days')` : `DATE_ADD(${day}, INTERVAL (${days}) DAY)`;

/** Every trade's and holding's replayed columns, one line each, keyed by the row. */
async function ledgerLines(sequelize: Sequelize): Promise<Map<string, string>> {
  const trades = await sequelize.query<Record<string, unknown>>('SELECT id, shares_hundredths, cost_delta_fen, realised_gain_fen FROM trades', {
    type: QueryTypes.SELECT,
  });
  const holdings = await sequelize.query<Record<string, unknown>>(
    'SELECT customer_id, product_id, shares_hundredths, cost_fen, realised_gain_fen, status, first_bought_on, last_changed_on, matures_on FROM holdings',
    { type: QueryTypes.SELECT },
  );
  return new Map(
    [...trades, ...holdings].map((row) => {
      const line = Object.entries(row).map(([k, v]) => `${k}=${v instanceof Date ? v.toISOString().slice(0, 10) : String(v)}`);
      return [line.slice(0, row.id === undefined ? 2 : 1).join(' '), line.join(' ')];
    }),
  );
}

/** Replays every position through the server's `replayPosition`; the lines it changed (or added). */
async function replayEveryPosition(sequelize: Sequelize): Promise<{ positions: number; changed: string[] }> {
  const positions = await sequelize.query<{ customer_id: number; product_id: number }>('SELECT DISTINCT customer_id, product_id FROM trades', {
    type: QueryTypes.SELECT,
  });
  const before = await ledgerLines(sequelize);
  await sequelize.transaction(async (transaction) => {
    for (const p of positions) await replayPosition(sequelize, Number(p.customer_id), Number(p.product_id), transaction);
  });
  const after = await ledgerLines(sequelize);
  return { positions: positions.length, changed: [...after].filter(([key, line]) => before.get(key) !== line).map(([, line]) => line) };
}

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

  it('records one buy trade per purchase, direct and consignment, the latter only through selling partners, and no valuation adjustments', async () => {
    expect(summary!.trades).toBe(await count('SELECT COUNT(*) AS n FROM trades'));
    expect(summary!.holdings).toBe(await count('SELECT COUNT(*) AS n FROM holdings'));
    expect(await count(`SELECT COUNT(*) AS n FROM trades WHERE kind = 'buy' AND channel = 'direct' AND partner_id IS NULL`)).toBeGreaterThan(50);
    expect(await count(`SELECT COUNT(*) AS n FROM trades WHERE kind = 'buy' AND channel = 'consignment' AND partner_id IS NOT NULL`)).toBeGreaterThan(10);
    expect(
      await count(`SELECT COUNT(*) AS n FROM trades t JOIN consignment_partners p ON p.id = t.partner_id WHERE p.status NOT IN ('active', 'signed')`),
    ).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM trades WHERE kind NOT IN ('buy', 'redeem', 'maturity') OR voided_at IS NOT NULL`)).toBe(0);
  });

  it('credits every trade to the customer’s owner and department', async () => {
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM trades t JOIN customers c ON c.id = t.customer_id WHERE t.rep_user_id <> c.owner_user_id OR t.department_id <> c.department_id',
      ),
    ).toBe(0);
  });

  it('prices buys and redemptions at that day’s NAV (par without one): a redemption gives back its shares at it', async () => {
    const priced = `COALESCE((SELECT n.nav FROM product_navs n WHERE n.product_id = t.product_id AND n.nav_date <= t.traded_on ORDER BY n.nav_date DESC LIMIT 1), 1)`;
    const trades = await server.db.sequelize.query<{ kind: string; amount: number; shares: number; nav: number; priced: number }>(
      `SELECT t.kind, t.amount_fen AS amount, t.shares_hundredths AS shares, t.nav, ${priced} AS priced FROM trades t WHERE t.kind IN ('buy', 'redeem')`,
      { type: QueryTypes.SELECT },
    );
    const wrong = trades.filter(
      (t) =>
        Number(t.nav) !== Number(t.priced) ||
        (t.kind === 'buy'
          ? Number(t.shares) !== Math.round(Number(t.amount) / Number(t.nav))
          : Number(t.amount) !== Math.round(-Number(t.shares) * Number(t.nav))),
    );

    expect(await count(`SELECT COUNT(*) AS n FROM trades WHERE kind = 'redeem'`)).toBeGreaterThan(50);
    expect(await count(`SELECT COUNT(*) AS n FROM trades t WHERE t.kind = 'buy' AND t.nav <> 1`)).toBeGreaterThan(20);
    expect(wrong).toEqual([]);
  });

  it('publishes a 累计净值 with every unit NAV, never below it', async () => {
    expect(await count('SELECT COUNT(*) AS n FROM product_navs')).toBeGreaterThan(100);
    expect(await count('SELECT COUNT(*) AS n FROM product_navs WHERE accumulated_nav IS NULL OR accumulated_nav < nav')).toBe(0);
  });

  it('pays out term products at maturity, only once their term has run since the last buy', async () => {
    const early = await count(
      `SELECT COUNT(*) AS n FROM trades m JOIN products p ON p.id = m.product_id
        WHERE m.kind = 'maturity' AND (p.term_days IS NULL OR EXISTS (
          SELECT 1 FROM trades b WHERE b.customer_id = m.customer_id AND b.product_id = m.product_id AND b.kind = 'buy'
             AND b.traded_on <= m.traded_on AND b.traded_on > ${addDaysSql(target.label, 'm.traded_on', '-p.term_days')}))`,
    );

    expect(await count(`SELECT COUNT(*) AS n FROM trades WHERE kind = 'maturity'`)).toBeGreaterThan(5);
    expect(early).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM holdings WHERE status = 'holding' AND matures_on < '2026-11-23'`)).toBe(0);
  });

  it('writes every holding as the server replays its trades: replayPosition changes nothing', async () => {
    const replay = await replayEveryPosition(server.db.sequelize);

    expect(replay.positions).toBe(summary!.holdings);
    expect(await count('SELECT COUNT(*) AS n FROM holdings WHERE shares_hundredths < 0 OR cost_fen < 0')).toBe(0);
    expect(replay.changed).toEqual([]);
  }, 120_000);

  it('sums the live buys into the monthly rollup the dashboards read', async () => {
    const live = await count(`SELECT SUM(amount_fen) AS n FROM trades WHERE kind = 'buy' AND voided_at IS NULL`);

    expect(await count('SELECT SUM(amount_fen) AS n FROM sales_monthly')).toBe(live);
    expect(await count('SELECT SUM(sale_count) AS n FROM sales_monthly')).toBe(await count(`SELECT COUNT(*) AS n FROM trades WHERE kind = 'buy'`));
  });

  it('gives every buyer a valid assessment at or above what they bought, but for a few recorded exceptions', async () => {
    const buys = await server.db.sequelize.query<{
      customer: number;
      level: string | null;
      class: string;
      assessed: string | null;
      expires: string | null;
      product: string;
      override: string | null;
    }>(
      `SELECT c.id AS customer, c.risk_level AS level, c.investor_class AS class, c.risk_assessed_on AS assessed, c.risk_assessment_expires_on AS expires,
              p.risk_level AS product, t.suitability_override AS override
         FROM trades t JOIN customers c ON c.id = t.customer_id JOIN products p ON p.id = t.product_id WHERE t.kind = 'buy'`,
      { type: QueryTypes.SELECT },
    );
    const day = (v: unknown) => (v === null ? null : (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10));
    const grade = (level: string | null) => Number(level?.slice(1) ?? 0);
    const invalid = buys.filter((b) => !b.level || !b.assessed || !b.expires || day(b.expires)! < '2026-11-23' || day(b.assessed)! > '2026-11-23');
    const above = buys.filter((b) => b.class === 'ordinary' && grade(b.product) > grade(b.level));
    const exceptions = new Set(above.map((b) => b.customer));

    expect(invalid).toEqual([]);
    expect(above.filter((b) => !b.override)).toEqual([]);
    expect(buys.filter((b) => b.override && !above.includes(b))).toEqual([]);
    expect(above.filter((b) => grade(b.level) < 2)).toEqual([]);
    expect(exceptions.size).toBeGreaterThanOrEqual(1);
    expect(exceptions.size).toBeLessThanOrEqual(4);
    expect(summary!.suitabilityOverrides).toBe(above.length);
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

describe.each(databaseTargets())('demo CRM data with extra buys per purchase (the benchmark’s books) on $label', (target) => {
  let server: TestServer;
  afterAll(() => server?.close());

  it('books the extra buys into the same positions, still as the server replays them', async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    const summary = await seedDemoCrm(server.db.sequelize, { now: NOW, salesPerPurchase: 3 });
    const [buys] = await server.db.sequelize.query<{ n: number; sold: number }>(
      "SELECT COUNT(*) AS n, (SELECT SUM(sale_count) FROM sales_monthly) AS sold FROM trades WHERE kind = 'buy'",
      { type: QueryTypes.SELECT },
    );
    const replay = await replayEveryPosition(server.db.sequelize);

    expect(Number(buys!.n)).toBeGreaterThan(2.5 * summary!.holdings);
    expect(replay.positions).toBe(summary!.holdings);
    expect(Number(buys!.sold)).toBe(Number(buys!.n));
    expect(replay.changed).toEqual([]);
  }, 300_000);
});
