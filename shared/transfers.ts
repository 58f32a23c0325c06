/**
 * 客户继承 (README, "Customer transfers"): handing customers, their WeCom relations and customer groups from one
 * member to another — 在职继承 while the member is with the company, 离职继承 once they left.
 */
import { z } from 'zod';
import { positiveId, text } from './fields';

/**
 * Where one handed-over thing stands:
 * - `queued`: the CRM owner moved; the WeCom call has not been made yet;
 * - `waiting`: WeCom started the takeover (等待接替): the customer has 24 h to object;
 * - `done`: 接替完毕 — the relation (or the group) is the new owner's;
 * - `refused`: 客户拒绝; `limit`: 接替成员客户达到上限; `no_record`: 无接替记录;
 * - `rejected`: WeCom refused to start it (too often, not the handover's customer…) — see `reason`;
 * - `crm_only`: only the CRM owner moved: no WeCom relation of the old owner to hand over.
 */
export const TRANSFER_STATUSES = ['queued', 'waiting', 'done', 'refused', 'limit', 'no_record', 'rejected', 'crm_only'] as const;
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
};

/** Outcomes a manager must decide on: retry, keep as it is, or hand to someone else. */
export const FAILED_TRANSFER_STATUSES: readonly TransferStatus[] = ['refused', 'limit', 'no_record', 'rejected'];

export function isFailedTransfer(status: TransferStatus): boolean {
  return FAILED_TRANSFER_STATUSES.includes(status);
}

/** 在职继承 or 离职继承. */
export type TransferKind = 'onjob' | 'resigned';
export const TRANSFER_KIND_LABELS: Record<TransferKind, string> = { onjob: '在职继承', resigned: '离职继承' };

/** What a manager decided about a failed transfer. */
export type TransferResolution = 'retried' | 'kept' | 'reassigned';
export const TRANSFER_RESOLUTION_LABELS: Record<TransferResolution, string> = { retried: '已重试', kept: '保留现状', reassigned: '已改派' };

export interface TransferView {
  id: number;
  batchId: string;
  kind: TransferKind;
  subject: 'contact' | 'group_chat' | 'crm';
  customer: { id: number; name: string } | null;
  /** The WeCom contact or customer group handed over, by name. */
  wecomName: string | null;
  externalUserId: string | null;
  chatId: string | null;
  from: { id: number; name: string } | null;
  to: { id: number; name: string };
  requestedBy: { id: number; name: string } | null;
  status: TransferStatus;
  /** Why it failed, in Chinese (WeCom's refusal explained). */
  reason: string | null;
  /** While waiting: when WeCom moves the relation unless the customer objects. */
  takeoverAt: string | null;
  resolution: TransferResolution | null;
  createdAt: string;
  updatedAt: string;
}

/** One request's outcome as the caller sees it right away (the WeCom part follows in the list). */
export interface TransferBatchView {
  batchId: string;
  /** Customers whose CRM owner moved. */
  transferred: number;
  contacts: number;
  groupChats: number;
  items: TransferView[];
}

/** A transfer message WeCom shows the customer: at most 200 characters (92125). */
const transferMessage = text(200).optional();

export const transferCustomersSchema = z.object({
  customerIds: z.array(positiveId).min(1, '请选择客户').max(500, '一次最多转移 500 位客户'),
  toUserId: positiveId,
  message: transferMessage,
});
export type TransferCustomersInput = z.infer<typeof transferCustomersSchema>;

/** A whole member's book: their customers in the caller's scope, their other WeCom contacts and their groups. */
export const transferBookSchema = z.object({
  fromUserId: positiveId,
  toUserId: positiveId,
  message: transferMessage,
  groupChats: z.boolean().default(true),
});
export type TransferBookInput = z.infer<typeof transferBookSchema>;

export const transferListQuerySchema = z.object({
  status: z.enum(['active', 'failed', ...TRANSFER_STATUSES]).optional(),
  customerId: z.coerce.number().int().positive().optional(),
  batchId: z.string().uuid().optional(),
});

export const transferResolveSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('retry') }),
  z.object({ action: z.literal('keep') }),
  z.object({ action: z.literal('reassign'), toUserId: positiveId }),
]);
export type TransferResolveInput = z.infer<typeof transferResolveSchema>;

/** 离职待分配: one member who left, with what still waits for a successor. */
export interface UnassignedBook {
  user: { id: number; name: string; wecomUserId: string };
  leftAt: string | null;
  customers: { id: number; name: string; lifecycleStage: string }[];
  /** WeCom contacts of theirs without a CRM customer (from get_unassigned_list). */
  contacts: { externalUserId: string; name: string }[];
  groupChats: { chatId: string; name: string | null }[];
}

export interface UnassignedQueue {
  books: UnassignedBook[];
  /** Set when WeCom's list could not be read: the CRM part is still shown. */
  wecomNote: string | null;
}
