/**
 * 公海 (server/README.md#customer-pool-公海): pools, entering one (release, recycle, owner left),
 * claiming and assigning.
 *
 * A customer in a pool keeps its last owner on file (the cool-down's former owner) and is marked by
 * its live entry (`customer_pool_entries.live_customer_id`). A claim is one transaction: the
 * claimer's row is locked (their claims are serialised, so the held and per-day limits hold under
 * parallel claims of different customers), the limits and the cool-down are checked, then the
 * conditional UPDATE that clears `live_customer_id` decides — of parallel claims of one customer
 * exactly one changes the row, the others find it gone (409). Then the CRM owner moves and the
 * WeCom relation follows through 客户继承 (transfers/handOverFromPool).
 */
// Raw SQL on other modules' tables, on purpose: which of a customer's linked contacts an active member
// follows is one join over matching's links, the mirror's relations and the org's users; the claimer's
// users row is locked to serialise their claims.
import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import type { PageOf } from '@shared/http';
import {
  POOL_WECOM_STATES,
  type ClaimResult,
  type PoolCustomerView,
  type PoolEntryKind,
  type PoolRulesInput,
  type PoolStatus,
  type PoolView,
  type PoolWecomState,
  type RecycleRule,
} from '@shared/customer-pool';
import { fromHundredths, toHundredths } from '@shared/money';
import { startOfBusinessDay } from '@shared/time';
import { forUpdateSql, sqlList, updateRows } from '../../db/dialect';
import { iso, isoOrNull, namesById, named } from '../../db/lookup';
import { pageWindow, type PageRequest } from '../../db/paging';
import { DomainError, forbidden, invalidField, missingPermission, notFound } from '../../errors';
import { audit, type Actor } from '../audit/service';
import { customerModels, type CustomerRow } from '../customers/models';
import { loadVisibleCustomer } from '../customers/service';
import { canSee, descendantsOf, type Access } from '../roles/access';
import { requireMemberInScope, resolveOwnership, type Caller } from '../roles/ownership';
import { handOverFromPool } from '../transfers/service';

interface PoolRow {
  id: number;
  scope_key: string;
  name: string;
  department_id: number | null;
  no_follow_up_days: number | null;
  no_trade_days: number | null;
  lead_days: number | null;
  aum_exempt_fen: number | string | null;
  warn_days: number;
  max_held: number | null;
  max_claims_per_day: number | null;
  cooldown_days: number;
}

export interface EntryRow {
  id: number;
  pool_id: number;
  customer_id: number;
  live_customer_id: number | null;
  kind: PoolEntryKind;
  rule: RecycleRule | null;
  reason: string | null;
  former_owner_user_id: number | null;
  entered_at: Date | string;
  left_at: Date | string | null;
  left_how: string | null;
  taken_by: number | null;
}

const conflictOf = (code: 'pool_claimed' | 'pool_limit' | 'pool_cooldown' | 'pool_member', message: string, details?: unknown) =>
  new DomainError('conflict', 'conflict', message, { reason: code, ...(details as object) });

const select = <T extends object>(sequelize: Sequelize, sql: string, replacements: unknown[], transaction?: Transaction) =>
  sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });

export async function allPools(sequelize: Sequelize, transaction?: Transaction): Promise<PoolRow[]> {
  return select<PoolRow>(sequelize, 'SELECT * FROM customer_pools ORDER BY id', [], transaction);
}

/** Parent of every live department (the pool of a department is its own, else its nearest ancestor's, else the corp's). */
async function parentsOf(sequelize: Sequelize, transaction?: Transaction): Promise<Map<number, number | null>> {
  const rows = await select<{ id: number; parent_id: number | null }>(sequelize, 'SELECT id, parent_id FROM departments', [], transaction);
  return new Map(rows.map((d) => [Number(d.id), d.parent_id === null ? null : Number(d.parent_id)]));
}

