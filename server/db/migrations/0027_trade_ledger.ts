import { DataTypes, QueryTypes, type Sequelize } from 'sequelize';
import { EMPTY_POSITION, PAR_NAV, PositionProblem, applyTrade, sharesAt, type Position, type TradeKind } from '@shared/ledger';
import { addDays } from '@shared/time';
import { holdingRecordColumns } from './0006_crm_process';
import { id, timestamps } from './columns';
import type { Migration, MigrationContext } from './types';

/**
 * One trade ledger (server/README.md#the-trade-ledger). Until now a sale (`product_sales`) and
 * the holding it funded (`holding_records`) were typed twice and never met. This migration
 * copies both into `trades`:
 * - a sale and a holding buy of the same customer, product and amount within 7 days become one
 *   trade (the sale's id, rep, channel, partner and date; the buy's shares);
 * - a sale with no such buy becomes a buy of its own (the holding now shows what was sold);
 * - a holding buy with no sale becomes a direct buy credited to the customer's owner;
 * - redemptions and adjustments become trades of their kind; an old adjustment of the amount
 *   alone is converted to shares at that day's NAV.
 * Every legacy row gets a line in `ledger_migration_report` saying what became of it, so the
 * unpaired ones can be checked by hand. Holdings are then recomputed from the trades.
 *
 * Trades made from sales keep the sale's id, so `/api/sales/:id` and the audit log's sale
 * entries still name the same record.
 */
const PAIRING_WINDOW_DAYS = 7;

interface LegacySale {
  id: number;
  product_id: number;
  customer_id: number;
  rep_user_id: number;
  department_id: number;
  amount_fen: number;
  sold_on: string;
  channel: string;
  partner_id: number | null;
  notes: string | null;
  suitability_override: string | null;
  created_by: number | null;
  deleted_at: Date | null;
  created_at: Date;
}
interface LegacyRecord {
  id: number;
  holding_id: number;
  customer_id: number;
  product_id: number;
  kind: 'buy' | 'redeem' | 'adjust';
  amount_delta_fen: number;
  cost_delta_fen: number;
  shares_delta_hundredths: number;
  traded_on: string;
  user_id: number | null;
  notes: string | null;
  created_at: Date;
  owner_user_id: number;
  department_id: number;
}

interface TradeRow {
  id?: number;
  customer_id: number;
  product_id: number;
  kind: TradeKind;
  channel: string;
  partner_id: number | null;
  rep_user_id: number | null;
  department_id: number | null;
  amount_fen: number;
  shares_hundredths: number;
  nav: number | null;
  cost_delta_fen: number;
  realised_gain_fen: number;
  traded_on: string;
  confirmed_on: string | null;
  suitability_override: string | null;
  notes: string | null;
  created_by: number | null;
  voided_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type Outcome = 'paired' | 'sale_without_buy' | 'buy_without_sale' | 'redeem' | 'adjust' | 'adjust_converted' | 'deleted_sale' | 'clamped';
interface ReportLine {
  outcome: Outcome;
  sale_id: number | null;
  holding_record_id: number | null;
  trade: TradeRow;
  message: string;
}

const dateText = (d: string | Date): string => (typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));
const daysBetween = (a: string, b: string) => Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000;

async function navLookup(sequelize: Sequelize): Promise<(productId: number, on: string) => number> {
  const rows = await sequelize.query<{ product_id: number; nav_date: string | Date; nav: string | number }>(
    'SELECT product_id, nav_date, nav FROM product_navs ORDER BY product_id, nav_date',
    { type: QueryTypes.SELECT },
  );
  const byProduct = new Map<number, { date: string; nav: number }[]>();
  for (const r of rows) {
    const list = byProduct.get(Number(r.product_id)) ?? [];
    list.push({ date: dateText(r.nav_date), nav: Number(r.nav) });
    byProduct.set(Number(r.product_id), list);
  }
  return (productId, on) => {
    let nav = PAR_NAV;
    for (const n of byProduct.get(productId) ?? []) if (n.date <= on) nav = n.nav;
    return nav;
  };
}

