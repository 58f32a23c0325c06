/**
 * Errors from WeCom. Every non-zero errcode becomes a WecomApiError naming the API (never the
 * access token); a few errcodes carry a hint telling the admin what to configure.
 */

/** Errcodes that mean "your token is no good": refresh once and retry once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** Errcodes worth retrying with backoff: system busy and the two rate limits. */
export const RETRYABLE_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45033]);

/** 45009: over a frequency limit; WeCom blocks the API for the window (90454). */
export const API_BLOCKED = 45009;

/** Not an error for sync: the employee simply has no external contacts. */
export const NO_EXTERNAL_CONTACTS = 84061;

const ADMIN_HINTS: Record<number, string> = {
  60020: '服务器出口 IP 不在应用的「企业可信IP」列表中：请在企业微信管理后台 → 应用管理 → 本应用 → 企业可信IP 中添加本服务器的出口 IP。',
  48002:
    '该 API 对当前 Secret 不可用：客户联系接口请用配置在「客户联系 → 可调用接口的应用」中的自建应用 Secret（WECOM_AGENT_SECRET，WECOM_EXTERNAL_SECRET 留空即可；2023-12-01 起新企业不能再用客户联系系统应用的 Secret）；获取成员 ID 列表（user/list_id）只能用「通讯录同步」Secret（WECOM_CONTACT_SECRET）。',
  48009:
    '通讯录同步 Secret 从新 IP 不能再读取成员和部门详情（企业微信 2022-08-15 起的规则）：成员和部门详情由自建应用 Secret 读取（请把应用可见范围设为全公司），通讯录同步 Secret 只用于获取成员 ID 列表。',
  60011: '应用没有该成员或部门的可见范围：请在管理后台调整本应用的可见范围，或为通讯录同步 Secret 开启读取权限。',
  40013: 'CorpID 无效：请检查 WECOM_CORP_ID（管理后台 → 我的企业 → 企业ID）。',
  40001: 'Secret 无效：请检查 WECOM_AGENT_SECRET / WECOM_CONTACT_SECRET / WECOM_EXTERNAL_SECRET 是否与管理后台一致。',
};

export class WecomApiError extends Error {
  readonly adminHint?: string;

  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    const hint = ADMIN_HINTS[errcode];
    super(`WeCom ${api} failed: errcode ${errcode} ${errmsg}${hint ? ` — ${hint}` : ''}`);
    this.name = 'WecomApiError';
    this.adminHint = hint;
  }

  get retryable(): boolean {
    return RETRYABLE_ERRCODES.has(this.errcode);
  }
}

/** The HTTP call itself failed: timeout, refused connection, non-JSON answer, 5xx. */
export class WecomTransportError extends Error {
  constructor(
    readonly api: string,
    readonly reason: string,
  ) {
    super(`WeCom ${api} unreachable: ${reason}`);
    this.name = 'WecomTransportError';
  }
}

/** Strips access tokens and secrets from a URL or message before it reaches a log or an error. */
export function redactWecomSecrets(text: string): string {
  return text.replace(/(access_token|corpsecret|secret)=[^&\s]+/gi, '$1=[redacted]');
}
