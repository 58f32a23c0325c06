/**
 * 客户继承 (README, "Customer transfers"): handing customers, their WeCom relations and customer groups from one
 * member to another — 在职继承 while the member is with the company, 离职继承 once they left.
 */
import { z } from 'zod';
import { positiveId, text } from './fields';
import { TRANSFER_STATUSES, type TransferKind, type TransferResolution, type TransferStatus } from './transfer-status';

// Statuses and their labels live apart, without zod, for the sidebar's first paint.
export * from './transfer-status';

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
/** Why the customers change hands (离职交接, 区域调整…): the audit entry, the new and the previous owner's messages say it. */
const transferReason = text(200).optional();

export const transferCustomersSchema = z.object({
  customerIds: z.array(positiveId).min(1, '请选择客户').max(500, '一次最多转移 500 位客户'),
  toUserId: positiveId,
  message: transferMessage,
  reason: transferReason,
});
export type TransferCustomersInput = z.infer<typeof transferCustomersSchema>;

/** A whole member's book: their customers in the caller's scope, their other WeCom contacts and their groups. */
export const transferBookSchema = z.object({
  fromUserId: positiveId,
  toUserId: positiveId,
  message: transferMessage,
  reason: transferReason,
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
