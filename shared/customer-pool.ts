/**
 * 公海 (the customer pool, server/README.md#customer-pool-公海): a pool per department and one for the
 * corp. A customer enters one when its owner releases it (with a reason), when its owner left and
 * nobody took the book over, or by a recycle rule of the pool; a rep claims it within the pool's
 * limits, a manager assigns it.
 */
import { z } from 'zod';
import { optionalText, positiveId, text } from './fields';

// In labels.ts (no zod) for the sidebar's first paint; re-exported for the pages and the server.
import { POOL_ENTRY_KINDS } from './labels';

export { POOL_ENTRY_KINDS };
export type PoolEntryKind = keyof Omit<typeof POOL_ENTRY_KINDS, 'assigned'>;

/** The recycle rules, each with the pool's setting that turns it on (days; null: off). */
export const RECYCLE_RULES = {
  no_follow_up: '长期未跟进',
  no_trade: '长期未交易',
  lead_unconverted: '线索未转化',
} as const;
export type RecycleRule = keyof typeof RECYCLE_RULES;

/** How a claim leaves the WeCom relation: handed over by 在职继承 / 离职继承, already the claimer's, or nobody active follows (add the customer). */
export const POOL_WECOM_STATES = {
  transfer: '已发起企业微信客户继承',
  own: '已是你的企业微信客户',
  no_follower: '无在职成员跟进，请主动添加客户企业微信',
} as const;
export type PoolWecomState = keyof typeof POOL_WECOM_STATES;

const days = z.number().int().min(1, '天数至少为 1').max(3650, '天数不能超过 3650').nullable();

/** A pool's rules (`PUT /api/customer-pools`: the corp's with no departmentId, else the department's). */
export const poolRulesSchema = z.object({
  departmentId: positiveId.nullable().default(null),
  name: text(64).min(1, '请填写公海名称').optional(),
  noFollowUpDays: days.optional(),
  noTradeDays: days.optional(),
  leadDays: days.optional(),
  /** Holders of AUM (market value) at or above this many yuan are never recycled; null: nobody is exempt. */
  aumExemptAmount: z.number().min(0).max(1e11).nullable().optional(),
  /** Days before a recycle the owner is warned. */
  warnDays: z.number().int().min(1).max(30).optional(),
  /** Customers a rep may hold before claiming more; null: no limit. */
  maxHeld: z.number().int().min(1).max(100_000).nullable().optional(),
  maxClaimsPerDay: z.number().int().min(1).max(1000).nullable().optional(),
  /** Days a former owner waits before claiming the customer back. */
  cooldownDays: z.number().int().min(0).max(365).optional(),
});
export type PoolRulesInput = z.infer<typeof poolRulesSchema>;

export const releaseSchema = z.object({ reason: text(255).min(1, '请填写释放原因') });
export const assignSchema = z.object({ userId: positiveId, note: optionalText(255) });

export interface PoolView {
  id: number;
  name: string;
  department: { id: number; name: string } | null;
  noFollowUpDays: number | null;
  noTradeDays: number | null;
  leadDays: number | null;
  aumExemptAmount: number | null;
  warnDays: number;
  maxHeld: number | null;
  maxClaimsPerDay: number | null;
  cooldownDays: number;
  /** Customers in it now. */
  size: number;
}

/** A customer in a pool as the pool's list shows it (no phone: it is nobody's customer yet). */
export interface PoolCustomerView {
  entryId: number;
  pool: { id: number; name: string };
  customer: { id: number; name: string; level: string | null; lifecycleStage: string | null };
  kind: PoolEntryKind;
  rule: RecycleRule | null;
  reason: string | null;
  formerOwner: { id: number; name: string } | null;
  enteredAt: string;
  lastFollowUpAt: string | null;
  /** Whether the caller may claim it now (limits and cool-down aside, which a claim checks). */
  claimable: boolean;
}

/** What a claim or an assignment did. */
export interface ClaimResult {
  customerId: number;
  ownerUserId: number;
  wecom: PoolWecomState;
  wecomText: string;
  /** The 客户继承 batch when one was started. */
  transferBatchId: string | null;
}

/** A customer's place in the pool, for its page and the sidebar card (null: not in a pool). */
export interface PoolStatus {
  entryId: number;
  pool: { id: number; name: string };
  kind: PoolEntryKind;
  reason: string | null;
  enteredAt: string;
  canClaim: boolean;
  canAssign: boolean;
}
