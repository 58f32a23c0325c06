/**
 * 公海 on 看板 (server/README.md#customer-pool-公海): the customers in a pool now, the entries of the
 * period by how they came and per recycle rule, the claims and assignments — over the customers in
 * the caller's scope (a pool customer keeps its last owner and department), optionally one
 * department's subtree.
 */
// Raw SQL on other modules' tables, on purpose: counts over the pool's entries joined to their customers
// (for the scope), one statement each.
import type { Sequelize } from 'sequelize';
import { POOL_ENTRY_KINDS, RECYCLE_RULES, type PoolEntryKind, type RecycleRule } from '@shared/customer-pool';
import type { PoolDashboard } from '@shared/dashboard';
import type { Access } from '../roles/access';
import { filtersFor, periodRange, rows, type DashboardQuery } from './service';

const chinaMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);
const nextDay = (date: string) => new Date(chinaMidnight(date).getTime() + 86_400_000);

export async function poolDashboard(sequelize: Sequelize, access: Access, query: DashboardQuery, now = new Date()): Promise<PoolDashboard> {
  const period = periodRange(query.period, now);
  const filter = (await filtersFor(sequelize, access, query.departmentId))({ owner: 'c.owner_user_id', department: 'c.department_id' });
  const [from, to] = [chinaMidnight(period.from), nextDay(period.to)];
  const joined = 'FROM customer_pool_entries e JOIN customers c ON c.id = e.customer_id';
  const [sizes, entered, left] = await Promise.all([
    rows<{ id: number; name: string; n: number | string }>(
      sequelize,
      `SELECT p.id, p.name, COUNT(*) AS n ${joined} JOIN customer_pools p ON p.id = e.pool_id
        WHERE e.live_customer_id IS NOT NULL AND ${filter.sql} GROUP BY p.id, p.name ORDER BY p.id`,
      filter.params,
    ),
    rows<{ kind: PoolEntryKind; rule: RecycleRule | null; n: number | string }>(
      sequelize,
      `SELECT e.kind, e.rule, COUNT(*) AS n ${joined} WHERE e.entered_at >= ? AND e.entered_at < ? AND ${filter.sql} GROUP BY e.kind, e.rule`,
      [from, to, ...filter.params],
    ),
    rows<{ left_how: string; n: number | string }>(
      sequelize,
      `SELECT e.left_how, COUNT(*) AS n ${joined} WHERE e.left_at >= ? AND e.left_at < ? AND ${filter.sql} GROUP BY e.left_how`,
      [from, to, ...filter.params],
    ),
  ]);
  const byKind = new Map<string, number>();
  const byRule = new Map<string, number>();
  for (const e of entered) {
    byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + Number(e.n));
    if (e.rule) byRule.set(e.rule, (byRule.get(e.rule) ?? 0) + Number(e.n));
  }
  const leftBy = (how: string) => Number(left.find((l) => l.left_how === how)?.n ?? 0);
  return {
    period,
    size: sizes.reduce((sum, s) => sum + Number(s.n), 0),
    byPool: sizes.map((s) => ({ id: Number(s.id), name: s.name, size: Number(s.n) })),
    entered: (Object.keys(POOL_ENTRY_KINDS) as (keyof typeof POOL_ENTRY_KINDS)[])
      .filter((k) => k !== 'assigned')
      .map((kind) => ({ kind, label: POOL_ENTRY_KINDS[kind], count: byKind.get(kind) ?? 0 })),
    recycled: (Object.keys(RECYCLE_RULES) as RecycleRule[]).map((rule) => ({ rule, label: RECYCLE_RULES[rule], count: byRule.get(rule) ?? 0 })),
    claimed: leftBy('claimed'),
    assigned: leftBy('assigned'),
  };
}
