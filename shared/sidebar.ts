/** The chat sidebar (server/README.md#sidebar-card-flow): who the customer in this chat is, in one round trip. */
import type { PoolStatus } from './customer-pool';
import type { CustomerView, FollowUpView } from './customers';
import type { DictionariesResponse } from './dictionaries';
import type { ApiErrorBody, MetaResponse } from './http';
import type { JssdkConfigResponse } from './jssdk';
import type { MeResponse } from './permissions';
import type { MatchedBy, SuggestionView } from './matching';
import type { TransferStatus } from './transfers';

/** WeCom `add_way` codes a rep will meet (externalcontact/get). */
export const ADD_WAYS: Record<number, string> = {
  0: '未知来源',
  1: '扫描二维码',
  2: '搜索手机号',
  3: '名片分享',
  4: '群聊',
  5: '手机通讯录',
  6: '微信联系人',
  8: '第三方应用自动添加',
  9: '搜索邮箱',
  10: '视频号',
  11: '日程参与人',
  12: '会议参与人',
  13: '添加微信好友',
  16: '获客链接',
  201: '内部成员共享',
  202: '管理员分配',
};

export interface SidebarContact {
  externalUserId: string;
  name: string;
  avatar: string | null;
  /** 微信 user or 企业微信 user of another corp. */
  type: 'wechat' | 'wecom';
  corpName: string | null;
  remark: string | null;
  description: string | null;
  remarkMobiles: string[];
  tags: string[];
  /** The same tags by id (the tag sheet marks them). */
  tagIds: string[];
  addedAt: string | null;
  addWay: string | null;
  state: string | null;
  /** The 渠道活码 the contact came through (its `state`), by name. */
  channel: string | null;
  /** This rep's relation has ended (either side deleted the other). */
  lost: boolean;
}

export type SidebarCustomer =
  | {
      access: 'full';
      profile: CustomerView;
      /** Each holding's 市值 (`amount`, shares × the latest NAV) and 成本. */
      holdings: { productId: number; productName: string; category: string; amount: number; cost: number }[];
      /** 持仓市值: the holdings' market value. */
      holdingsTotal: number;
      latestFollowUps: FollowUpView[];
    }
  | { access: 'limited'; id: number; name: string; owner: { id: number; name: string }; lifecycleStage: string };

/** Why the caller may see this card: they follow the contact, own its customer, or their scope covers it. */
export type SidebarViewer = 'follower' | 'owner' | 'scope';

/** Where the contact's handover to a colleague stands (客户继承), while it matters. */
export interface CardTransfer {
  status: TransferStatus;
  from: string | null;
  to: string;
  /** While waiting: when WeCom moves the relation unless the customer objects. */
  takeoverAt: string | null;
  reason: string | null;
}

export interface SidebarCard {
  contact: SidebarContact;
  viewer: SidebarViewer;
  link: { matchedBy: MatchedBy; linkedAt: string } | null;
  customer: SidebarCustomer | null;
  /** Only when unlinked: customers in the caller's scope that may be this contact, strongest first. */
  suggestions: SuggestionView[];
  /** Only when unlinked: why matching could not link it, and what the rep can do (Chinese). */
  unmatchedReasons: string[];
  transfer: CardTransfer | null;
  /** The caller follows the contact but the customer is outside their scope, and the corp lets them log follow-ups (协同跟进). */
  coFollowUp: boolean;
  /** The linked customer is in 公海 (server/README.md#customer-pool-公海): the card shows 公海 and 领取 to those allowed. */
  pool?: PoolStatus | null;
}

export interface GroupChatView {
  chatId: string;
  name: string | null;
  owner: { userid: string; name: string | null };
  memberCount: number;
  customers: {
    externalUserId: string;
    displayName: string;
    customer: { id: number; name: string; owner: { id: number; name: string }; lifecycleStage: string; inScope: boolean };
  }[];
  unmatched: { externalUserId: string; displayName: string }[];
}

/**
 * `GET /api/sidebar/boot?contact=&url=`: everything the sidebar needs before its first paint of a
 * customer, in one request (started by the first-paint script, h5/src/first-paint/main.ts, before the app's code loads).
 */
export interface SidebarBoot {
  me: MeResponse;
  meta: MetaResponse;
  dictionaries: DictionariesResponse;
  /** The card of `?contact=` (known from the URL only in the dev shim), or the error it answered. */
  card?: { ok: true; card: SidebarCard } | { ok: false; status: number; body: ApiErrorBody };
  /** JS-SDK signatures for `?url=` (inside WeCom); null when WeCom could not sign now. */
  jssdk?: JssdkConfigResponse | null;
}

/**
 * The sidebar's boot request for a page: the first-paint script fetches it and the server announces
 * the same URL as a preload of `/sidebar?contact=`. One builder, so the two cannot drift apart
 * (a preload that differs by a byte is a wasted request and a second one).
 */
export function sidebarBootPath(parts: { contact: string | null; url: string | null }): string {
  const query = new URLSearchParams();
  if (parts.contact) query.set('contact', parts.contact);
  if (parts.url) query.set('url', parts.url);
  return `/api/sidebar/boot?${query.toString()}`;
}

/** `GET` of one contact's card, for the app and for the first paint inside WeCom (which asks before the app has loaded). */
export const sidebarCardPath = (externalUserId: string): string => `/api/sidebar/external-contacts/${encodeURIComponent(externalUserId)}`;