export function poolResolver(pools: PoolRow[], parents: Map<number, number | null>): (departmentId: number | null) => PoolRow {
  const corp = pools.find((p) => p.scope_key === 'corp')!;
  const byDepartment = new Map(pools.filter((p) => p.department_id !== null).map((p) => [Number(p.department_id), p]));
  return (departmentId) => {
    for (let d = departmentId, hops = 0; d !== null && d !== undefined && hops < 64; d = parents.get(d) ?? null, hops++) {
      const pool = byDepartment.get(d);
      if (pool) return pool;
    }
    return corp;
  };
}

/** Whether the caller may claim from the pool: the corp's anyone who writes customers; a department's its members (any sub-team) and managers who see it. */
function mayClaimFrom(access: Access, pool: PoolRow, parents: Map<number, number | null>): boolean {
  if (!access.permissions.has('customer.write')) return false;
  if (pool.department_id === null) return true;
  const target = Number(pool.department_id);
  if (access.dataScope === 'all' || access.scopeDepartmentIds.includes(target)) return true;
  return access.departmentIds.some((own) => {
    for (let d: number | null = own, hops = 0; d !== null && hops < 64; d = parents.get(d) ?? null, hops++) if (d === target) return true;
    return false;
  });
}

/** Whether the caller manages the pool: assigns from it and sets its rules (`customer.transfer` over its department; the corp's: a caller who sees all). */
function managesPool(access: Access, pool: PoolRow): boolean {
  if (!access.permissions.has('customer.transfer')) return false;
  if (access.dataScope === 'all') return true;
  return pool.department_id !== null && access.scopeDepartmentIds.includes(Number(pool.department_id));
}

/** Whether the caller may assign a pool customer: the pool's manager, or a manager over the department the customer sits in (the corp pool's customers of their team). */
function mayAssign(access: Access, pool: PoolRow, customerDepartmentId: number): boolean {
  if (managesPool(access, pool)) return true;
  return access.permissions.has('customer.transfer') && access.scopeDepartmentIds.includes(customerDepartmentId);
}

/** The former owner's cool-down still runs: they see no 领取 (a claim would be refused with the date). */
const coolingDown = (access: Access, pool: PoolRow, entry: Pick<EntryRow, 'former_owner_user_id' | 'entered_at'>, now = new Date()) =>
  entry.former_owner_user_id !== null &&
  Number(entry.former_owner_user_id) === access.userId &&
  new Date(entry.entered_at).getTime() + Number(pool.cooldown_days) * 86_400_000 > now.getTime();

function poolView(p: PoolRow, departments: Map<number, string>, size: number): PoolView {
  return {
    id: p.id,
    name: p.name,
    department: p.department_id === null ? null : named(departments, Number(p.department_id)),
    noFollowUpDays: p.no_follow_up_days,
    noTradeDays: p.no_trade_days,
    leadDays: p.lead_days,
    aumExemptAmount: p.aum_exempt_fen === null ? null : fromHundredths(p.aum_exempt_fen),
    warnDays: Number(p.warn_days),
    maxHeld: p.max_held,
    maxClaimsPerDay: p.max_claims_per_day,
    cooldownDays: Number(p.cooldown_days),
    size,
  };
}

/** The pools the caller may claim from or manage, each with its size. */
export async function listPools(sequelize: Sequelize, access: Access): Promise<PoolView[]> {
  const [pools, parents, sizes] = await Promise.all([
    allPools(sequelize),
    parentsOf(sequelize),
    select<{ pool_id: number; n: number | string }>(
      sequelize,
      'SELECT pool_id, COUNT(*) AS n FROM customer_pool_entries WHERE live_customer_id IS NOT NULL GROUP BY pool_id',
      [],
    ),
  ]);
  const shown = pools.filter((p) => mayClaimFrom(access, p, parents) || managesPool(access, p));
  const departments = await namesById(
    sequelize,
    'departments',
    shown.map((p) => p.department_id),
  );
  const sizeOf = new Map(sizes.map((s) => [Number(s.pool_id), Number(s.n)]));
  return shown.map((p) => poolView(p, departments, sizeOf.get(p.id) ?? 0));
}

