/**
 * The recycle sweep of 公海 (server/README.md#customer-pool-公海), run by `PoolRecycler` every hour
 * and by `POST /api/customer-pools/recycle`:
 * - per pool and rule turned on (no follow-up in N days, no trade in M days, a lead not converted
 *   in K days), the customers its departments hold that will meet the rule within `warn_days` get
 *   one warning to their owner (the reminders outbox; once per owner and rule);
 * - those that meet it now and whose owner was warned at least `warn_days` ago enter the pool —
 *   never one not warned first; holders of AUM at or above the pool's threshold are exempt;
 * - a warning whose customer no longer meets the rule (a follow-up, a trade) is dropped, so the
 *   next time it is due the owner is warned again;
 * - customers whose owner left, with no 客户继承 under way, enter the pool (nobody took them over).
 */
// Raw SQL on other modules' tables, on purpose: each rule is one statement over customers with their
// follow-up date, trades and pool entries; the owner's status is the org's users.
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { RECYCLE_RULES, type RecycleRule } from '@shared/customer-pool';
import { addDays, businessDate } from '@shared/time';
import { retryOnDeadlock, sqlList } from '../../db/dialect';
import type { Logger } from '../../logger';
import { SYSTEM_ACTOR } from '../audit/service';
import { customerModels } from '../customers/models';
import { latestNavs } from '../products/service';
import { enqueueNotification } from '../reminders/outbox';
import { tradeModels } from '../trades/models';
import { marketValueOf } from '../trades/reads';
import { allPools, departmentsOfPool, enterPool } from './service';

const DAY_MS = 86_400_000;
const SWEEP_MS = 60 * 60_000;

export interface RecycleOutcome {
  warned: number;
  recycled: Record<RecycleRule, number>;
  ownerLeft: number;
}

interface Candidate {
  id: number;
  owner_user_id: number;
  name: string;
}

/** The live customers of these departments, not in a pool, that meet `rule` as of `asOf`. */
async function meeting(sequelize: Sequelize, rule: RecycleRule, departments: number[], days: number, asOf: Date): Promise<Candidate[]> {
  if (!departments.length) return [];
  const cutoff = new Date(asOf.getTime() - days * DAY_MS);
  const base = `SELECT c.id, c.owner_user_id, c.name FROM customers c
    WHERE c.deleted_at IS NULL AND c.department_id IN (${sqlList(departments)})
      AND NOT EXISTS (SELECT 1 FROM customer_pool_entries e WHERE e.live_customer_id = c.id)`;
  const [sql, params]: [string, unknown[]] =
    rule === 'no_follow_up'
      ? [`${base} AND COALESCE(c.last_follow_up_at, c.created_at) < ?`, [cutoff]]
      : rule === 'no_trade'
        ? [
            `${base} AND c.created_at < ? AND NOT EXISTS (SELECT 1 FROM trades t WHERE t.customer_id = c.id AND t.voided_at IS NULL AND t.traded_on >= ?)`,
            [cutoff, businessDate(cutoff)],
          ]
        : [`${base} AND c.lifecycle_stage = 'lead' AND c.created_at < ?`, [cutoff]];
  return sequelize.query<Candidate>(sql, { replacements: [...departments, ...params], type: QueryTypes.SELECT });
}

/** The customers among these whose holdings are worth at least `thresholdFen` today (shares × the latest NAV). */
async function exemptByAum(sequelize: Sequelize, ids: number[], thresholdFen: number | null): Promise<Set<number>> {
  if (thresholdFen === null || !ids.length) return new Set();
  const holdings = (await tradeModels(sequelize).Holding.findAll({ where: { customer_id: { [Op.in]: ids }, status: 'holding' } })).map((h) => h.get());
  const navs = await latestNavs(sequelize, [...new Set(holdings.map((h) => h.product_id))], businessDate(new Date()));
  const aum = new Map<number, number>();
  for (const h of holdings) aum.set(h.customer_id, (aum.get(h.customer_id) ?? 0) + marketValueOf(h, navs.get(h.product_id)));
  return new Set(ids.filter((id) => (aum.get(id) ?? 0) >= thresholdFen));
}

const transaction = <T>(sequelize: Sequelize, work: (t: Transaction) => Promise<T>) => retryOnDeadlock(() => sequelize.transaction(work));