async function copyLegacyRows({ sequelize }: MigrationContext): Promise<ReportLine[]> {
  const sales = await sequelize.query<LegacySale>('SELECT * FROM product_sales ORDER BY id', { type: QueryTypes.SELECT });
  const records = await sequelize.query<LegacyRecord>(
    `SELECT r.*, h.customer_id, h.product_id, c.owner_user_id, c.department_id
       FROM holding_records r JOIN holdings h ON h.id = r.holding_id JOIN customers c ON c.id = h.customer_id
      ORDER BY r.id`,
    { type: QueryTypes.SELECT },
  );
  const navOn = await navLookup(sequelize);
  const now = new Date();
  const lines: ReportLine[] = [];
  const trade = (
    t: Omit<TradeRow, 'cost_delta_fen' | 'realised_gain_fen' | 'confirmed_on' | 'voided_at' | 'updated_at' | 'suitability_override'> & Partial<TradeRow>,
  ) => ({ cost_delta_fen: 0, realised_gain_fen: 0, confirmed_on: null, voided_at: null, suitability_override: null, updated_at: now, ...t }) as TradeRow;

  const unpairedBuys = records.filter((r) => r.kind === 'buy');
  for (const s of sales) {
    const soldOn = dateText(s.sold_on);
    const fromSale = { id: s.id, customer_id: s.customer_id, product_id: s.product_id, kind: 'buy' as const, channel: s.channel, partner_id: s.partner_id };
    const credit = { rep_user_id: s.rep_user_id, department_id: s.department_id, amount_fen: Number(s.amount_fen), traded_on: soldOn };
    const rest = { notes: s.notes, created_by: s.created_by, created_at: s.created_at, suitability_override: s.suitability_override ?? null };
    if (s.deleted_at) {
      const nav = navOn(s.product_id, soldOn);
      const t = trade({ ...fromSale, ...credit, ...rest, nav, shares_hundredths: sharesAt(Number(s.amount_fen), nav), voided_at: s.deleted_at });
      lines.push({ outcome: 'deleted_sale', sale_id: s.id, holding_record_id: null, trade: t, message: '已删除的销售记录，作为已作废的申购保留' });
      continue;
    }
    const match = unpairedBuys
      .filter((r) => r.customer_id === s.customer_id && r.product_id === s.product_id && Number(r.amount_delta_fen) === Number(s.amount_fen))
      .filter((r) => daysBetween(dateText(r.traded_on), soldOn) <= PAIRING_WINDOW_DAYS)
      .sort((a, b) => daysBetween(dateText(a.traded_on), soldOn) - daysBetween(dateText(b.traded_on), soldOn) || a.id - b.id)[0];
    if (match) {
      unpairedBuys.splice(unpairedBuys.indexOf(match), 1);
      const shares = Number(match.shares_delta_hundredths) || sharesAt(Number(s.amount_fen), navOn(s.product_id, soldOn));
      const t = trade({ ...fromSale, ...credit, ...rest, shares_hundredths: shares, nav: Number(s.amount_fen) / shares });
      lines.push({ outcome: 'paired', sale_id: s.id, holding_record_id: match.id, trade: t, message: '销售记录与持仓申购合并为一笔交易' });
      continue;
    }
    const nav = navOn(s.product_id, soldOn);
    const t = trade({ ...fromSale, ...credit, ...rest, nav, shares_hundredths: sharesAt(Number(s.amount_fen), nav) });
    lines.push({
      outcome: 'sale_without_buy',
      sale_id: s.id,
      holding_record_id: null,
      trade: t,
      message: '销售记录没有对应的持仓申购：已作为申购记入持仓，请核对',
    });
  }

  for (const r of records) {
    if (r.kind === 'buy' && !unpairedBuys.includes(r)) continue;
    const tradedOn = dateText(r.traded_on);
    const nav = navOn(r.product_id, tradedOn);
    const base = {
      customer_id: r.customer_id,
      product_id: r.product_id,
      channel: 'direct',
      partner_id: null,
      traded_on: tradedOn,
      notes: r.notes,
      created_by: r.user_id,
      created_at: r.created_at,
    };
    const amount = Math.abs(Number(r.amount_delta_fen));
    const shares = Math.abs(Number(r.shares_delta_hundredths)) || sharesAt(amount, nav);
    if (r.kind === 'buy') {
      const t = trade({
        ...base,
        kind: 'buy',
        rep_user_id: r.owner_user_id,
        department_id: r.department_id,
        amount_fen: amount,
        shares_hundredths: shares,
        nav,
      });
      lines.push({
        outcome: 'buy_without_sale',
        sale_id: null,
        holding_record_id: r.id,
        trade: t,
        message: '持仓申购没有对应的销售记录：已记为直销，销售人员为客户归属人，请核对',
      });
    } else if (r.kind === 'redeem') {
      const t = trade({
        ...base,
        kind: 'redeem',
        rep_user_id: r.owner_user_id,
        department_id: r.department_id,
        amount_fen: amount,
        shares_hundredths: -shares,
        nav,
      });
      lines.push({ outcome: 'redeem', sale_id: null, holding_record_id: r.id, trade: t, message: '赎回' });
    } else {
      const sharesDelta = Number(r.shares_delta_hundredths);
      const converted = sharesDelta === 0;
      const signed = converted ? Math.sign(Number(r.amount_delta_fen)) * sharesAt(amount, nav) : sharesDelta;
      const t = trade({
        ...base,
        kind: 'adjust',
        rep_user_id: null,
        department_id: null,
        amount_fen: 0,
        shares_hundredths: signed,
        nav: null,
        notes: r.notes ?? '历史调整',
      });
      lines.push({
        outcome: converted ? 'adjust_converted' : 'adjust',
        sale_id: null,
        holding_record_id: r.id,
        trade: t,
        message: converted ? `历史调整只改了金额：已按当日净值 ${nav} 折算为份额` : '调整',
      });
    }
  }
  return lines;
}

