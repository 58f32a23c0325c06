/**
 * Engagement (README, "Engagement"): welcome messages, 渠道活码, corp tags, remark write-back and
 * the 话术库 — the WeCom-side actions tied to the CRM record.
 */
import { z } from 'zod';
import { code, longText, positiveId, text } from './fields';
import { fillPlaceholders } from './greeting';

/** WeCom counts welcome text in bytes: at most 4,000 (92599). */
export const WELCOME_TEXT_MAX_BYTES = 4000;
/** Filled in when the welcome is sent: the customer's WeCom name, and the rep's name. */
export const WELCOME_PLACEHOLDERS = ['{客户称呼}', '{销售姓名}'] as const;

/**
 * `{客户称呼}` → how the CRM addresses the customer (shared/greeting.ts `addressOf`: 张先生, or nothing
 * when no customer is linked — never the WeCom remark or nickname), `{销售姓名}` → the rep's name:
 * what is sent, and the preview.
 */
export function renderWelcome(text: string, names: { customer: string | null; rep: string }): string {
  return fillPlaceholders(text, names);
}

const welcomeText = longText(WELCOME_TEXT_MAX_BYTES)
  .min(1, '请填写欢迎语')
  .refine((v) => new TextEncoder().encode(v).length <= WELCOME_TEXT_MAX_BYTES, `欢迎语不能超过 ${WELCOME_TEXT_MAX_BYTES} 字节（约 1300 个汉字）`);

const httpsUrl = z
  .string()
  .trim()
  .max(512)
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v), '请填写以 http:// 或 https:// 开头的链接');

/** One attachment: a link card, an uploaded image, or a mini-program card with an uploaded picture. */
export const welcomeAttachmentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('link'), title: text(64).min(1, '请填写链接标题'), url: httpsUrl, desc: text(128).optional(), picUrl: httpsUrl.optional() }),
  z.object({ type: z.literal('image'), mediaFileId: positiveId }),
  z.object({
    type: z.literal('miniprogram'),
    title: text(64).min(1, '请填写小程序标题'),
    appid: code,
    page: text(128).min(1, '请填写小程序页面'),
    mediaFileId: positiveId,
  }),
]);
export type WelcomeAttachment = z.infer<typeof welcomeAttachmentSchema>;

export const WELCOME_SCOPES = ['corp', 'department', 'user', 'contact_way'] as const;
export type WelcomeScope = (typeof WELCOME_SCOPES)[number];
export const WELCOME_SCOPE_LABELS: Record<WelcomeScope, string> = { corp: '全公司', department: '部门', user: '成员', contact_way: '渠道活码' };

export const welcomeTemplateSchema = z
  .object({
    scope: z.enum(WELCOME_SCOPES),
    scopeId: positiveId.optional(),
    text: welcomeText,
    attachment: welcomeAttachmentSchema.nullable().optional(),
    enabled: z.boolean().default(true),
  })
  .refine((t) => (t.scope === 'corp') === (t.scopeId === undefined), { message: '请选择适用的部门、成员或渠道活码', path: ['scopeId'] });
export type WelcomeTemplateInput = z.infer<typeof welcomeTemplateSchema>;

export interface WelcomeTemplateView {
  id: number;
  scope: WelcomeScope;
  scopeId: number | null;
  /** The department, member or 渠道活码 it is for; 全公司 for the corp's. */
  scopeName: string;
  text: string;
  attachment: WelcomeAttachment | null;
  enabled: boolean;
  updatedAt: string;
}

export type WelcomeSendStatus = 'sending' | 'sent' | 'skipped' | 'failed';
export const WELCOME_SEND_LABELS: Record<WelcomeSendStatus, string> = { sending: '发送中', sent: '已发送', skipped: '未发送', failed: '发送失败' };

export interface WelcomeSendView {
  id: number;
  contactName: string;
  rep: string;
  status: WelcomeSendStatus;
  detail: string | null;
  latencyMs: number | null;
  createdAt: string;
}

// ---- 渠道活码 ----------------------------------------------------------------------------------

/** Whose lead a new contact from the code becomes: the rep they added, or one fixed owner. */
export const OWNER_RULES = ['adder', 'fixed'] as const;
export type OwnerRule = (typeof OWNER_RULES)[number];

export const contactWaySchema = z
  .object({
    name: text(30).min(1, '请填写活码名称'),
    userIds: z.array(positiveId).min(1, '请至少选择一位成员').max(100, '一个活码最多 100 位成员'),
    skipVerify: z.boolean().default(true),
    tagIds: z.array(z.string().min(1).max(64)).max(20, '最多自动打 20 个标签').default([]),
    source: code.nullable().optional(),
    ownerRule: z.enum(OWNER_RULES).default('adder'),
    ownerUserId: positiveId.nullable().optional(),
    welcomeText: welcomeText.nullable().optional(),
  })
  .refine((w) => w.ownerRule !== 'fixed' || w.ownerUserId, { message: '请选择线索负责人', path: ['ownerUserId'] });