/** Sets a pool's rules (creating a department's pool on first use). */
export async function setPoolRules(sequelize: Sequelize, caller: Caller, input: PoolRulesInput): Promise<PoolView> {
  const access = caller.access;
  if (!access.permissions.has('customer.transfer')) throw missingPermission('customer.transfer');
  if (input.departmentId === null ? access.dataScope !== 'all' : access.dataScope !== 'all' && !access.scopeDepartmentIds.includes(input.departmentId))
    throw forbidden('只能设置你的数据范围内部门的公海');
  const scopeKey = input.departmentId === null ? 'corp' : `dept:${input.departmentId}`;
  const columns: Record<string, unknown> = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.noFollowUpDays !== undefined) columns.no_follow_up_days = input.noFollowUpDays;
  if (input.noTradeDays !== undefined) columns.no_trade_days = input.noTradeDays;
  if (input.leadDays !== undefined) columns.lead_days = input.leadDays;
  if (input.aumExemptAmount !== undefined) columns.aum_exempt_fen = input.aumExemptAmount === null ? null : toHundredths(input.aumExemptAmount);
  if (input.warnDays !== undefined) columns.warn_days = input.warnDays;
  if (input.maxHeld !== undefined) columns.max_held = input.maxHeld;
  if (input.maxClaimsPerDay !== undefined) columns.max_claims_per_day = input.maxClaimsPerDay;
  if (input.cooldownDays !== undefined) columns.cooldown_days = input.cooldownDays;
  await sequelize.transaction(async (transaction) => {
    const [existing] = await select<PoolRow>(sequelize, 'SELECT * FROM customer_pools WHERE scope_key = ?', [scopeKey], transaction);
    const now = new Date();
    if (!existing) {
      const [department] = await select<{ name: string }>(sequelize, 'SELECT name FROM departments WHERE id = ?', [input.departmentId], transaction);
      if (!department) throw invalidField('departmentId', '部门不存在');
      await sequelize.getQueryInterface().bulkInsert(
        'customer_pools',
        [
          {
            scope_key: scopeKey,
            name: `${department.name}公海`,
            department_id: input.departmentId,
            warn_days: 3,
            cooldown_days: 30,
            ...columns,
            updated_by: access.userId,
            created_at: now,
            updated_at: now,
          },
        ],
        { transaction },
      );
    } else if (Object.keys(columns).length) {
      const sets = Object.keys(columns).map((c) => `${c} = ?`);
      await sequelize.query(`UPDATE customer_pools SET ${sets.join(', ')}, updated_by = ?, updated_at = ? WHERE id = ?`, {
        replacements: [...Object.values(columns), access.userId, now, existing.id],
        transaction,
      });
    }
    await audit(
      sequelize,
      caller.actor,
      { action: 'customer_pool.rules', entity: 'customer_pool', entityId: scopeKey, summary: `设置公海规则：${input.name ?? scopeKey}`, diff: input },
      { transaction },
    );
  });
  const pools = await listPools(sequelize, access);
  const [row] = await select<{ id: number }>(sequelize, 'SELECT id FROM customer_pools WHERE scope_key = ?', [scopeKey]);
  return pools.find((p) => p.id === Number(row!.id))!;
}

/**
 * Puts a customer into the pool of its department (in the caller's transaction). Returns the entry,
 * or null when the customer is already in a pool (the unique live key says so, whoever raced).
 */
