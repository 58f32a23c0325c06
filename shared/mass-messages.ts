/**
 * 客户群发 (server/README.md#客户群发): the audience in the customer list's filter vocabulary, the
 * content with its placeholders, the states and results as people read them.
 */
import { z } from 'zod';
import { customerFilterSchema } from './customers';
import { welcomeAttachmentSchema } from './engagement';
import { longText, positiveId, text } from './fields';

/** WeCom's limits on a mass message (92135 创建企业群发): 4,000 bytes of text, 9 attachments. */
export const MASS_TEXT_MAX_BYTES = 4000;
export const MASS_ATTACHMENTS_MAX = 9;

export const massContentSchema = z
  .object({
    text: longText(MASS_TEXT_MAX_BYTES)
      .refine((v) => new TextEncoder().encode(v).length <= MASS_TEXT_MAX_BYTES, `群发内容不能超过 ${MASS_TEXT_MAX_BYTES} 字节（约 1300 个汉字）`)
      .default(''),
    attachments: z.array(welcomeAttachmentSchema).max(MASS_ATTACHMENTS_MAX, `附件最多 ${MASS_ATTACHMENTS_MAX} 个`).default([]),
  })
  .refine((c) => c.text.trim() !== '' || c.attachments.length > 0, { message: '请填写群发内容或添加附件', path: ['text'] });
export type MassContent = z.infer<typeof massContentSchema>;

/** `POST /api/mass-messages`: creates one and submits it to 合规. */
export const massMessageCreateSchema = z.object({
  title: text(64).min(1, '请填写群发标题').optional(),
  audience: customerFilterSchema.default({}),
  content: massContentSchema,
  /** A message about a product goes only to customers whose valid risk level covers it. */
  productId: positiveId.nullable().optional(),
  reason: longText(200).optional(),
});
export type MassMessageCreateInput = z.infer<typeof massMessageCreateSchema>;

/** `POST /api/mass-messages/preview`: the audience's count, sample, senders and exclusions, and the content as each would get it. */
export const massPreviewSchema = z.object({
  audience: customerFilterSchema.default({}),
  content: z.object({ text: z.string().max(20_000).default('') }).default({ text: '' }),
  productId: positiveId.nullable().optional(),
});
export type MassPreviewInput = z.infer<typeof massPreviewSchema>;

export const segmentSchema = z.object({ name: text(32).min(1, '请填写人群名称'), filter: customerFilterSchema });
export type SegmentInput = z.infer<typeof segmentSchema>;

export const MASS_STATUSES = {
  pending_review: '待审核',
  rejected: '已驳回',
  withdrawn: '已撤回',
  dispatching: '创建任务中',
  dispatch_failed: '创建任务失败',
  sending: '待成员发送',
  done: '已完成',
  cancelled: '已取消',
} as const;
export type MassStatus = keyof typeof MASS_STATUSES;

/** Why a customer of the audience gets nothing. */
export const EXCLUSION_REASONS = {
  opted_out: '不接收营销信息',
  no_wecom: '未添加企业微信',
  risk_missing: '未做风险测评',
  risk_expired: '风险测评已过期',
  risk_level: '风险等级低于产品',
  not_qualified: '非合格投资者（产品仅限合格投资者）',
  wecom_refused: '企业微信未接受（非该成员客户）',
} as const;
export type ExclusionReason = keyof typeof EXCLUSION_REASONS;

/** A recipient's state: before sending, then WeCom's result (93338: 0 未发送, 1 已发送, 2 不是好友, 3 超过接收上限). */
export const RECIPIENT_STATUSES = {
  pending: '待成员确认',
  sent: '已发送',
  not_friend: '已不是好友',
  over_limit: '超过接收上限',
  unconfirmed: '成员未确认',
  cancelled: '已取消',
} as const;
export type RecipientStatus = keyof typeof RECIPIENT_STATUSES;

export interface MassAudiencePreview {
  /** Customers matching the filter in the creator's scope. */
  matched: number;
  /** Who would receive it. */
  reach: number;
  excluded: { reason: ExclusionReason; label: string; count: number }[];
  /** Who sends to whom: one WeCom task per rep (more when {称呼} differs). */
  senders: { userId: number; name: string; count: number }[];
  sample: { customerId: number; name: string; sender: string; text: string }[];
}

export interface MassMessageListItem {
  id: number;
  title: string;
  status: MassStatus;
  statusLabel: string;
  product: { id: number; name: string; riskLevel: string } | null;
  creator: { id: number; name: string };
  reach: number;
  sent: number;
  createdAt: string;
}

export interface MassTaskView {
  id: number;
  sender: { id: number; name: string };
  msgid: string | null;
  status: 'created' | 'sent' | 'cancelled' | 'failed';
  recipients: number;
  sent: number;
  notFriend: number;
  overLimit: number;
  pending: number;
  error: string | null;
}

export interface MassMessageView extends MassMessageListItem {
  audience: Record<string, unknown>;
  audienceText: string;
  content: MassContent;
  approvalId: number | null;
  excluded: { customerId: number; name: string; reason: ExclusionReason; label: string; detail: string | null }[];
  excludedCounts: { reason: ExclusionReason; label: string; count: number }[];
  tasks: MassTaskView[];
  recipients: { customerId: number; name: string; sender: string; status: RecipientStatus; statusLabel: string; sentAt: string | null }[];
  canCancel: boolean;
  canRemind: boolean;
  /** 发送后 7 日内: what the customers it was sent to did next; correlation, not the message's effect. Null before anyone got it. */
  afterSend: MassAfterSend | null;
}

/** The days after a customer got a 群发 that its report counts their follow-ups and trades in. */
export const AFTER_SEND_DAYS = 7;
export const AFTER_SEND_LABEL = `发送后 ${AFTER_SEND_DAYS} 日内（相关而非因果）`;

export interface MassAfterSend {
  days: number;
  label: string;
  /** Customers WeCom says received it. */
  sentCustomers: number;
  /** Follow-ups logged on them within the days after each one's send, and on how many of them. */
  followUps: number;
  customersFollowedUp: number;
  /** Trades (not voided) of theirs traded from the send's business day to the 7th day after, and how many traded. */
  trades: number;
  customersTraded: number;
}

/** A rep's 待发送: tasks WeCom waits for them to confirm in 群发助手. */
export interface PendingSendItem {
  taskId: number;
  massMessageId: number;
  title: string;
  text: string;
  recipients: number;
  createdAt: string;
}

export interface MassReportRow {
  sender: { id: number; name: string };
  tasks: number;
  confirmed: number;
  reach: number;
  sent: number;
  confirmationRate: number;
}
