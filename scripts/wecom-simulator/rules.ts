/**
 * Which WeCom the simulator plays: the rules in force for a corp created today (default), or the
 * 2021 API (`legacy`) the first version was written against. Each rule names the page of WeCom's
 * developer documentation that states it (developer.work.weixin.qq.com/document/path/N; where the
 * self-built-app page was not at hand, its 代开发 / third-party twin with the same text).
 */
import type { SecretKind, WecomUser } from '../../server/wecom/types';

export interface SimulatorRules {
  era: 'current' | 'legacy';
  /**
   * The app behind the agent secret: a self-built app (自建应用) created after 2022-06-20, or a
   * third-party app, which is never given a member's real name.
   */
  appKind: 'self_built' | 'third_party';
  /** The corp has bound a WeChat developer account: WeChat contacts carry a unionid. */
  unionidBound: boolean;
  /** The admin set a welcome message in the console: add events carry no WelcomeCode. */
  consoleWelcome: boolean;
}

export const CURRENT_RULES: SimulatorRules = { era: 'current', appKind: 'self_built', unionidBound: true, consoleWelcome: false };
export const LEGACY_RULES: SimulatorRules = { era: 'legacy', appKind: 'self_built', unionidBound: true, consoleWelcome: false };

/**
 * 96255 (读取成员) / 96260 (获取部门成员详情): 「从2022年6月20号20点开始…新创建的自建应用与代开发应用，
 * 调用该接口时，不再返回以下字段：头像、性别、手机、邮箱、企业邮箱、员工个人二维码、地址」 — they come only
 * through OAuth snsapi_privateinfo + auth/getuserdetail (96443). The 通讯录同步 secret is exempt
 * (but see CONTACT_SYNC_FORBIDDEN). 91122: third-party apps get the userid in place of the name.
 */
const WITHHELD_MEMBER_FIELDS = ['mobile', 'email', 'biz_mail', 'avatar', 'thumb_avatar', 'gender', 'qr_code', 'address'] as const;

export function memberAsSeenBy(user: WecomUser, kind: SecretKind, rules: SimulatorRules): WecomUser {
  const copy = structuredClone(user) as WecomUser & Record<string, unknown>;
  if (rules.era === 'legacy' || kind === 'contact') return copy;
  for (const field of WITHHELD_MEMBER_FIELDS) delete copy[field];
  if (rules.appKind === 'third_party') copy.name = copy.userid;
  return copy;
}

/**
 * 96255 / 96260 / 90344: 「从2022年8月15日10点开始，“通讯录同步”的新增IP将不能再调用此接口，企业可通过
 * 「获取成员ID列表」和「获取部门ID列表」接口获取userid和部门ID列表」. Seen as 48009 "api forbidden for
 * contact assistant". department/get is refused the same way (the errcode tool: 「不再允许通讯录
 * 同步助手从新增IP读取通讯录详情」).
 */
export const CONTACT_SYNC_FORBIDDEN = new Set(['user/get', 'user/list', 'department/list', 'department/get']);
/** 96269 (获取成员ID列表): 「仅支持通过“通讯录同步secret”调用」. */
export const CONTACT_SYNC_ONLY = new Set(['user/list_id']);

/** Why `kind` may not call `api` under `rules`, or null. */
export function refusal(api: string, kind: SecretKind, rules: SimulatorRules): { errcode: number; errmsg: string } | null {
  if (rules.era === 'legacy') return null;
  if (kind === 'contact' && CONTACT_SYNC_FORBIDDEN.has(api)) return { errcode: 48009, errmsg: 'api forbidden for contact assistant' };
  if (kind !== 'contact' && CONTACT_SYNC_ONLY.has(api)) return { errcode: 48002, errmsg: 'api forbidden' };
  // 96314 / 96315 / 96316 (every 客户联系 page): 「从2023年12月1日0点起，不再支持通过系统应用secret调用
  // 接口」 for new corps; the self-built app in 「客户联系 可调用接口的应用」 calls them.
  if (kind === 'external' && api.startsWith('externalcontact/')) return { errcode: 48002, errmsg: 'api forbidden' };
  return null;
}

/**
 * 96315 (获取客户详情): 「当客户在企业内的跟进人超过500人时需要使用cursor参数进行分页获取」. The legacy
 * simulator returned every follower at once.
 */
export const FOLLOWERS_PER_PAGE = 500;

/** 96316 (批量获取客户详情): limit 「最大值100…超过最大值时取最大值」; the legacy simulator refused it (40058). */
export const BATCH_LIMIT_MAX = 100;

/**
 * 96315: unionid 「仅当联系人类型是微信用户，且企业绑定了微信开发者ID有此字段」.
 */
export function visibleUnionid(contact: { type: number; unionid?: string }, rules: SimulatorRules): string | undefined {
  if (rules.era === 'legacy') return contact.unionid;
  return rules.unionidBound && contact.type === 1 ? contact.unionid : undefined;
}

/**
 * 90454 (访问频率限制): 「每企业调用单个cgi/api不可超过1万次/分，15万次/小时」 and 「按分钟拦截则被屏蔽60秒，
 * 按小时拦截则被屏蔽60分钟」 — once over a limit the API stays blocked for the window, every call
 * answered 45009. The legacy simulator refused only the calls over the minute's count.
 */
export const CALLS_PER_MINUTE = 10_000;
export const CALLS_PER_HOUR = 150_000;
export const MINUTE_BLOCK_MS = 60_000;
export const HOUR_BLOCK_MS = 3_600_000;

/**
 * 90454: app messages 「每应用对同一个成员不可超过30次/分钟，1000次/小时，超过部分会被丢弃不下发」 — the
 * call still answers errcode 0. The legacy simulator answered 45009.
 */
export const MESSAGES_PER_MEMBER_PER_MINUTE = 30;
export const MESSAGES_PER_MEMBER_PER_HOUR = 1_000;

/** 96441 (构造网页授权链接): state 「可以填写a-zA-Z0-9的参数值，长度不可超过128个字节」. */
export const OAUTH_STATE = /^[a-zA-Z0-9]{0,128}$/;

/**
 * 92599 (发送新客户欢迎语): 「企业仅可在收到相关事件后20秒内调用，且只可调用一次」; 「如果企业已经在管理端为
 * 相关成员配置了可用的欢迎语，则推送添加外部联系人事件时不会返回welcome_code」; a second call after a
 * delivered welcome answers 41051 (externaluser has started chatting).
 */
export const WELCOME_CODE_TTL_MS = 20_000;
