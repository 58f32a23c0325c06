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

/**
 * A 群发 attachment (92135 attachments): a link, an image, a mini-program (its picture uploaded), or
 * a file (PDF / Office, uploaded through POST /api/mass-messages/media).
 */
export const massAttachmentSchema = z.discriminatedUnion('type', [
  ...welcomeAttachmentSchema.options,
  z.object({ type: z.literal('file'), mediaFileId: positiveId, name: text(128).min(1) }),
]);
export type MassAttachmentInput = z.infer<typeof massAttachmentSchema>;

export const massContentSchema = z
  .object({
    text: longText(MASS_TEXT_MAX_BYTES)
      .refine((v) => new TextEncoder().encode(v).length <= MASS_TEXT_MAX_BYTES, `群发内容不能超过 ${MASS_TEXT_MAX_BYTES} 字节（约 1300 个汉字）`)
      .default(''),
    attachments: z.array(massAttachmentSchema).max(MASS_ATTACHMENTS_MAX, `附件最多 ${MASS_ATTACHMENTS_MAX} 个`).default([]),
  })
  .refine((c) => c.text.trim() !== '' || c.attachments.length > 0, { message: '请填写群发内容或添加附件', path: ['text'] });
export type MassContent = z.infer<typeof massContentSchema>;

/** An attachment in one word or two (the approval's subject, the detail page). */
export const attachmentLabel = (a: MassContent['attachments'][number]): string =>
  a.type === 'link' ? `链接：${a.title}` : a.type === 'image' ? '图片' : a.type === 'file' ? `文件：${a.name}` : `小程序：${a.title}`;

/** Who a 群发 goes to: customers (one task per rep who follows them) or 客户群 (one task per group owner, 92135 chat_type group). */
export const MASS_KINDS = { customer: '客户', group: '客户群' } as const;
export type MassKind = keyof typeof MASS_KINDS;

/** 客户群 of an audience: live groups (the group-chat mirror) whose owner is a member in scope, narrowed by owner, department or name. */
export const groupAudienceSchema = z.object({
  ownerUserId: positiveId.optional(),
  departmentId: positiveId.optional(),
  name: text(64).optional(),
});
export type GroupAudience = z.infer<typeof groupAudienceSchema>;

/** 92135: at most 2,000 customer groups in one group task's chat_id_list. */
export const MASS_GROUPS_PER_TASK = 2000;

/** `POST /api/mass-messages`: creates one and submits it to 合规. */
export const massMessageCreateSchema = z.object({
  title: text(64).min(1, '请填写群发标题').optional(),
  kind: z.enum(['customer', 'group']).default('customer'),
  audience: customerFilterSchema.default({}),
  /** For kind `group`: which 客户群 (the customer filter `audience` is then not used). */
  groups: groupAudienceSchema.default({}),
  content: massContentSchema,
  /** A message about a product goes only to customers whose valid risk level covers it. */
  productId: positiveId.nullable().optional(),
  reason: longText(200).optional(),
});
export type MassMessageCreateInput = z.infer<typeof massMessageCreateSchema>;

/** `POST /api/mass-messages/preview`: the audience's count, sample, senders and exclusions, and the content as each would get it. */
export const massPreviewSchema = z.object({
  kind: z.enum(['customer', 'group']).default('customer'),
  audience: customerFilterSchema.default({}),
  groups: groupAudienceSchema.default({}),
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
  /** 客户群: the owner is not an active member of the CRM, so nobody can confirm the group task. */
  no_owner: '群主不是在职成员',
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

/** A 客户群's state, as a group owner's task reads (93338 for chat_type group: 0 未发送, 1 已发送, 2/3 发送失败 / 超过接收上限). */
export const GROUP_STATUSES: Record<RecipientStatus, string> = {
  pending: '待群主确认',
  sent: '已发送',
  not_friend: '发送失败',
  over_limit: '超过接收上限',
  unconfirmed: '群主未确认',
  cancelled: '已取消',
};

export interface MassAudiencePreview {
  /** Customers matching the filter in the creator's scope. */
  matched: number;
  /** Who would receive it. */
  reach: number;
  excluded: { reason: ExclusionReason; label: string; count: number }[];
  /**
   * Who sends to whom: `count` customers (or 客户群) and the `tasks` they confirm in WeCom — one per
   * rep, more when {称呼} makes the texts differ (WeCom sends one text per task).
   */
  senders: { userId: number; name: string; count: number; tasks: number }[];
  sample: { customerId: number; name: string; sender: string; text: string }[];
  /** For 客户群: the first groups, their size and owner. */
  groupSample: { chatId: string; name: string; memberCount: number; sender: string }[];
}

export interface MassMessageListItem {
  id: number;
  title: string;
  kind: MassKind;
  kindLabel: string;
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
  /** For 客户群: each group, who sends to it and WeCom's result; the groups left out with why. */
  groups: MassGroupView[];
  canCancel: boolean;
  canRemind: boolean;
  /** 发送后 7 日内: what the customers it was sent to did next; correlation, not the message's effect. Null before anyone got it. */
  afterSend: MassAfterSend | null;
}

export interface MassGroupView {
  chatId: string;
  name: string;
  memberCount: number;
  sender: string;
  status: RecipientStatus | null;
  statusLabel: string;
  excluded: ExclusionReason | null;
  sentAt: string | null;
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
  kind: MassKind;
  title: string;
  text: string;
  /** Customers, or 客户群 for kind group. */
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