export type ContactWayInput = z.infer<typeof contactWaySchema>;

export interface ContactWayView {
  id: number;
  name: string;
  state: string;
  /** WeCom's id of the 「联系我」 configuration. */
  configId: string | null;
  qrCode: string | null;
  users: { id: number; name: string }[];
  skipVerify: boolean;
  tags: { id: string; name: string }[];
  source: string | null;
  ownerRule: OwnerRule;
  owner: { id: number; name: string } | null;
  welcomeText: string | null;
  createdAt: string;
}

/** One 渠道活码 in the dashboard: contacts it brought, leads, customers they became, lost. */
export interface ChannelRow {
  contactWayId: number | null;
  name: string;
  state: string;
  added: number;
  leads: number;
  customers: number;
  lost: number;
}

// ---- corp tags ---------------------------------------------------------------------------------

/**
 * Tag groups of which a customer carries one tag at most: 客户等级 is the customer's grade (the
 * server refuses a second; the CRM's own 客户等级 field is set separately — see server/README.md).
 */
export const EXCLUSIVE_TAG_GROUPS: readonly string[] = ['客户等级'];

export interface CorpTagGroupView {
  groupId: string;
  groupName: string;
  /** Created by this app: the only tags it may rename or delete (92117); the others are the console's. */
  editable: boolean;
  tags: { id: string; name: string; editable: boolean }[];
}

export const corpTagCreateSchema = z
  .object({
    groupId: z.string().min(1).max(64).optional(),
    groupName: text(30).optional(),
    names: z.array(text(30).min(1, '标签名不能为空')).min(1, '请至少填写一个标签').max(50),
  })
  .refine((t) => t.groupId || t.groupName, { message: '请填写标签组名称', path: ['groupName'] });

export const corpTagRenameSchema = z.object({ name: text(30).min(1, '名称不能为空') });

export const markTagsSchema = z
  .object({ add: z.array(z.string().min(1).max(64)).max(50).default([]), remove: z.array(z.string().min(1).max(64)).max(50).default([]) })
  .refine((m) => m.add.length + m.remove.length > 0, '请选择要添加或移除的标签');

// ---- 话术库 ------------------------------------------------------------------------------------

export const QUICK_REPLY_KINDS = ['text', 'link', 'image'] as const;
export type QuickReplyKind = (typeof QUICK_REPLY_KINDS)[number];
/** In a 话术: the customer's name as the rep addresses them (remark, else WeCom name). */
export const QUICK_REPLY_PLACEHOLDER = '{客户称呼}';

export const quickReplySchema = z
  .object({
    category: text(32).min(1, '请填写分类'),
    title: text(64).min(1, '请填写标题'),
    kind: z.enum(QUICK_REPLY_KINDS).default('text'),
    content: longText(2000).nullable().optional(),
    linkUrl: httpsUrl.nullable().optional(),
    mediaFileId: positiveId.nullable().optional(),
    sortOrder: z.number().int().min(0).max(9999).default(0),
  })
  .refine((r) => r.kind !== 'text' || r.content, { message: '请填写话术内容', path: ['content'] })
  .refine((r) => r.kind !== 'link' || r.linkUrl, { message: '请填写链接', path: ['linkUrl'] })
  .refine((r) => r.kind !== 'image' || r.mediaFileId, { message: '请上传图片', path: ['mediaFileId'] });
export type QuickReplyInput = z.infer<typeof quickReplySchema>;

export interface QuickReplyView {
  id: number;
  category: string;
  title: string;
  kind: QuickReplyKind;
  content: string | null;
  linkUrl: string | null;
  /** For an image: where the H5 shows it (and what the bridge sends is its WeCom media_id, fetched on send). */
  imageUrl: string | null;
  mediaFileId: number | null;
  useCount: number;
  sortOrder: number;
}

/** What `ww.sendChatMessage` takes (98539): a text, an image by WeCom media_id, or a link as an H5 card. */
export type ChatMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { mediaid: string } }
  | { msgtype: 'news'; news: { link: string; title: string; desc: string; imgUrl: string } };

export const quickReplyUseSchema = z.object({ externalUserId: z.string().min(1).max(64) });
export const quickReplyQuerySchema = z.object({ keyword: z.string().trim().max(64).optional(), category: z.string().max(32).optional() });

/** Fills `{客户称呼}` with the CRM's address for the customer (shared/greeting.ts), nothing when none; `{销售姓名}` with the rep's name. */
export function fillQuickReply(content: string, addressAs: string | null, rep = ''): string {
  return fillPlaceholders(content, { customer: addressAs || null, rep });
}