/**
 * Replays each position's trades in order (the same rule the ledger applies, shared/ledger.ts)
 * to fill the trades' cost and realised gain. A legacy redemption of more shares than were held
 * (old rows recorded shares loosely) is cut to what was held and reported.
 */
function replay(lines: ReportLine[]): void {
  const byPosition = new Map<string, ReportLine[]>();
  for (const line of lines) {
    if (line.trade.voided_at) continue;
    const key = `${line.trade.customer_id}:${line.trade.product_id}`;
    byPosition.set(key, [...(byPosition.get(key) ?? []), line]);
  }
  for (const group of byPosition.values()) {
    group.sort((a, b) => a.trade.traded_on.localeCompare(b.trade.traded_on) || a.trade.created_at.getTime() - b.trade.created_at.getTime());
    let position: Position = EMPTY_POSITION;
    for (const line of group) {
      const t = line.trade;
      const move = { kind: t.kind, amount: t.amount_fen, shares: Math.abs(t.shares_hundredths) };
      let effect;
      try {
        effect = applyTrade(position, t.kind === 'adjust' ? { ...move, shares: t.shares_hundredths } : move);
      } catch (problem) {
        if (!(problem instanceof PositionProblem)) throw problem;
        t.shares_hundredths = -position.shares;
        effect = applyTrade(position, t.kind === 'adjust' ? { ...move, shares: t.shares_hundredths } : { ...move, shares: position.shares });
        line.outcome = 'clamped';
        line.message = `份额超过当时持有的份额（${problem.message}）：已按持有份额 ${position.shares / 100} 份处理`;
      }
      t.cost_delta_fen = effect.costDelta;
      t.realised_gain_fen = effect.realisedGain;
      position = effect.position;
    }
  }
}

async function createTables({ queryInterface: q, tableOptions }: MigrationContext): Promise<void> {
  await q.createTable(
    'trades',
    {
      ...id,
      customer_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'customers', key: 'id' } },
      product_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'products', key: 'id' } },
      kind: { type: DataTypes.STRING(24), allowNull: false },
      channel: { type: DataTypes.STRING(16), allowNull: false },
      partner_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'consignment_partners', key: 'id' } },
      // Who the trade is credited to (a buy always has one: it is a sale of theirs).
      rep_user_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' } },
      department_id: { type: DataTypes.INTEGER, allowNull: true },
      // The money of the trade (paid or received), always ≥ 0; shares signed (out is negative).
      amount_fen: { type: DataTypes.BIGINT, allowNull: false },
      shares_hundredths: { type: DataTypes.BIGINT, allowNull: false },
      nav: { type: DataTypes.DECIMAL(14, 4), allowNull: true },
      // Filled by replaying the position (average cost): what the trade did to cost, what it realised.
      cost_delta_fen: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      realised_gain_fen: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      traded_on: { type: DataTypes.DATEONLY, allowNull: false },
      confirmed_on: { type: DataTypes.DATEONLY, allowNull: true },
      suitability_override: { type: DataTypes.STRING(512), allowNull: true },
      notes: { type: DataTypes.STRING(512), allowNull: true },
      created_by: { type: DataTypes.INTEGER, allowNull: true },
      voided_at: { type: DataTypes.DATE, allowNull: true },
      ...timestamps,
    },
    tableOptions,
  );
  await q.addIndex('trades', ['customer_id', 'product_id', 'traded_on'], { name: 'trades_position' });
  await q.addIndex('trades', ['kind', 'traded_on'], { name: 'trades_kind_day' });
  await q.addIndex('trades', ['rep_user_id', 'traded_on'], { name: 'trades_rep' });
  await q.addIndex('trades', ['department_id', 'traded_on'], { name: 'trades_department' });
  await q.addIndex('trades', ['partner_id'], { name: 'trades_partner' });
  await q.addIndex('trades', ['product_id', 'traded_on'], { name: 'trades_product' });

  await q.createTable(
    'ledger_migration_report',
    {
      ...id,
      outcome: { type: DataTypes.STRING(24), allowNull: false },
      sale_id: { type: DataTypes.INTEGER, allowNull: true },
      holding_record_id: { type: DataTypes.INTEGER, allowNull: true },
      trade_id: { type: DataTypes.INTEGER, allowNull: true },
      customer_id: { type: DataTypes.INTEGER, allowNull: false },
      product_id: { type: DataTypes.INTEGER, allowNull: false },
      amount_fen: { type: DataTypes.BIGINT, allowNull: false },
      traded_on: { type: DataTypes.DATEONLY, allowNull: false },
      message: { type: DataTypes.STRING(256), allowNull: false },
      ...timestamps,
    },
    tableOptions,
  );
}

