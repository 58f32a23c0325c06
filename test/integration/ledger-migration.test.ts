/**
 * Migration 0027 (issue 31 [ledger]): a database holding the two old ledgers — `product_sales`
 * and `holding_records` — becomes one of trades. A sale and its matching buy become one trade with
 * the sale's id; a sale without a buy and a buy without a sale become buys of their own; a
 * redemption and an amount-only adjustment become trades of their kind; a deleted sale a voided
 * buy. Holdings are replayed from the trades, 销售额's monthly rollup is the buys, and every legacy
 * row has a line in the migration report. Its down gives the two tables back (the full down of
 * every migration, on an empty database, is test/integration/db.test.ts).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { dialectOf, migrateUp } from '../../server/db';
import { migrations } from '../../server/db/migrations';
import { databaseTargets, useTestDatabase } from '../helpers/database';

const LEDGER = migrations.findIndex((m) => m.name === '0027_trade_ledger');
const BEFORE_LEDGER = migrations.slice(0, LEDGER);
const UP_TO_LEDGER = migrations.slice(0, LEDGER + 1);
const ledger = migrations[LEDGER]!;

/** Ids of the legacy fixture. */
const DEPT = 2;
const [REP_A, REP_B] = [10, 11];
const [C1, C2] = [20, 21];
const [FUND, WEALTH] = [30, 31];
const PARTNER = 40;
const [H_FUND, H_WEALTH] = [50, 51];
const [SALE_PAIRED, SALE_CONSIGNED, SALE_DELETED, SALE_LATE] = [101, 102, 103, 104];
const [R_BUY_PAIRED, R_REDEEM, R_ADJUST, R_BUY_ALONE] = [1, 2, 3, 4];

const at = new Date('2026-06-01T00:00:00Z');
const stamps = { created_at: at, updated_at: at };

/** Today's two ledgers as the code before 0027 wrote them (fen, hundredths of a share). */
async function insertLegacyRows(sequelize: Sequelize): Promise<void> {
  const q = sequelize.getQueryInterface();
  await q.bulkInsert('departments', [
    { id: 1, name: '总部', parent_id: null, ...stamps },
    { id: DEPT, name: '华东销售部', parent_id: 1, ...stamps },
  ]);
  await q.bulkInsert('users', [
    { id: REP_A, wecom_userid: 'mig-a', name: '李娜', status: 'active', main_department_id: DEPT, ...stamps },
    { id: REP_B, wecom_userid: 'mig-b', name: '王强', status: 'active', main_department_id: DEPT, ...stamps },
  ]);
  const customer = { type: 'individual', status: 'active', lifecycle_stage: 'customer', department_id: DEPT, ...stamps };
  await q.bulkInsert('customers', [
    { id: C1, name: '迁移客户甲', owner_user_id: REP_A, ...customer },
    { id: C2, name: '迁移客户乙', owner_user_id: REP_B, ...customer },
  ]);
  await q.bulkInsert('products', [
    { id: FUND, code: 'MIG-F', name: '迁移基金', category: 'public_fund', risk_level: 'R3', status: 'on_sale', ...stamps },
    { id: WEALTH, code: 'MIG-W', name: '迁移理财', category: 'wealth', risk_level: 'R2', status: 'on_sale', ...stamps },
  ]);
  await q.bulkInsert('product_navs', [
    { product_id: FUND, nav_date: '2026-03-01', nav: 1, ...stamps },
    { product_id: FUND, nav_date: '2026-04-01', nav: 1.25, ...stamps },
  ]);
  await q.bulkInsert('consignment_partners', [
    { id: PARTNER, name: '迁移代销银行', type: 'bank', status: 'active', owner_user_id: REP_B, department_id: DEPT, ...stamps },
  ]);
  await q.bulkInsert('holdings', [
    // The old books: amount 65,000 (100,000 − 40,000 + 5,000), cost 66,000, shares 68,000.
    { id: H_FUND, customer_id: C1, product_id: FUND, amount_fen: 6_500_000, cost_fen: 6_600_000, shares_hundredths: 6_800_000, status: 'holding', ...stamps },
    { id: H_WEALTH, customer_id: C1, product_id: WEALTH, amount_fen: 2_000_000, cost_fen: 2_000_000, shares_hundredths: 0, status: 'holding', ...stamps },
  ]);
  const sale = { rep_user_id: REP_A, department_id: DEPT, channel: 'direct', partner_id: null, notes: null, created_by: REP_A, deleted_at: null, ...stamps };
  await q.bulkInsert('product_sales', [
    // Paired with the buy of the next day.
    { ...sale, id: SALE_PAIRED, customer_id: C1, product_id: FUND, amount_fen: 10_000_000, sold_on: '2026-03-01', notes: '首次申购' },
    // A consignment sale nobody recorded as a buy.
    {
      ...sale,
      id: SALE_CONSIGNED,
      customer_id: C2,
      product_id: WEALTH,
      amount_fen: 3_000_000,
      sold_on: '2026-05-10',
      rep_user_id: REP_B,
      channel: 'consignment',
      partner_id: PARTNER,
      suitability_override: '客户书面确认',
    },
    // Deleted.
    { ...sale, id: SALE_DELETED, customer_id: C2, product_id: FUND, amount_fen: 500_000, sold_on: '2026-03-20', deleted_at: at },
    // The same amount as the buy of 05-05, but 15 days later: outside the pairing window.
    { ...sale, id: SALE_LATE, customer_id: C1, product_id: WEALTH, amount_fen: 2_000_000, sold_on: '2026-05-20' },
  ]);
  const record = { user_id: REP_A, notes: null, ...stamps };
  await q.bulkInsert('holding_records', [
    {
      ...record,
      id: R_BUY_PAIRED,
      holding_id: H_FUND,
      kind: 'buy',
      amount_delta_fen: 10_000_000,
      cost_delta_fen: 10_000_000,
      shares_delta_hundredths: 10_000_000,
      traded_on: '2026-03-02',
    },
    {
      ...record,
      id: R_REDEEM,
      holding_id: H_FUND,
      kind: 'redeem',
      amount_delta_fen: -4_000_000,
      cost_delta_fen: -3_400_000,
      shares_delta_hundredths: -3_200_000,
      traded_on: '2026-04-10',
    },
    // The old "adjust the amount": no shares, no cost.
    {
      ...record,
      id: R_ADJUST,
      holding_id: H_FUND,
      kind: 'adjust',
      amount_delta_fen: 500_000,
      cost_delta_fen: 0,
      shares_delta_hundredths: 0,
      traded_on: '2026-04-15',
    },
    {
      ...record,
      id: R_BUY_ALONE,
      holding_id: H_WEALTH,
      kind: 'buy',
      amount_delta_fen: 2_000_000,
      cost_delta_fen: 2_000_000,
      shares_delta_hundredths: 0,
      traded_on: '2026-05-05',
    },
  ]);
  // A stale rollup row: 0027 rebuilds 销售额 from the buys.
  await q.bulkInsert('sales_monthly', [
    {
      month: '2026-03',
      channel: 'direct',
      rep_user_id: REP_A,
      department_id: DEPT,
      product_id: FUND,
      partner_id: 0,
      amount_fen: 999,
      sale_count: 9,
      ...stamps,
    },
  ]);
}