export async function enterPool(
  sequelize: Sequelize,
  actor: Actor,
  customer: CustomerRow,
  entry: { kind: PoolEntryKind; rule?: RecycleRule | null; reason: string | null; by: number | null },
  transaction: Transaction,
  now = new Date(),
): Promise<number | null> {
  const pool = poolResolver(await allPools(sequelize, transaction), await parentsOf(sequelize, transaction))(customer.department_id);
  try {
    await sequelize.getQueryInterface().bulkInsert(
      'customer_pool_entries',
      [
        {
          pool_id: pool.id,
          customer_id: customer.id,
          live_customer_id: customer.id,
          kind: entry.kind,
          rule: entry.rule ?? null,
          reason: entry.reason,
          former_owner_user_id: customer.owner_user_id,
          entered_by: entry.by,
          entered_at: now,
          created_at: now,
          updated_at: now,
        },
      ],
      { transaction },
    );
  } catch (err) {
    if (err instanceof UniqueConstraintError) return null;
    throw err;
  }
  await sequelize.query('DELETE FROM customer_pool_warnings WHERE customer_id = ?', { replacements: [customer.id], transaction });
  const [row] = await select<{ id: number }>(sequelize, 'SELECT id FROM customer_pool_entries WHERE live_customer_id = ?', [customer.id], transaction);
  await audit(
    sequelize,
    actor,
    {
      action: entry.kind === 'released' ? 'customer.release' : 'customer.recycle',
      entity: 'customer',
      entityId: customer.id,
      summary: `${customer.name} 进入${pool.name}${entry.reason ? `：${entry.reason}` : ''}`,
      diff: { poolId: pool.id, kind: entry.kind, rule: entry.rule ?? null, formerOwnerUserId: customer.owner_user_id },
    },
    { transaction },
  );
  return Number(row!.id);
}

/** The owner (or a manager over the customer, `customer.transfer`) puts a customer back into its department's pool. */
export async function releaseCustomer(sequelize: Sequelize, caller: Caller, customerId: number, reason: string): Promise<PoolStatus> {
  await sequelize.transaction(async (transaction) => {
    const customer = await loadVisibleCustomer(sequelize, caller.access, customerId, transaction);
    if (customer.owner_user_id !== caller.access.userId && !caller.access.permissions.has('customer.transfer'))
      throw forbidden('只有客户的负责人或有「转移客户」权限的经理可以释放客户');
    const live = await liveEntryOf(sequelize, customerId, transaction);
    if (live) throw conflictOf('pool_claimed', '客户已在公海中');
    const entered = await enterPool(sequelize, caller.actor, customer, { kind: 'released', reason, by: caller.access.userId }, transaction);
    if (entered === null) throw conflictOf('pool_claimed', '客户已在公海中');
  });
  return (await poolStatusOf(sequelize, caller.access, customerId))!;
}

export async function liveEntryOf(sequelize: Sequelize, customerId: number, transaction?: Transaction): Promise<EntryRow | undefined> {
  const [row] = await select<EntryRow>(sequelize, 'SELECT * FROM customer_pool_entries WHERE live_customer_id = ?', [customerId], transaction);
  return row;
}

/** A customer's place in a pool for its page and the sidebar card (null: not in one). */
export async function poolStatusOf(sequelize: Sequelize, access: Access, customerId: number): Promise<PoolStatus | null> {
  const entry = await liveEntryOf(sequelize, customerId);
  if (!entry) return null;
  const [pools, parents] = await Promise.all([allPools(sequelize), parentsOf(sequelize)]);
  const pool = pools.find((p) => p.id === Number(entry.pool_id))!;
  const customer = (await customerModels(sequelize).Customer.findByPk(customerId))!.get();
  return {
    entryId: Number(entry.id),
    pool: { id: pool.id, name: pool.name },
    kind: entry.kind,
    reason: entry.reason,
    enteredAt: iso(entry.entered_at),
    canClaim: mayClaimFrom(access, pool, parents) && !coolingDown(access, pool, entry),
    canAssign: mayAssign(access, pool, customer.department_id),
  };
}

