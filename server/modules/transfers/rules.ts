/**
 * The pure rules of 客户继承: what WeCom's answers mean for a transfer, in what pieces to ask, and
 * when to ask again. No I/O: tests beside this file.
 */
import type { TransferStatus } from '@shared/transfers';
import { explainWecomFailure, WecomApiError, WecomTransportError } from '../../wecom/errors';
import type { TransferStatusCode } from '../../wecom/types';

/** 92125 / 94081: 「每次最多分配100个客户」; 95703 / 92127: chat_id_list 「取值范围: 1 ~ 100」. */
export const PER_CALL = 100;

/** 94088 查询客户接替状态: the status codes as our statuses. */
export function statusOfCode(code: TransferStatusCode | number): TransferStatus {
  switch (code) {
    case 1:
      return 'done';
    case 2:
      return 'waiting';
    case 3:
      return 'refused';
    case 4:
      return 'limit';
    default:
      return 'no_record';
  }
}

/**
 * Per-customer (or per-chat) errcodes of the transfer APIs, explained for a manager. Sources: the
 * global errcode page (90313) and the transfer pages (92125, 94081, 92127).
 */
const REFUSALS: Record<number, string> = {
  40096: '企业微信不认识这个客户',
  40097: '原跟进人尚未离职，请用在职继承',
  40098: '接替成员尚未实名认证',
  40099: '接替成员的客户数已达上限',
  40100: '该客户已在转移流程中',
  40128: '该客户 90 天内已被转接 2 次，暂不能再转接',
  40129: '该客户正在转接中',
  40130: '原跟进人与接替成员相同',
  40131: '原跟进人已不是该客户的跟进人',
  41035: '没有要转接的客户',
  90500: '群主尚未离职，请用在职继承',
  90501: '这不是客户群',
};

export function refusalText(errcode: number, errmsg?: string): string {
  return REFUSALS[errcode] ?? `企业微信返回错误码 ${errcode}${errmsg ? `（${errmsg}）` : ''}`;
}

/**
 * 40129 for a row we hold as queued: our own earlier call got through (the process stopped
 * before it wrote the answer down), so the transfer is in flight — polling settles it.
 */
export const ALREADY_IN_FLIGHT = 40129;

/**
 * What a live transfer holds (unique while it runs, so no contact or chat is transferred twice at
 * once): its contact, or its group chat.
 */
export const liveKeyOf = (subject: { external_userid?: string | null; chat_id?: string | null }): string =>
  subject.external_userid ? `contact:${subject.external_userid}` : `chat:${subject.chat_id}`;

export function chunks<T>(items: readonly T[], size = PER_CALL): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The first poll comes soon (refusals and WeCom's own checks answer at once)… */
export const FIRST_POLL_MS = 2_000;
/** …later ones at the takeover time WeCom gave, and at least hourly (a customer may object any time in the 24 h). */
export const MAX_POLL_GAP_MS = 3_600_000;
const POLL_SLACK_MS = 1_000;

/** When to ask WeCom again about transfers still waiting, given their takeover times. */
export function nextPollAt(takeoverTimes: readonly (Date | null)[], now: Date): Date {
  const known = takeoverTimes.filter((t): t is Date => t !== null).map((t) => t.getTime());
  const soonest = known.length ? Math.min(...known) + POLL_SLACK_MS : now.getTime() + MAX_POLL_GAP_MS;
  return new Date(Math.min(Math.max(soonest, now.getTime() + POLL_SLACK_MS), now.getTime() + MAX_POLL_GAP_MS));
}

/**
 * A waiting transfer WeCom no longer lists for the pair: 无接替记录 — but only once WeCom has had
 * time to list it (a fresh one may not show yet).
 */
export const UNLISTED_GRACE_MS = 60_000;

/**
 * Why a transfer is `interrupted`: its job spent its attempts on `error` (WeCom busy, blocked or
 * out of reach for a long while). Said for the manager, without codes.
 */
export function interruptionText(error: unknown): string {
  const cause =
    error instanceof WecomApiError || error instanceof WecomTransportError ? explainWecomFailure(error).message.split('，')[0] : '系统处理企业微信转接时出错';
  return `${cause}，多次重试仍未成功，已停止自动重试；请在企业微信恢复后在「客户转接」中重试`;
}