describe.each(databaseTargets())('the trade ledger migration on $label', (target) => {
  const db = useTestDatabase(target, { migrate: false });
  const rows = async <T extends Record<string, unknown>>(sql: string) =>
    (await db.sequelize.query<T>(sql, { type: QueryTypes.SELECT })).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && k !== 'month' ? Number(v) : v])),
    );
  const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v === null ? null : String(v).slice(0, 10));

  beforeAll(async () => {
    expect(LEDGER).toBeGreaterThan(0);
    await migrateUp(db.sequelize, { migrations: BEFORE_LEDGER });
    await insertLegacyRows(db.sequelize);
    await migrateUp(db.sequelize, { migrations: UP_TO_LEDGER });
  }, 180_000);

  it('makes one trade of each legacy sale and record, keeping the sales’ ids', async () => {
    const trades = (
      await rows<Record<string, unknown>>(
        `SELECT id, customer_id, product_id, kind, channel, partner_id, rep_user_id, department_id, amount_fen, shares_hundredths, nav,
                cost_delta_fen, realised_gain_fen, traded_on, suitability_override, notes, voided_at FROM trades ORDER BY id`,
      )
    ).map((t) => ({ ...t, nav: t.nav === null ? null : Number(t.nav), traded_on: day(t.traded_on), voided: t.voided_at !== null, voided_at: undefined }));
    const common = { channel: 'direct', partner_id: null, department_id: DEPT, suitability_override: null, voided: false, voided_at: undefined };
    // A direct 20,000 buy of WEALTH by C1 at par, credited to REP_A.
    const wealthBuy = (id: number, tradedOn: string) => ({
      ...common,
      id,
      customer_id: C1,
      product_id: WEALTH,
      kind: 'buy',
      rep_user_id: REP_A,
      amount_fen: 2_000_000,
      shares_hundredths: 2_000_000,
      nav: 1,
      cost_delta_fen: 2_000_000,
      realised_gain_fen: 0,
      traded_on: tradedOn,
      notes: null,
    });

    expect(trades).toEqual([
      // The sale and its buy: the sale's id, rep, date and notes, the buy's shares.
      {
        ...common,
        id: SALE_PAIRED,
        customer_id: C1,
        product_id: FUND,
        kind: 'buy',
        rep_user_id: REP_A,
        amount_fen: 10_000_000,
        shares_hundredths: 10_000_000,
        nav: 1,
        cost_delta_fen: 10_000_000,
        realised_gain_fen: 0,
        traded_on: '2026-03-01',
        notes: '首次申购',
      },
      {
        ...common,
        id: SALE_CONSIGNED,
        customer_id: C2,
        product_id: WEALTH,
        kind: 'buy',
        channel: 'consignment',
        partner_id: PARTNER,
        rep_user_id: REP_B,
        amount_fen: 3_000_000,
        shares_hundredths: 3_000_000,
        nav: 1,
        cost_delta_fen: 3_000_000,
        realised_gain_fen: 0,
        traded_on: '2026-05-10',
        suitability_override: '客户书面确认',
        notes: null,
      },
      {
        ...common,
        id: SALE_DELETED,
        customer_id: C2,
        product_id: FUND,
        kind: 'buy',
        rep_user_id: REP_A,
        amount_fen: 500_000,
        shares_hundredths: 500_000,
        nav: 1,
        cost_delta_fen: 0,
        realised_gain_fen: 0,
        traded_on: '2026-03-20',
        notes: null,
        voided: true,
      },
      wealthBuy(SALE_LATE, '2026-05-20'),
      // The redemption at the NAV of its day, its cost at average cost (32,000 of 100,000 shares).
      {
        ...common,
        id: SALE_LATE + 1,
        customer_id: C1,
        product_id: FUND,
        kind: 'redeem',
        rep_user_id: REP_A,
        amount_fen: 4_000_000,
        shares_hundredths: -3_200_000,
        nav: 1.25,
        cost_delta_fen: -3_200_000,
        realised_gain_fen: 800_000,
        traded_on: '2026-04-10',
        notes: null,
      },
      // The amount-only adjustment, in shares at the NAV of its day: 5,000 / 1.25.
      {
        ...common,
        id: SALE_LATE + 2,
        customer_id: C1,
        product_id: FUND,
        kind: 'adjust',
        rep_user_id: null,
        department_id: null,
        amount_fen: 0,
        shares_hundredths: 400_000,
        nav: null,
        cost_delta_fen: 0,
        realised_gain_fen: 0,
        traded_on: '2026-04-15',
        notes: '历史调整',
      },
      // The buy without a sale: direct, credited to the customer's owner, at par (no NAV).
      wealthBuy(SALE_LATE + 3, '2026-05-05'),
    ]);
  });

  it('lists what became of every legacy row in the migration report', async () => {
    const report = await rows<{ outcome: string; sale_id: number | null; holding_record_id: number | null; trade_id: number }>(
      'SELECT outcome, sale_id, holding_record_id, trade_id FROM ledger_migration_report ORDER BY trade_id',
    );

    expect(report.map((r) => [r.outcome, r.sale_id, r.holding_record_id, r.trade_id])).toEqual([
      ['paired', SALE_PAIRED, R_BUY_PAIRED, SALE_PAIRED],
      ['sale_without_buy', SALE_CONSIGNED, null, SALE_CONSIGNED],
      ['deleted_sale', SALE_DELETED, null, SALE_DELETED],
      ['sale_without_buy', SALE_LATE, null, SALE_LATE],
      ['redeem', null, R_REDEEM, SALE_LATE + 1],
      ['adjust_converted', null, R_ADJUST, SALE_LATE + 2],
      ['buy_without_sale', null, R_BUY_ALONE, SALE_LATE + 3],
    ]);
  });

  it('replays the holdings from the trades: shares, cost, realised gain, dates; the old amount column is gone', async () => {
    const holdings = (
      await rows<Record<string, unknown>>(
        'SELECT id, customer_id, product_id, shares_hundredths, cost_fen, realised_gain_fen, status, first_bought_on, last_changed_on FROM holdings ORDER BY customer_id, product_id',
      )
    ).map((h) => ({ ...h, first_bought_on: day(h.first_bought_on), last_changed_on: day(h.last_changed_on) }));
    const columns = Object.keys(await db.sequelize.getQueryInterface().describeTable('holdings'));

    expect(holdings).toEqual([
      // 100,000 bought, 32,000 redeemed, 4,000 adjusted in: 72,000 shares; 68,000 of cost left; 8,000 realised.
      {
        id: H_FUND,
        customer_id: C1,
        product_id: FUND,
        shares_hundredths: 7_200_000,
        cost_fen: 6_800_000,
        realised_gain_fen: 800_000,
        status: 'holding',
        first_bought_on: '2026-03-01',
        last_changed_on: '2026-04-15',
      },
      // The lone buy and the late sale: both are buys now.
      {
        id: H_WEALTH,
        customer_id: C1,
        product_id: WEALTH,
        shares_hundredths: 4_000_000,
        cost_fen: 4_000_000,
        realised_gain_fen: 0,
        status: 'holding',
        first_bought_on: '2026-05-05',
        last_changed_on: '2026-05-20',
      },
      // The consignment sale opened a holding nobody had typed.
      {
        id: expect.any(Number),
        customer_id: C2,
        product_id: WEALTH,
        shares_hundredths: 3_000_000,
        cost_fen: 3_000_000,
        realised_gain_fen: 0,
        status: 'holding',
        first_bought_on: '2026-05-10',
        last_changed_on: '2026-05-10',
      },
    ]);
    expect(columns).not.toContain('amount_fen');
    expect(columns).toEqual(expect.arrayContaining(['shares_hundredths', 'cost_fen', 'realised_gain_fen']));
  });

  it('rebuilds 销售额 by month from the live buys, and drops the two old tables', async () => {
    const monthly = await rows<Record<string, unknown>>(
      'SELECT month, channel, rep_user_id, department_id, product_id, partner_id, amount_fen, sale_count FROM sales_monthly ORDER BY month, channel, product_id',
    );
    const [buys] = await rows<{ amount_fen: number; n: number }>(
      "SELECT SUM(amount_fen) AS amount_fen, COUNT(*) AS n FROM trades WHERE kind = 'buy' AND voided_at IS NULL",
    );
    const tables = (await db.sequelize.getQueryInterface().showAllTables()).map(String);

    expect(monthly).toEqual([
      { month: '2026-03', channel: 'direct', rep_user_id: REP_A, department_id: DEPT, product_id: FUND, partner_id: 0, amount_fen: 10_000_000, sale_count: 1 },
      {
        month: '2026-05',
        channel: 'consignment',
        rep_user_id: REP_B,
        department_id: DEPT,
        product_id: WEALTH,
        partner_id: PARTNER,
        amount_fen: 3_000_000,
        sale_count: 1,
      },
      { month: '2026-05', channel: 'direct', rep_user_id: REP_A, department_id: DEPT, product_id: WEALTH, partner_id: 0, amount_fen: 4_000_000, sale_count: 2 },
    ]);
    expect([monthly.reduce((sum, m) => sum + Number(m.amount_fen), 0), monthly.reduce((sum, m) => sum + Number(m.sale_count), 0)]).toEqual([
      Number(buys!.amount_fen),
      Number(buys!.n),
    ]);
    expect(tables).not.toContain('product_sales');
    expect(tables).not.toContain('holding_records');
  });

  it('goes back down with the ledger’s rows in place: every buy a sale again, every live trade a holding record; and up again to the same holdings', async () => {
    const holdingsNow = await rows('SELECT customer_id, product_id, shares_hundredths, cost_fen FROM holdings ORDER BY customer_id, product_id');
    const context = {
      sequelize: db.sequelize,
      queryInterface: db.sequelize.getQueryInterface(),
      dialect: dialectOf(db.sequelize),
      tableOptions: target.label === 'mysql' ? { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci', engine: 'InnoDB' } : {},
    };

    await ledger.down(context);
    await db.sequelize.query('DELETE FROM schema_migrations WHERE name = ?', { replacements: [ledger.name] });
    const sales = await rows<{ id: number; deleted: number }>(
      'SELECT id, CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END AS deleted FROM product_sales ORDER BY id',
    );
    const records = await rows<{ kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM holding_records GROUP BY kind ORDER BY kind');
    const tables = (await db.sequelize.getQueryInterface().showAllTables()).map(String);
    await migrateUp(db.sequelize, { migrations: UP_TO_LEDGER });

    expect(sales.map((r) => [r.id, Number(r.deleted)])).toEqual([
      [SALE_PAIRED, 0],
      [SALE_CONSIGNED, 0],
      [SALE_DELETED, 1],
      [SALE_LATE, 0],
      [SALE_LATE + 3, 0],
    ]);
    expect(records.map((r) => [r.kind, Number(r.n)])).toEqual([
      ['adjust', 1],
      ['buy', 4],
      ['redeem', 1],
    ]);
    expect(tables).not.toContain('trades');
    expect(await rows('SELECT customer_id, product_id, shares_hundredths, cost_fen FROM holdings ORDER BY customer_id, product_id')).toEqual(holdingsNow);
  });
});
