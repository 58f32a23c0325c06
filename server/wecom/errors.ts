/**
 * Errors from WeCom. Every non-zero errcode becomes a WecomApiError naming the API (never the
 * access token); a few errcodes carry a hint telling the admin what to configure.
 */

/**
 * What the product does about each errcode it meets, decided once (every caller — the client,
 * the event handlers, the syncs, the outbox — asks here):
 * - `refresh_token`: the token is no good: refresh once, retry once;
 * - `retry`: WeCom is busy or the call raced others: retry with backoff;
 * - `blocked`: over a frequency limit; WeCom blocks the API for the window (90454): wait it out;
 * - `gone`: the member, department, contact or chat is not (any more) there: an answer, not a fault;
 * - `refused`: this secret / app may not (可见范围, 可信IP, secret kind): the admin must configure;
 * - `misconfigured`: a credential or id is wrong: the admin must fix the configuration;
 * - `fail`: anything else — the call failed for a reason retrying will not change.
 */
export type ErrcodeAction = 'refresh_token' | 'retry' | 'blocked' | 'gone' | 'refused' | 'misconfigured' | 'fail';

interface ErrcodePolicy {
  action: ErrcodeAction;
  /** For the admin, in Chinese: what to configure. */
  hint?: string;
}

/**
 * The errcodes whose policy is the action alone. Gone: user (60111), department (60123), not a
 * contact of that member (84061), unknown external userid (40096), chat (40050).
 */
const PLAIN: [ErrcodeAction, number[]][] = [
  ['retry', [-1, 45033]],
  ['refresh_token', [40014, 42001]],
  ['blocked', [45009]],
  ['gone', [60111, 60123, 84061, 40096, 40050]],
];

/** Each errcode's policy: the plain ones, and those with a hint for the admin. */
const POLICIES: Record<number, ErrcodePolicy> = {
  ...Object.fromEntries(PLAIN.flatMap(([action, codes]) => codes.map((code) => [code, { action }]))),
  40001: {
    action: 'refresh_token',
    hint: 'Secret 无效：请检查部署配置中的自建应用 Secret、通讯录同步 Secret 与客户联系 Secret 是否与管理后台一致。',
  },
  40013: { action: 'misconfigured', hint: '企业ID 无效：请检查部署配置中的企业ID（管理后台 → 我的企业 → 企业ID）。' },
  // Not a refusal another secret could get round: the server's IP is not trusted.
  60020: {
    action: 'misconfigured',
    hint: '服务器出口 IP 不在应用的「企业可信IP」列表中：请在企业微信管理后台 → 应用管理 → 本应用 → 企业可信IP 中添加本服务器的出口 IP。',
  },
  48002: {
    action: 'refused',
    hint: '该接口对当前 Secret 不可用：客户联系接口请用配置在「客户联系 → 可调用接口的应用」中的自建应用 Secret（客户联系 Secret 留空即可；2023-12-01 起新企业不能再用客户联系系统应用的 Secret）；读取成员 ID 列表只能用「通讯录同步」Secret。',
  },
  48009: {
    action: 'refused',
    hint: '通讯录同步 Secret 从新 IP 不能再读取成员和部门详情（企业微信 2022-08-15 起的规则）：成员和部门详情由自建应用 Secret 读取（请把应用可见范围设为全公司），通讯录同步 Secret 只用于获取成员 ID 列表。',
  },
  60011: { action: 'refused', hint: '应用没有该成员或部门的可见范围：请在管理后台调整本应用的可见范围，或为通讯录同步 Secret 开启读取权限。' },
  // 84074 没有外部联系人权限: the member is not among those allowed to use 客户联系.
  84074: {
    action: 'refused',
    hint: '该成员没有「客户联系」使用权限：请在企业微信管理后台 → 客户与上下游 → 客户联系 → 权限配置 中把该成员加入使用范围。',
  },
};

export function policyOf(errcode: number): ErrcodePolicy {
  return POLICIES[errcode] ?? { action: 'fail' };
}

/** 45009: over a frequency limit; WeCom blocks the API for the window (90454). */
export const API_BLOCKED = 45009;

/** `externalcontact/list` for an employee without customers: an answer (an empty list), not an error. */
export const NO_EXTERNAL_CONTACTS = 84061;

export class WecomApiError extends Error {
  readonly adminHint?: string;

  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
    /** For a blocked API: how long the block still lasts, when known. */
    readonly retryAfterMs?: number,
  ) {
    const hint = policyOf(errcode).hint;
    super(`WeCom ${api} failed: errcode ${errcode} ${errmsg}${hint ? ` — ${hint}` : ''}`);
    this.name = 'WecomApiError';
    this.adminHint = hint;
  }

  get action(): ErrcodeAction {
    return policyOf(this.errcode).action;
  }

  /** Worth trying again later (busy, raced, or blocked for a window). */
  get retryable(): boolean {
    return this.action === 'retry' || this.action === 'blocked';
  }

  /** The thing asked about is not there (any more). */
  get gone(): boolean {
    return this.action === 'gone';
  }

  /** This secret or app may not make the call: another secret might, or the admin must configure. */
  get refused(): boolean {
    return this.action === 'refused';
  }
}

