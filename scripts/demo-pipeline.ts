/**
 * The demo's 商机 and 公海 (server/README.md#opportunities-商机, #customer-pool-公海), seeded in the
 * demo CRM's transaction after its customers and trades:
 * - each rep's pipeline: opportunities on their own customers across every stage, expected this
 *   quarter and next, the stages they went through logged with their dates; 成交 ones are the
 *   customers' real buys of this quarter (linked to the trade), 输单 ones carry a reason;
 * - a pool for 华东销售部 and one for 华南销售部 with recycle rules and claim limits, and customers in
 *   them (released with a reason, recycled by a rule) besides a few their former owner claimed back
 *   after the cool-down (so every rep's book keeps the demo's size).
 * Deterministic for a seed, like the rest of the demo.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { addDays, businessDate } from '@shared/time';
import { seededRandom } from './wecom-simulator/demo-corp';

const DAY = 86_400_000;
const OPEN_STAGES = ['initial', 'needs', 'proposal', 'pending_payment'] as const;
const LOSS_REASONS = ['yield', 'competitor', 'risk', 'liquidity', 'no_response'];
const NEXT_STEPS = ['发送产品说明书', '预约面谈讲解方案', '确认打款时间', '补做风险测评', '邀请参加投资策略会', null];
const RELEASE_REASONS = ['客户近期无投资计划', '客户已在他行配置，暂不跟进', '多次联系未回复', '客户要求减少联系'];
const REPS = ['rep-east-1', 'rep-east-2', 'rep-east-3', 'rep-south-1'];

export interface DemoPipelineSummary {
  opportunities: number;
  pooled: number;
}

export async function seedDemoPipeline(sequelize: Sequelize, transaction: Transaction, now: Date, seed: number): Promise<DemoPipelineSummary> {
  const random = seededRandom(seed + 35);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  const select = <T extends object>(sql: string, replacements: unknown[] = []) =>
    sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  const insert = (table: string, rows: Record<string, unknown>[]) =>
    rows.length ? sequelize.getQueryInterface().bulkInsert(table, rows, { transaction }) : Promise.resolve();
  const today = businessDate(now);
  const quarterStart = `${today.slice(0, 4)}-${String((Math.ceil(Number(today.slice(5, 7)) / 3) - 1) * 3 + 1).padStart(2, '0')}-01`;

  const users = new Map((await select<{ id: number; wecom_userid: string }>('SELECT id, wecom_userid FROM users')).map((u) => [u.wecom_userid, Number(u.id)]));
  const products = await select<{ id: number; name: string; risk_level: string }>(
    "SELECT id, name, risk_level FROM products WHERE status = 'on_sale' ORDER BY id",
  );
  const opportunities: Record<string, unknown>[] = [];
  const changes: { opportunity: number; customer: number; from: string | null; to: string; by: number; at: Date }[] = [];
  const [max] = await select<{ n: number | null }>('SELECT MAX(id) AS n FROM opportunities');
  let id = Number(max?.n ?? 0);

  for (const rep of REPS) {
    const owner = users.get(rep);
    if (owner === undefined) continue;
    const customers = await select<{ id: number; name: string; department_id: number; risk_level: string | null }>(
      'SELECT id, name, department_id, risk_level FROM customers WHERE owner_user_id = ? AND deleted_at IS NULL ORDER BY id',
      [owner],
    );
    // This quarter's buys of the rep's customers: the won opportunities are these.
    const buys = await select<{ id: number; customer_id: number; product_id: number; amount_fen: number; traded_on: string | Date }>(
      "SELECT id, customer_id, product_id, amount_fen, traded_on FROM trades WHERE rep_user_id = ? AND kind = 'buy' AND voided_at IS NULL AND traded_on >= ? ORDER BY traded_on DESC",
      [owner, quarterStart],
    );
    const used = new Set<number>();
    const add = (customer: { id: number; department_id: number }, row: Record<string, unknown>, path: string[], startedDaysAgo: number) => {
      id++;
      used.add(customer.id);
      const created = at(now.getTime() - startedDaysAgo * DAY);
      let when = created.getTime();
      path.forEach((stage, i) => {
        if (i > 0) when += Math.max(1, Math.floor(((now.getTime() - created.getTime()) / path.length) * (0.5 + random())));
        when = Math.min(when, now.getTime() - 3_600_000);
        changes.push({ opportunity: id, customer: customer.id, from: i === 0 ? null : path[i - 1]!, to: stage, by: owner, at: at(when) });
      });
      const last = changes[changes.length - 1]!.at;
      opportunities.push({
        id,
        customer_id: customer.id,
        owner_user_id: owner,
        department_id: customer.department_id,
        partner_id: null,
        next_step: null,
        loss_reason: null,
        loss_note: null,
        trade_id: null,
        closed_at: null,
        created_by: owner,
        stage: path[path.length - 1],
        stage_changed_at: last,
        created_at: created,
        updated_at: last,
        ...row,
      });
    };
    // 成交: up to three of this quarter's buys.
    // Spread over the quarter: the newest, one from the middle, the oldest.
    const spread = buys.length <= 3 ? buys : [buys[0]!, buys[Math.floor(buys.length / 2)]!, buys[buys.length - 1]!];
    for (const buy of spread) {
      const customer = customers.find((c) => c.id === Number(buy.customer_id));
      if (!customer || used.has(customer.id)) continue;
      const product = products.find((p) => p.id === Number(buy.product_id));
      const tradedOn = typeof buy.traded_on === 'string' ? buy.traded_on.slice(0, 10) : businessDate(buy.traded_on);
      add(
        customer,
        {
          name: `${product?.name ?? '产品'}认购`,
          product_ids: JSON.stringify([Number(buy.product_id)]),
          expected_amount_fen: Number(buy.amount_fen),
          expected_on: tradedOn,
          trade_id: Number(buy.id),
          closed_at: at(now.getTime() - between(1, 10) * DAY),
        },
        [...OPEN_STAGES.slice(0, between(2, 4)), 'won'],
        between(25, 60),
      );
    }
    // Open ones and lost ones, on customers whose level allows the product.
    const free = customers.filter((c) => !used.has(c.id) && c.risk_level);
    for (let i = 0; i < Math.min(free.length, 9); i++) {
      const customer = free[Math.floor((i * free.length) / 9)]!;
      if (used.has(customer.id)) continue;
      const level = Number(customer.risk_level!.slice(1));
      const fitting = products.filter((p) => Number(p.risk_level.slice(1)) <= level);
      if (!fitting.length) continue;
      const product = pick(fitting);
      const lost = i % 5 === 4;
      const reached = lost ? between(0, 2) : between(0, 3);
      const path: string[] = [...OPEN_STAGES.slice(0, reached + 1), ...(lost ? ['lost'] : [])];
      add(
        customer,
        {
          name: `${product.name}${pick(['配置', '追加', '首投', '到期续投'])}`,
          product_ids: JSON.stringify([product.id]),
          expected_amount_fen: between(2, 60) * 5_000_000,
          expected_on: addDays(today, lost ? -between(1, 60) : i % 3 === 2 ? between(30, 90) : between(3, 30)),
          next_step: lost ? null : pick(NEXT_STEPS),
          ...(lost ? { loss_reason: pick(LOSS_REASONS), closed_at: at(now.getTime() - between(1, 15) * DAY) } : {}),
        },
        path,
        // A few open ones have not moved for weeks: 看板's 停滞商机.
        i % 4 === 1 ? between(30, 50) : between(3, 25),
      );
    }
  }
  await insert('opportunities', opportunities);
  await insert(
    'opportunity_stage_changes',
    changes.map((c) => ({
      opportunity_id: c.opportunity,
      customer_id: c.customer,
      from_stage: c.from,
      to_stage: c.to,
      changed_by: c.by,
      at: c.at,
      created_at: c.at,
      updated_at: c.at,
    })),
  );

  // 公海: a pool per sales department, with rules, and customers in them.
  const departments = await select<{ id: number; name: string }>("SELECT id, name FROM departments WHERE name IN ('华东销售部', '华南销售部')");
  const stamp = at(now.getTime());
  const RULES: Record<string, Record<string, unknown>> = {
    华东销售部: {
      no_follow_up_days: 90,
      no_trade_days: 365,
      lead_days: 30,
      aum_exempt_fen: 100_000_000,
      warn_days: 3,
      max_held: 150,
      max_claims_per_day: 5,
      cooldown_days: 30,
    },
    华南销售部: { no_follow_up_days: 60, lead_days: 21, warn_days: 3, max_claims_per_day: 3, cooldown_days: 15 },
  };
  for (const d of departments) {
    await insert('customer_pools', [
      { scope_key: `dept:${d.id}`, name: `${d.name}公海`, department_id: d.id, ...RULES[d.name], created_at: stamp, updated_at: stamp },
    ]);
  }
  const pools = await select<{ id: number; department_id: number | null; name: string }>('SELECT id, department_id, name FROM customer_pools');
  const parents = new Map(
    (await select<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM departments')).map((d) => [Number(d.id), d.parent_id]),
  );
  const poolOf = (departmentId: number) => {
    for (let d: number | null = departmentId, hops = 0; d !== null && hops < 16; d = parents.get(d) ?? null, hops++) {
      const pool = pools.find((p) => p.department_id !== null && Number(p.department_id) === d);
      if (pool) return pool;
    }
    return pools.find((p) => p.department_id === null)!;
  };
  // The quietest customers without holdings and without an opportunity.
  const quiet = await select<{ id: number; owner_user_id: number; department_id: number; lifecycle_stage: string }>(
    `SELECT c.id, c.owner_user_id, c.department_id, c.lifecycle_stage FROM customers c
      WHERE c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM holdings h WHERE h.customer_id = c.id AND h.status = 'holding')
        AND NOT EXISTS (SELECT 1 FROM opportunities o WHERE o.customer_id = c.id)
      ORDER BY COALESCE(c.last_follow_up_at, c.created_at), c.id LIMIT 24`,
  );
  const entries: Record<string, unknown>[] = [];
  quiet.forEach((c, i) => {
    const pool = poolOf(Number(c.department_id));
    const daysIn = between(1, 80);
    const entered = at(now.getTime() - daysIn * DAY);
    const recycled = i % 3 !== 0;
    const rule = c.lifecycle_stage === 'lead' ? 'lead_unconverted' : pick(['no_follow_up', 'no_follow_up', 'no_trade']);
    // A few went back to their former owner once the cool-down was over (the books' sizes stay the demo's).
    const claimedBack = i % 6 === 5 && daysIn > 45;
    entries.push({
      pool_id: pool.id,
      customer_id: c.id,
      live_customer_id: claimedBack ? null : c.id,
      kind: recycled ? 'recycled' : 'released',
      rule: recycled ? rule : null,
      reason: recycled ? { no_follow_up: '长期未跟进', no_trade: '长期未交易', lead_unconverted: '线索未转化' }[rule] : pick(RELEASE_REASONS),
      former_owner_user_id: c.owner_user_id,
      entered_by: recycled ? null : c.owner_user_id,
      entered_at: entered,
      left_at: claimedBack ? at(entered.getTime() + between(32, 40) * DAY) : null,
      left_how: claimedBack ? 'claimed' : null,
      taken_by: claimedBack ? c.owner_user_id : null,
      wecom_state: null,
      created_at: entered,
      updated_at: entered,
    });
  });
  await insert('customer_pool_entries', entries);
  return { opportunities: opportunities.length, pooled: entries.filter((e) => e.live_customer_id !== null).length };
}