export async function recycleDue(sequelize: Sequelize, now = new Date()): Promise<RecycleOutcome> {
  const outcome: RecycleOutcome = { warned: 0, recycled: { no_follow_up: 0, no_trade: 0, lead_unconverted: 0 }, ownerLeft: 0 };
  const pools = await allPools(sequelize);
  const parentRows = await sequelize.query<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM departments', { type: QueryTypes.SELECT });
  const parents = new Map(parentRows.map((d) => [Number(d.id), d.parent_id === null ? null : Number(d.parent_id)]));
  const { Customer } = customerModels(sequelize);
  for (const pool of pools) {
    const rules: [RecycleRule, number | null][] = [
      ['no_follow_up', pool.no_follow_up_days],
      ['no_trade', pool.no_trade_days],
      ['lead_unconverted', pool.lead_days],
    ];
    const departments = await departmentsOfPool(sequelize, pool, pools, parents);
    const threshold = pool.aum_exempt_fen === null ? null : Number(pool.aum_exempt_fen);
    const warnDays = Number(pool.warn_days);
    for (const [rule, days] of rules) {
      if (days === null) continue;
      const soon = await meeting(sequelize, rule, departments, days, new Date(now.getTime() + warnDays * DAY_MS));
      const exempt = await exemptByAum(
        sequelize,
        soon.map((c) => Number(c.id)),
        threshold,
      );
      const due = soon.filter((c) => !exempt.has(Number(c.id)));
      const dueIds = new Set(due.map((c) => Number(c.id)));
      // Warnings of customers no longer due (followed up, traded, converted, exempt): dropped, to warn afresh next time.
      const warnings = await sequelize.query<{ id: number; customer_id: number; owner_user_id: number; warned_at: Date | string }>(
        `SELECT w.id, w.customer_id, w.owner_user_id, w.warned_at FROM customer_pool_warnings w WHERE w.rule = ?`,
        { replacements: [rule], type: QueryTypes.SELECT },
      );
      const inPool = new Set(departments);
      const stale = warnings.filter((w) => !dueIds.has(Number(w.customer_id)));
      if (stale.length) {
        const staleOfPool = (
          await Customer.findAll({ where: { id: { [Op.in]: stale.map((w) => Number(w.customer_id)) } }, attributes: ['id', 'department_id'] })
        )
          .filter((c) => inPool.has(c.get().department_id))
          .map((c) => c.get().id);
        const drop = stale.filter((w) => staleOfPool.includes(Number(w.customer_id))).map((w) => Number(w.id));
        if (drop.length) await sequelize.query(`DELETE FROM customer_pool_warnings WHERE id IN (${sqlList(drop)})`, { replacements: drop });
      }
      const warnedAt = new Map(warnings.map((w) => [`${Number(w.customer_id)}:${Number(w.owner_user_id)}`, new Date(w.warned_at)]));
      const meetsNow = new Set((await meeting(sequelize, rule, departments, days, now)).map((c) => Number(c.id)));
      for (const c of due) {
        const key = `${Number(c.id)}:${Number(c.owner_user_id)}`;
        const warned = warnedAt.get(key);
        if (!warned) {
          await transaction(sequelize, async (t) => {
            await sequelize
              .getQueryInterface()
              .bulkInsert(
                'customer_pool_warnings',
                [{ customer_id: c.id, owner_user_id: c.owner_user_id, rule, warned_at: now, created_at: now, updated_at: now }],
                { transaction: t },
              );
            await enqueueNotification(
              sequelize,
              {
                kind: 'pool_warning',
                dedupeKey: `pool-warning:${c.id}:${c.owner_user_id}:${rule}:${businessDate(now)}`,
                userId: Number(c.owner_user_id),
                title: `${c.name} 将在 ${warnDays} 天后回收到${pool.name}`,
                lines: [
                  { text: `原因：${RECYCLE_RULES[rule]}（${days} 天）` },
                  { tone: 'gray', text: `${addDays(businessDate(now), warnDays)} 前跟进或成交即可保留` },
                ],
                path: `/customers/${c.id}`,
              },
              now,
              t,
            );
          });
          outcome.warned++;
          continue;
        }
        if (!meetsNow.has(Number(c.id)) || now.getTime() - warned.getTime() < warnDays * DAY_MS) continue;
        const entered = await transaction(sequelize, async (t) => {
          const row = (await Customer.findByPk(c.id, { transaction: t }))?.get();
          if (!row || row.deleted_at || row.owner_user_id !== Number(c.owner_user_id)) return null;
          return enterPool(sequelize, SYSTEM_ACTOR, row, { kind: 'recycled', rule, reason: `${RECYCLE_RULES[rule]}（${days} 天）`, by: null }, t, now);
        });
        if (entered !== null) outcome.recycled[rule]++;
      }
    }
  }
  // Owners who left and whose customers nobody took over (no 客户继承 under way).
  const orphans = await sequelize.query<{ id: number }>(
    `SELECT c.id FROM customers c JOIN users u ON u.id = c.owner_user_id
      WHERE c.deleted_at IS NULL AND u.status = 'left'
        AND NOT EXISTS (SELECT 1 FROM customer_pool_entries e WHERE e.live_customer_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM customer_transfers x WHERE x.customer_id = c.id AND x.live_key IS NOT NULL)`,
    { type: QueryTypes.SELECT },
  );
  for (const o of orphans) {
    const entered = await transaction(sequelize, async (t) => {
      const row = (await Customer.findByPk(o.id, { transaction: t }))!.get();
      return enterPool(sequelize, SYSTEM_ACTOR, row, { kind: 'owner_left', reason: '负责人已离职，无人接替', by: null }, t, now);
    });
    if (entered !== null) outcome.ownerLeft++;
  }
  return outcome;
}

/** Runs the sweep every hour inside the server process (like the approvals' expiry sweep). */
export class PoolRecycler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly deps: { sequelize: Sequelize; logger?: Logger }) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  sweep(): Promise<unknown> {
    this.running ??= recycleDue(this.deps.sequelize)
      .catch((err: unknown) => this.deps.logger?.error({ err }, 'customer pool recycle failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
