/** Where a customer transfer stands, as people read it (shared/transfers.ts has the schemas). */

/**
 * Where one handed-over thing stands:
 * - `queued`: the CRM owner moved; the WeCom call has not been made yet;
 * - `waiting`: WeCom started the takeover (等待接替): the customer has 24 h to object;
 * - `done`: 接替完毕 — the relation (or the group) is the new owner's;
 * - `refused`: 客户拒绝; `limit`: 接替成员客户达到上限; `no_record`: 无接替记录;
 * - `rejected`: WeCom refused to start it (too often, not the handover's customer…) — see `reason`;
 * - `crm_only`: only the CRM owner moved: no WeCom relation of the old owner to hand over;
 * - `interrupted`: WeCom failed every attempt to submit or follow it (an outage) and the job gave
 *   up — see `reason`; the manager retries it once WeCom is back.
 */
export const TRANSFER_STATUSES = ['queued', 'waiting', 'done', 'refused', 'limit', 'no_record', 'rejected', 'crm_only', 'interrupted'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export const TRANSFER_STATUS_LABELS: Record<TransferStatus, string> = {
  queued: '待提交企业微信',
  waiting: '等待接替',
  done: '接替完毕',
  refused: '客户拒绝',
  limit: '接替成员客户达到上限',
  no_record: '无接替记录',
  rejected: '企业微信未受理',
  crm_only: '仅转移负责人',
  interrupted: '企业微信调用中断',
};

/** Outcomes a manager must decide on: retry, keep as it is, or hand to someone else. */
export const FAILED_TRANSFER_STATUSES: readonly TransferStatus[] = ['refused', 'limit', 'no_record', 'rejected', 'interrupted'];

export function isFailedTransfer(status: TransferStatus): boolean {
  return FAILED_TRANSFER_STATUSES.includes(status);
}

/** 在职继承 or 离职继承. */
export type TransferKind = 'onjob' | 'resigned';
export const TRANSFER_KIND_LABELS: Record<TransferKind, string> = { onjob: '在职继承', resigned: '离职继承' };

/** What a manager decided about a failed transfer. */
export type TransferResolution = 'retried' | 'kept' | 'reassigned';
export const TRANSFER_RESOLUTION_LABELS: Record<TransferResolution, string> = { retried: '已重试', kept: '保留现状', reassigned: '已改派' };