/** The customers in the pools the caller may claim from or manage, newest first. */
export async function listPoolCustomers(sequelize: Sequelize, access: Access, query: PageRequest & { poolId?: number }): Promise<PageOf<PoolCustomerView>> {
  const [pools, parents] = await Promise.all([allPools(sequelize), parentsOf(sequelize)]);
  const shown = pools.filter((p) => (query.poolId === undefined || p.id === query.poolId) && (mayClaimFrom(access, p, parents) || managesPool(access, p)));
  if (!shown.length) return { items: [], total: 0, page: query.page, pageSize: query.pageSize };
  const ids = shown.map((p) => p.id);
  const { limit, offset } = pageWindow(query);
  const [entries, [count]] = await Promise.all([
    select<EntryRow & { name: string; level: string | null; lifecycle_stage: string | null; last_follow_up_at: Date | string | null }>(
      sequelize,
      `SELECT e.*, c.name, c.level, c.lifecycle_stage, c.last_follow_up_at FROM customer_pool_entries e JOIN customers c ON c.id = e.customer_id
        WHERE e.live_customer_id IS NOT NULL AND e.pool_id IN (${sqlList(ids)}) ORDER BY e.entered_at DESC, e.id DESC LIMIT ${limit} OFFSET ${offset}`,
      ids,
    ),
    select<{ n: number | string }>(
      sequelize,
      `SELECT COUNT(*) AS n FROM customer_pool_entries WHERE live_customer_id IS NOT NULL AND pool_id IN (${sqlList(ids)})`,
      ids,
    ),
  ]);
  const owners = await namesById(
    sequelize,
    'users',
    entries.map((e) => e.former_owner_user_id),
  );
  return {
    items: entries.map((e) => {
      const pool = shown.find((p) => p.id === Number(e.pool_id))!;
      return {
        entryId: Number(e.id),
        pool: { id: pool.id, name: pool.name },
        customer: { id: Number(e.customer_id), name: e.name, level: e.level, lifecycleStage: e.lifecycle_stage },
        kind: e.kind,
        rule: e.rule,
        reason: e.reason,
        formerOwner: e.former_owner_user_id === null ? null : named(owners, Number(e.former_owner_user_id)),
        enteredAt: iso(e.entered_at),
        lastFollowUpAt: isoOrNull(e.last_follow_up_at),
        claimable: mayClaimFrom(access, pool, parents) && !coolingDown(access, pool, e),
      };
    }),
    total: Number(count?.n ?? 0),
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** Takes a customer out of its pool to `taker`: the conditional UPDATE, the owner, the WeCom relation. */
async function takeOut(
  sequelize: Sequelize,
  caller: Caller,
  entry: EntryRow,
  taker: { userId: number; departmentId: number },
  how: 'claimed' | 'assigned',
  transaction: Transaction,
  now: Date,
): Promise<ClaimResult> {
  // The one claim that wins: whoever clears the live key first; the others change no row.
  const changed = await updateRows(
    sequelize,
    'UPDATE customer_pool_entries SET live_customer_id = NULL, left_at = ?, left_how = ?, taken_by = ?, updated_at = ? WHERE id = ? AND live_customer_id IS NOT NULL',
    [now, how, taker.userId, now, entry.id],
    transaction,
  );
  if (changed !== 1) throw conflictOf('pool_claimed', '客户已被其他同事领取');
  const customer = (await customerModels(sequelize).Customer.findByPk(entry.customer_id, { transaction }))!.get();
  let wecom: PoolWecomState;
  let batchId: string | null = null;
  if (customer.owner_user_id === taker.userId) {
    // The former owner back after the cool-down: the owner stays, the relation is theirs if they kept it.
    if (customer.department_id !== taker.departmentId)
      await customerModels(sequelize).Customer.update(
        { department_id: taker.departmentId, version: customer.version + 1 },
        { where: { id: customer.id }, transaction },
      );
    wecom = (await followersOf(sequelize, customer.id, transaction)).includes(taker.userId) ? 'own' : 'no_follower';
  } else {
    const followers = await followersOf(sequelize, customer.id, transaction);
    const handed = await handOverFromPool(sequelize, caller, customer, taker, transaction);
    batchId = handed.batchId;
    wecom = handed.wecomTransfer ? 'transfer' : followers.includes(taker.userId) ? 'own' : 'no_follower';
  }
  await sequelize.query('UPDATE customer_pool_entries SET wecom_state = ? WHERE id = ?', { replacements: [wecom, entry.id], transaction });
  const takerName = (await namesById(sequelize, 'users', [taker.userId], transaction)).get(taker.userId) ?? '';
  await audit(
    sequelize,
    caller.actor,
    {
      action: how === 'claimed' ? 'customer.claim' : 'customer.assign',
      entity: 'customer',
      entityId: customer.id,
      summary: how === 'claimed' ? `${takerName} 从公海领取 ${customer.name}` : `从公海把 ${customer.name} 分配给 ${takerName}`,
      diff: { entryId: entry.id, poolId: entry.pool_id, toUserId: taker.userId, wecom, transferBatchId: batchId },
    },
    { transaction },
  );
  return { customerId: customer.id, ownerUserId: taker.userId, wecom, wecomText: POOL_WECOM_STATES[wecom], transferBatchId: batchId };
}

/** Active members who follow one of the customer's linked WeCom contacts. */
async function followersOf(sequelize: Sequelize, customerId: number, transaction: Transaction): Promise<number[]> {
  const rows = await select<{ id: number }>(
    sequelize,
    `SELECT DISTINCT u.id FROM customer_wecom_links l
       JOIN wecom_follow_relations f ON f.external_userid = l.external_userid AND f.deleted_at IS NULL
       JOIN users u ON u.wecom_userid = f.userid AND u.status = 'active'
      WHERE l.customer_id = ?`,
    [customerId],
    transaction,
  );
  return rows.map((r) => Number(r.id));
}

export async function claimCustomer(sequelize: Sequelize, caller: Caller, customerId: number, now = new Date()): Promise<ClaimResult> {
  const access = caller.access;
  return sequelize.transaction(async (transaction) => {
    // The claimer's claims one at a time: the limits below count what their earlier claims left.
    await sequelize.query(`SELECT id FROM users WHERE id = ?${forUpdateSql(sequelize)}`, {
      replacements: [access.userId],
      type: QueryTypes.SELECT,
      transaction,
    });
    const entry = await liveEntryOf(sequelize, customerId, transaction);
    if (!entry) throw conflictOf('pool_claimed', '客户不在公海中，或已被其他同事领取');
    const [pools, parents] = await Promise.all([allPools(sequelize, transaction), parentsOf(sequelize, transaction)]);
    const pool = pools.find((p) => p.id === Number(entry.pool_id))!;
    if (!mayClaimFrom(access, pool, parents)) throw conflictOf('pool_member', `你不能领取${pool.name}的客户`);
    if (entry.former_owner_user_id === access.userId && pool.cooldown_days > 0) {
      const until = new Date(new Date(entry.entered_at).getTime() + pool.cooldown_days * 86_400_000);
      if (until > now)
        throw conflictOf('pool_cooldown', `你释放或被回收的客户需等待 ${pool.cooldown_days} 天才能再次领取（${iso(until).slice(0, 10)} 后）`, {
          until: iso(until),
        });
    }
    if (pool.max_held !== null) {
      const [held] = await select<{ n: number | string }>(
        sequelize,
        `SELECT COUNT(*) AS n FROM customers c WHERE c.owner_user_id = ? AND c.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM customer_pool_entries e WHERE e.live_customer_id = c.id)`,
        [access.userId],
        transaction,
      );
      if (Number(held!.n) >= pool.max_held) throw conflictOf('pool_limit', `你已负责 ${Number(held!.n)} 位客户，达到${pool.name}的上限 ${pool.max_held} 位`);
    }
    if (pool.max_claims_per_day !== null) {
      const [today] = await select<{ n: number | string }>(
        sequelize,
        "SELECT COUNT(*) AS n FROM customer_pool_entries WHERE taken_by = ? AND left_how = 'claimed' AND left_at >= ?",
        [access.userId, startOfBusinessDay(now)],
        transaction,
      );
      if (Number(today!.n) >= pool.max_claims_per_day)
        throw conflictOf('pool_limit', `今天已领取 ${Number(today!.n)} 位客户，达到${pool.name}每天 ${pool.max_claims_per_day} 位的上限`);
    }
    const own = await resolveOwnership(sequelize, caller, {}, undefined, transaction);
    return takeOut(sequelize, caller, entry, { userId: own.ownerUserId, departmentId: own.departmentId }, 'claimed', transaction, now);
  });
}

/** A manager over the pool (or over the customer's department) gives one of its customers to a member in their scope (no claim limits: the manager decides). */
export async function assignFromPool(sequelize: Sequelize, caller: Caller, customerId: number, userId: number, now = new Date()): Promise<ClaimResult> {
  return sequelize.transaction((transaction) => assignInTransaction(sequelize, caller, customerId, userId, transaction, now));
}

/** `assignFromPool` in the caller's transaction (the pool assignment import writes a batch in one). */
export async function assignInTransaction(
  sequelize: Sequelize,
  caller: Caller,
  customerId: number,
  userId: number,
  transaction: Transaction,
  now = new Date(),
): Promise<ClaimResult> {
  const entry = await liveEntryOf(sequelize, customerId, transaction);
  if (!entry) throw conflictOf('pool_claimed', '客户不在公海中，或已被其他同事领取');
  const pool = (await allPools(sequelize, transaction)).find((p) => p.id === Number(entry.pool_id))!;
  const customer = (await customerModels(sequelize).Customer.findByPk(customerId, { transaction }))!.get();
  if (!mayAssign(caller.access, pool, customer.department_id)) throw forbidden(`没有分配${pool.name}客户的权限`);
  await requireMemberInScope(sequelize, caller.access, userId, 'userId', transaction);
  const owner = await resolveOwnership(sequelize, caller, { ownerUserId: userId }, { owner: 'userId', department: 'userId' }, transaction);
  if (!canSee(caller.access, owner)) throw notFound('人员不存在或不在你的数据范围内');
  return takeOut(sequelize, caller, entry, { userId: owner.ownerUserId, departmentId: owner.departmentId }, 'assigned', transaction, now);
}

/** The departments a pool's rules cover: its department's subtree less the sub-departments with a pool of their own (the corp: whatever no department pool covers). */
export async function departmentsOfPool(sequelize: Sequelize, pool: PoolRow, pools: PoolRow[], parents: Map<number, number | null>): Promise<number[]> {
  const resolve = poolResolver(pools, parents);
  const candidates = pool.department_id === null ? [...parents.keys()] : await descendantsOf(sequelize, [Number(pool.department_id)]);
  return candidates.filter((d) => resolve(d).id === pool.id);
}

/**
 * A merge: the source's stays in 公海 become the target's history; a stay still open ends (the
 * source is no customer any more — the target keeps its own place, in a pool or not) and its
 * pending warnings go.
 */
export async function movePoolEntries(sequelize: Sequelize, sourceId: number, targetId: number, transaction: Transaction, now = new Date()): Promise<void> {
  await sequelize.query(
    "UPDATE customer_pool_entries SET live_customer_id = NULL, left_at = ?, left_how = 'merged', updated_at = ? WHERE live_customer_id = ?",
    { replacements: [now, now, sourceId], transaction },
  );
  await sequelize.query('UPDATE customer_pool_entries SET customer_id = ? WHERE customer_id = ?', { replacements: [targetId, sourceId], transaction });
  await sequelize.query('DELETE FROM customer_pool_warnings WHERE customer_id = ?', { replacements: [sourceId], transaction });
}