/** The HTTP call itself failed: timeout, refused connection, non-JSON answer, 5xx. */
export class WecomTransportError extends Error {
  constructor(
    readonly api: string,
    readonly reason: string,
    /** No answer within the deadline: the call may or may not have taken effect in WeCom. */
    readonly timedOut = false,
  ) {
    super(`WeCom ${api} unreachable: ${reason}`);
    this.name = 'WecomTransportError';
  }
}

/** Strips access tokens and secrets from a URL or message before it reaches a log or an error. */
export function redactWecomSecrets(text: string): string {
  return text.replace(/(access_token|corpsecret|secret)=[^&\s]+/gi, '$1=[redacted]');
}

/** Worth another attempt later: the network, or a WeCom answer that may change (busy, blocked). */
export function isTransient(err: unknown): boolean {
  return err instanceof WecomTransportError || (err instanceof WecomApiError && err.retryable);
}

/**
 * What a person waiting on a page is told when WeCom refused or failed their action, in Chinese
 * and without codes (the errcode stays in the log and in `errcode` for the admin). `kind` says
 * what the HTTP edge answers: `busy` (503, try again after `retryAfterSeconds`), `misconfigured`
 * (502, the admin must configure — `message` carries the hint), `gone` (404), `timeout` (504),
 * `failed` (502).
 */
export interface WecomFailureForPeople {
  kind: 'busy' | 'misconfigured' | 'gone' | 'timeout' | 'failed';
  message: string;
  retryAfterSeconds?: number;
  errcode?: number;
}

/** 45033 (concurrency over limit) and -1 (system busy) pass within seconds. */
const BUSY_RETRY_SECONDS = 5;

export function explainWecomFailure(err: WecomApiError | WecomTransportError): WecomFailureForPeople {
  if (err instanceof WecomTransportError) {
    return err.timedOut ? { kind: 'timeout', message: '企业微信响应超时，请稍后再试' } : { kind: 'failed', message: '暂时连不上企业微信，请稍后再试' };
  }
  const { errcode } = err;
  if (err.action === 'blocked') {
    const seconds = Math.max(1, Math.ceil((err.retryAfterMs ?? 60_000) / 1000));
    return { kind: 'busy', errcode, retryAfterSeconds: seconds, message: `企业微信接口限频，约 ${seconds} 秒后可再试` };
  }
  if (err.action === 'retry') {
    return { kind: 'busy', errcode, retryAfterSeconds: BUSY_RETRY_SECONDS, message: `企业微信系统繁忙，约 ${BUSY_RETRY_SECONDS} 秒后可再试` };
  }
  if (err.adminHint) return { kind: 'misconfigured', errcode, message: `企业微信配置需要管理员处理：${err.adminHint}` };
  if (err.action === 'gone') return { kind: 'gone', errcode, message: '企业微信中已找不到该客户、成员或群（可能已被删除或已不是好友）' };
  return { kind: 'failed', errcode, message: '企业微信未能完成该操作，请稍后再试；如仍失败请联系管理员' };
}

/** What a WeCom API does, in Chinese, for the messages people read (an API not listed: 「企业微信接口」). */
const API_WORDS: Record<string, string> = {
  'externalcontact/get': '读取客户详情',
  'externalcontact/list': '读取成员的客户列表',
  'externalcontact/batch/get_by_user': '批量读取客户',
  'externalcontact/remark': '修改客户备注',
  'externalcontact/mark_tag': '给客户打标签',
  'externalcontact/send_welcome_msg': '发送欢迎语',
  'externalcontact/groupchat/get': '读取客户群详情',
  'externalcontact/get_corp_tag_list': '读取客户标签',
  'externalcontact/transfer_customer': '在职继承客户',
  'externalcontact/resigned/transfer_customer': '离职继承客户',
  'externalcontact/add_msg_template': '创建群发任务',
  'user/get': '读取成员详情',
  'user/list': '读取部门成员',
  'user/list_id': '读取成员 ID 列表',
  'department/list': '读取部门列表',
  'department/get': '读取部门详情',
  'message/send': '发送应用消息',
  'media/upload': '上传素材',
};

/** An API in words: 「读取部门列表」 for `department/list`. */
export const wecomApiWords = (api: string): string => API_WORDS[api] ?? '企业微信接口';

/**
 * A stored failure (an event's or a job's `last_error`, written from the Error's message) as
 * people read it: a WeCom failure as 「企业微信「读取客户详情」失败（错误码 60020）：<what to do>」,
 * our own Chinese messages as they are, anything else as a Chinese line (the detail is in the log).
 */
export function explainStoredError(stored: string | null): string | null {
  if (!stored) return null;
  const api = /^WeCom (\S+) failed: errcode (-?\d+) ?([^—]*)/.exec(stored);
  if (api) {
    const [, name, code, errmsg] = api;
    const { message } = explainWecomFailure(new WecomApiError(name!, Number(code), (errmsg ?? '').trim()));
    return `企业微信「${wecomApiWords(name!)}」失败（错误码 ${code}）：${message}`;
  }
  const transport = /^WeCom (\S+) unreachable: (.*)$/s.exec(stored);
  if (transport) {
    const { message } = explainWecomFailure(new WecomTransportError(transport[1]!, transport[2]!, /time(d)? ?out/i.test(transport[2]!)));
    return `企业微信「${wecomApiWords(transport[1]!)}」失败：${message}`;
  }
  return /[\u4e00-\u9fff]/.test(stored) ? stored : '处理时出错，详情已记入服务器日志，请联系管理员';
}