async function insertTrades(sequelize: Sequelize, lines: ReportLine[]): Promise<void> {
  const q = sequelize.getQueryInterface();
  // Trades made from sales keep the sale's id; the rest take ids after the largest.
  let next = Math.max(0, ...lines.map((l) => l.trade.id ?? 0)) + 1;
  for (const l of lines) l.trade.id ??= next++;
  for (let i = 0; i < lines.length; i += 500)
    await q.bulkInsert(
      'trades',
      lines.slice(i, i + 500).map((l) => ({ ...l.trade })),
    );
  const now = new Date();
  const report = lines.map((l) => ({
    outcome: l.outcome,
    sale_id: l.sale_id,
    holding_record_id: l.holding_record_id,
    trade_id: l.trade.id!,
    customer_id: l.trade.customer_id,
    product_id: l.trade.product_id,
    amount_fen: l.trade.amount_fen,
    traded_on: l.trade.traded_on,
    message: l.message,
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < report.length; i += 500) await q.bulkInsert('ledger_migration_report', report.slice(i, i + 500));
}

/** Holdings become a projection of the trades: shares, cost, realised gain, dates. */
async function rebuildHoldings(sequelize: Sequelize, lines: ReportLine[]): Promise<void> {
  const terms = new Map(
    (await sequelize.query<{ id: number; term_days: number | null }>('SELECT id, term_days FROM products', { type: QueryTypes.SELECT })).map((p) => [
      Number(p.id),
      p.term_days === null ? null : Number(p.term_days),
    ]),
  );
  const positions = new Map<
    string,
    { customer: number; product: number; shares: number; cost: number; realised: number; first: string | null; last: string | null; lastBuy: string | null }
  >();
  for (const { trade: t } of lines) {
    if (t.voided_at) continue;
    const key = `${t.customer_id}:${t.product_id}`;
    const p = positions.get(key) ?? { customer: t.customer_id, product: t.product_id, shares: 0, cost: 0, realised: 0, first: null, last: null, lastBuy: null };
    positions.set(key, p);
    p.shares += t.shares_hundredths;
    p.cost += t.cost_delta_fen;
    p.realised += t.realised_gain_fen;
    if (t.kind === 'buy') {
      p.first = p.first && p.first < t.traded_on ? p.first : t.traded_on;
      p.lastBuy = p.lastBuy && p.lastBuy > t.traded_on ? p.lastBuy : t.traded_on;
    }
    p.last = p.last && p.last > t.traded_on ? p.last : t.traded_on;
  }
  const now = new Date();
  for (const p of positions.values()) {
    const term = terms.get(p.product) ?? null;
    const values = {
      shares_hundredths: p.shares,
      cost_fen: p.cost,
      realised_gain_fen: p.realised,
      status: p.shares > 0 ? 'holding' : 'closed',
      first_bought_on: p.first,
      last_changed_on: p.last,
      matures_on: term && p.lastBuy ? addDays(p.lastBuy, term) : null,
      updated_at: now,
    };
    const [existing] = await sequelize.query<{ id: number }>('SELECT id FROM holdings WHERE customer_id = ? AND product_id = ?', {
      replacements: [p.customer, p.product],
      type: QueryTypes.SELECT,
    });
    if (existing) await sequelize.getQueryInterface().bulkUpdate('holdings', values, { id: existing.id });
    else await sequelize.getQueryInterface().bulkInsert('holdings', [{ ...values, customer_id: p.customer, product_id: p.product, created_at: now }]);
  }
}

export const migration: Migration = {
  name: '0027_trade_ledger',
  async up(ctx) {
    const { queryInterface: q, sequelize } = ctx;
    await createTables(ctx);
    const lines = await copyLegacyRows(ctx);
    replay(lines);
    await insertTrades(sequelize, lines);

    await q.addColumn('holdings', 'realised_gain_fen', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
    // Plain DROP COLUMN on both dialects: Sequelize's SQLite removeColumn copies the table and loses its indexes.
    await sequelize.query('ALTER TABLE holdings DROP COLUMN amount_fen');
    await rebuildHoldings(sequelize, lines);

    await q.dropTable('holding_records');
    await q.dropTable('product_sales');
    // 销售额 by month now sums buys: rebuilt from the trades.
    const now = new Date();
    await sequelize.query('DELETE FROM sales_monthly');
    const month = ctx.dialect === 'sqlite' ? "strftime('%Y-%m', traded_on)" : "DATE_FORMAT(traded_on, '%Y-%m')";
    await sequelize.query(
      `INSERT INTO sales_monthly (month, channel, rep_user_id, department_id, product_id, partner_id, amount_fen, sale_count, created_at, updated_at)
       SELECT ${month}, channel, rep_user_id, department_id, product_id, COALESCE(partner_id, 0), SUM(amount_fen), COUNT(*), ?, ?
         FROM trades WHERE kind = 'buy' AND voided_at IS NULL
        GROUP BY ${month}, channel, rep_user_id, department_id, product_id, COALESCE(partner_id, 0)`,
      { replacements: [now, now] },
    );
  },
  /** Back to two ledgers: every live buy becomes a sale again and every trade a holding record. */
  async down({ queryInterface: q, sequelize, tableOptions }) {
    await q.createTable(
      'product_sales',
      {
        ...id,
        product_id: { type: DataTypes.INTEGER, allowNull: false },
        customer_id: { type: DataTypes.INTEGER, allowNull: false },
        rep_user_id: { type: DataTypes.INTEGER, allowNull: false },
        department_id: { type: DataTypes.INTEGER, allowNull: false },
        amount_fen: { type: DataTypes.BIGINT, allowNull: false },
        sold_on: { type: DataTypes.DATEONLY, allowNull: false },
        channel: { type: DataTypes.STRING(16), allowNull: false },
        partner_id: { type: DataTypes.INTEGER, allowNull: true },
        notes: { type: DataTypes.STRING(512), allowNull: true },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        suitability_override: { type: DataTypes.STRING(512), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.createTable(
      'holding_records',
      {
        ...id,
        holding_id: { type: DataTypes.INTEGER, allowNull: false },
        ...holdingRecordColumns,
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('holding_records', ['holding_id', 'traded_on'], { name: 'holding_records_holding' });
    await sequelize.query(
      `INSERT INTO product_sales (id, product_id, customer_id, rep_user_id, department_id, amount_fen, sold_on, channel, partner_id, notes, created_by, deleted_at, suitability_override, created_at, updated_at)
       SELECT id, product_id, customer_id, rep_user_id, department_id, amount_fen, traded_on, channel, partner_id, notes, created_by, voided_at, suitability_override, created_at, updated_at
         FROM trades WHERE kind = 'buy' AND rep_user_id IS NOT NULL`,
    );
    await sequelize.query(
      `INSERT INTO holding_records (holding_id, kind, amount_delta_fen, cost_delta_fen, shares_delta_hundredths, traded_on, user_id, notes, created_at, updated_at)
       SELECT h.id, CASE WHEN t.kind IN ('buy', 'dividend_reinvest') THEN 'buy' WHEN t.kind IN ('redeem', 'maturity') THEN 'redeem' ELSE 'adjust' END,
              t.cost_delta_fen, t.cost_delta_fen, t.shares_hundredths, t.traded_on, t.created_by, t.notes, t.created_at, t.updated_at
         FROM trades t JOIN holdings h ON h.customer_id = t.customer_id AND h.product_id = t.product_id
        WHERE t.voided_at IS NULL AND t.kind <> 'dividend_cash'`,
    );
    await q.addColumn('holdings', 'amount_fen', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
    await sequelize.query('UPDATE holdings SET amount_fen = cost_fen');
    await sequelize.query('ALTER TABLE holdings DROP COLUMN realised_gain_fen');
    await q.dropTable('ledger_migration_report');
    await q.dropTable('trades');
  },
};
