/**
 * The notification outbox: messages to employees are rows first (written with whatever caused
 * them), sent by `sendDueNotifications`. Each row is claimed by one sender (an UPDATE that only
 * one can win), sent as a WeCom textcard, and on a busy WeCom or an API rate limit put back with
 * backoff. WeCom silently drops what goes over a member's budget (30 a minute, 1,000 an hour), so
 * the outbox counts its own `sent` rows first: what does not fit waits, or is merged into one
 * card. Delivery is at least once: a crash after WeCom accepted but before `sent` was written
 * sends that one message again.
 */
// Raw SQL on other modules' tables, on purpose: the outbox lists show the recipient's name joined in the
// paged statement.
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { PageOf } from '@shared/http';
import type { NotificationKind, NotificationStatus, NotificationView } from '@shared/notifications';
import { insertIgnoringDuplicates, sqlList, updateRows } from '../../db/dialect';
import { iso, isoOrNull } from '../../db/lookup';
import { DurableQueue, queueTable } from '../../jobs/queue';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import type { MessageSendResponse } from '../../wecom/types';
import { WecomApiError } from '../../wecom/errors';
import { conflict, notFound } from '../../errors';
import { audit, type Actor } from '../audit/service';
import { explainStoredError } from '../../wecom/errors';

export type { NotificationKind, NotificationStatus };

export interface NewNotification {
  kind: NotificationKind;
  /** Makes the notification happen once: `digest:2026-11-23:12`, `transfer:34`. */
  dedupeKey: string;
  userId: number;
  title: string;
  /** The card's lines: plain text, escaped here (names and notes are user text). */
  lines: CardLine[];
  /** The H5 path the card opens (`/customers/12`); made absolute when sent. */
  path: string;
}

/** One line of a textcard description; WeCom styles `<div class="gray|normal|highlight">`. */
export interface CardLine {
  text: string;
  tone?: 'normal' | 'gray' | 'highlight';
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export function renderCardLines(lines: readonly CardLine[]): string {
  return lines.map((l) => `<div class="${l.tone ?? 'normal'}">${escapeHtml(l.text)}</div>`).join('');
}

const MAX_ATTEMPTS = 8;
const RETRY_BASE_MS = 60_000;
const RETRY_CAP_MS = 30 * 60_000;
/** A row left `sending` this long belongs to a sender that died: it goes back to the queue. */
const RECLAIM_AFTER_MS = 5 * 60_000;
/** Members looked at per round, and due rows claimed per member. */
const BATCH = 50;
const MEMBER_BATCH = 500;
/**
 * What one app may send one member (90454 访问频率限制): beyond it WeCom answers 0 and drops the
 * message, so the outbox counts for itself.
 */
const MEMBER_BUDGET = [
  { windowMs: 60_000, limit: 30 },
  { windowMs: 3_600_000, limit: 1_000 },
] as const;
const MERGED_TITLES_SHOWN = 3;
const MERGED_TITLE_CHARS = 30;
/** 81013: every recipient invalid; for our one-recipient sends, the member. */
const ALL_RECIPIENTS_INVALID = 81013;

const NOT_A_MEMBER = '收件人不是企业成员或不在应用可见范围';
const UNLICENSED = '收件人没有企业微信基础接口许可';
const UNREACHABLE = '收件人不是企业成员、不在应用可见范围或没有接口许可';
const HELD = '已达企业微信对该成员的发送上限（每分钟 30 条、每小时 1000 条），额度恢复后发送';

/** Queues one notification unless one with the same key exists. Returns whether it was new. */
export async function enqueueNotification(sequelize: Sequelize, n: NewNotification, now: Date, transaction?: Transaction): Promise<boolean> {
  const inserted = await insertIgnoringDuplicates(
    sequelize,
    'notifications',
    {
      kind: n.kind,
      dedupe_key: n.dedupeKey,
      user_id: n.userId,
      title: n.title.slice(0, 128),
      description: renderCardLines(n.lines).slice(0, 1024),
      path: n.path,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    },
    { transaction },
  );
  return inserted === 1;
}

export interface SenderDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  publicUrl: string;
  /** Kinds the corp switched off: their rows are marked `skipped`, not sent. */
  muted?: ReadonlySet<NotificationKind>;
}

interface DueRow {
  id: number;
  kind: NotificationKind;
  user_id: number;
  title: string;
  description: string;
  path: string;
  attempts: number;
  wecom_userid: string;
  user_status: string;
}

interface Card {
  title: string;
  description: string;
  path: string;
}

/** WeCom took the message (at `sentAt`), or did not, and whether trying again can help. */
type Outcome = { sentAt: Date } | { error: string; retryable: boolean };

/** The outbox as a queue of the one job machinery (server/jobs/queue.ts). */
const OUTBOX_QUEUE = queueTable('notifications', { column: 'status', ready: 'pending', running: 'sending', dead: 'failed' }, { order: 'q.created_at, q.id' });
const RETRY = { maxAttempts: MAX_ATTEMPTS, baseMs: RETRY_BASE_MS, capMs: RETRY_CAP_MS };

/** Sends what is due now; returns how many messages went out. Safe to run on several instances at once. */
export async function sendDueNotifications(deps: SenderDeps, now: Date): Promise<number> {
  const { sequelize } = deps;
  const outbox = new DurableQueue(sequelize, OUTBOX_QUEUE, RETRY, () => now.getTime());
  await outbox.reclaim(RECLAIM_AFTER_MS);
  const sender = { ...deps, outbox, owner: `outbox:${randomUUID()}` };
  const clock = runningClock(now);
  let sent = 0;
  for (;;) {
    const members = await sequelize.query<{ user_id: number }>(
      `SELECT user_id, MIN(next_attempt_at) AS due FROM notifications WHERE status = 'pending' AND next_attempt_at <= ? GROUP BY user_id ORDER BY due, user_id LIMIT ${BATCH}`,
      { replacements: [now], type: QueryTypes.SELECT },
    );
    let claimedAny = false;
    for (const { user_id: userId } of members) {
      const rows = await claimDue(sender, Number(userId));
      if (!rows.length) continue;
      claimedAny = true;
      sent += await sendToMember(sender, rows, now, clock);
    }
    if (!claimedAny) return sent;
  }
}

/**
 * The pass's clock as it runs on: `now` plus the real time spent since, rounded up to the second
 * (MySQL keeps whole seconds). A `sent_at` of `now` for a message WeCom got seconds later would
 * free that member's budget early: the next pass, a minute on, would send into WeCom's window.
 */
function runningClock(now: Date): () => Date {
  const started = performance.now();
  return () => new Date(Math.ceil((now.getTime() + performance.now() - started) / 1000) * 1000);
}

/** A sender's deps with the queue it claims from, and who it is there. */
interface Sender extends SenderDeps {
  outbox: DurableQueue;
  owner: string;
}

/** One member's due rows, oldest first, claimed (attempt counted) so no other sender takes them. */
async function claimDue(sender: Sender, userId: number): Promise<DueRow[]> {
  const ids = await sender.outbox.claim(sender.owner, MEMBER_BATCH, { sql: 'q.user_id = ?', params: [userId] });
  if (!ids.length) return [];
  return sender.sequelize.query<DueRow>(
    `SELECT n.id, n.kind, n.user_id, n.title, n.description, n.path, n.attempts, u.wecom_userid, u.status AS user_status
       FROM notifications n JOIN users u ON u.id = n.user_id
      WHERE n.id IN (${sqlList(ids)}) ORDER BY n.created_at, n.id`,
    { replacements: ids, type: QueryTypes.SELECT },
  );
}

/**
 * Sends one member's claimed rows within their WeCom budget: one by one when they fit, else all
 * but one of the budget one by one and the rest in one card; with no budget left they wait.
 */
async function sendToMember(deps: Sender, rows: DueRow[], now: Date, clock: () => Date): Promise<number> {
  const sendable: DueRow[] = [];
  for (const row of rows) {
    const reason = skipReason(deps, row);
    if (reason) await finish(deps, row.id, 'skipped', { last_error: reason });
    else sendable.push(row);
  }
  if (!sendable.length) return 0;
  const budget = await memberBudget(
    deps.sequelize,
    rows[0]!.user_id,
    rows.map((r) => r.id),
    now,
  );
  if (budget.remaining === 0) {
    for (const row of sendable) await deps.outbox.release(deps.owner, row.id, budget.freesAt, HELD);
    return 0;
  }
  const alone = sendable.length <= budget.remaining ? sendable.length : budget.remaining - 1;
  let sent = 0;
  for (const row of sendable.slice(0, alone)) if (await deliver(deps, row, now, clock)) sent++;
  if (alone < sendable.length && (await deliverMerged(deps, sendable.slice(alone), now, clock))) sent++;
  return sent;
}

/** People who left (or were disabled) get nothing; nor does a kind the corp switched off. */
function skipReason(deps: SenderDeps, row: DueRow): string | null {
  if (row.user_status !== 'active') return '收件人已离职或停用';
  return deps.muted?.has(row.kind) ? '企业已关闭此类通知' : null;
}

/**
 * How many more messages WeCom takes for this member now, and when the next one fits if none:
 * what was sent in the last minute and hour, plus rows another sender has claimed (counted as
 * sent now — they go out any moment).
 */
async function memberBudget(sequelize: Sequelize, userId: number, ownIds: number[], now: Date): Promise<{ remaining: number; freesAt: Date }> {
  const longest = Math.max(...MEMBER_BUDGET.map((w) => w.windowMs));
  const recent = await sequelize.query<{ id: number; status: string; sent_at: Date | string | null }>(
    "SELECT id, status, sent_at FROM notifications WHERE user_id = ? AND (status = 'sending' OR (status = 'sent' AND sent_at > ?))",
    { replacements: [userId, new Date(now.getTime() - longest)], type: QueryTypes.SELECT },
  );
  const own = new Set(ownIds.map(Number));
  const times = recent
    .filter((r) => !own.has(Number(r.id)))
    .map((r) => (r.status === 'sent' ? new Date(r.sent_at!).getTime() : now.getTime()))
    .sort((a, b) => a - b);
  let remaining = Infinity;
  let freesAt = now.getTime();
  for (const { windowMs, limit } of MEMBER_BUDGET) {
    const inWindow = times.filter((t) => t > now.getTime() - windowMs);
    remaining = Math.min(remaining, limit - inWindow.length);
    // One more fits once all but `limit - 1` of them have left the window.
    if (inWindow.length >= limit) freesAt = Math.max(freesAt, inWindow[inWindow.length - limit]! + windowMs);
  }
  return { remaining: Math.max(0, remaining), freesAt: new Date(freesAt) };
}

async function deliver(deps: Sender, row: DueRow, now: Date, clock: () => Date): Promise<boolean> {
  const outcome = await send(deps, row.wecom_userid, row, clock);
  if ('error' in outcome) {
    await settleFailure(deps, row, outcome);
    return false;
  }
  await finish(deps, row.id, 'sent', { sent_at: outcome.sentAt, last_error: null });
  return true;
}

/** One card standing for `rows`; they are marked `merged`, naming it, once WeCom took it. */
async function deliverMerged(deps: Sender, rows: DueRow[], now: Date, clock: () => Date): Promise<boolean> {
  const card = mergedCard(rows);
  const outcome = await send(deps, rows[0]!.wecom_userid, card, clock);
  if ('error' in outcome) {
    for (const row of rows) await settleFailure(deps, row, outcome);
    return false;
  }
  await recordMerged(deps.sequelize, rows, card, outcome.sentAt, now);
  return true;
}

function mergedCard(rows: DueRow[]): Card {
  const clip = (title: string) => (title.length > MERGED_TITLE_CHARS ? `${title.slice(0, MERGED_TITLE_CHARS - 1)}…` : title);
  const lines: CardLine[] = rows.slice(0, MERGED_TITLES_SHOWN).map((r) => ({ text: clip(r.title) }));
  if (rows.length > MERGED_TITLES_SHOWN) lines.push({ tone: 'gray', text: `等 ${rows.length} 条` });
  return { title: `你有 ${rows.length} 条新提醒`, description: renderCardLines(lines), path: '/workbench' };
}

/** The card as a `sent` row (so it counts against the budget) and the rows it stands for, together. */
async function recordMerged(sequelize: Sequelize, rows: DueRow[], card: Card, sentAt: Date, now: Date): Promise<void> {
  // A row is merged once, so the first one's id keys its card.
  const dedupeKey = `merged:${rows[0]!.id}`;
  await sequelize.transaction(async (transaction) => {
    await insertIgnoringDuplicates(
      sequelize,
      'notifications',
      {
        kind: 'merged',
        dedupe_key: dedupeKey,
        user_id: rows[0]!.user_id,
        ...card,
        status: 'sent',
        attempts: 1,
        next_attempt_at: now,
        sent_at: sentAt,
        created_at: now,
        updated_at: now,
      },
      { transaction },
    );
    const [saved] = await sequelize.query<{ id: number }>('SELECT id FROM notifications WHERE dedupe_key = ?', {
      replacements: [dedupeKey],
      type: QueryTypes.SELECT,
      transaction,
    });
    await updateRows(
      sequelize,
      `UPDATE notifications SET status = 'merged', last_error = ?, sent_at = ?, locked_by = NULL, locked_at = NULL, updated_at = ? WHERE id IN (${sqlList(rows)})`,
      [`已合并到第 ${saved!.id} 条消息「${card.title}」发送`, sentAt, now, ...rows.map((r) => r.id)],
      transaction,
    );
  });
}

/** Sends one textcard to one member. WeCom answers 0 even when it reached nobody: the answer says. */
async function send(deps: SenderDeps, touser: string, card: Card, clock: () => Date): Promise<Outcome> {
  try {
    const answer: MessageSendResponse = await deps.wecom.sendMessage({
      touser,
      msgtype: 'textcard',
      textcard: { title: card.title, description: card.description, url: `${deps.publicUrl}${card.path}`, btntxt: '查看' },
    });
    // WeCom lowercases the userids it lists.
    const listed = (field: string | undefined) => (field ?? '').toLowerCase().split('|').includes(touser.toLowerCase());
    if (listed(answer.invaliduser)) return { error: NOT_A_MEMBER, retryable: false };
    if (listed(answer.unlicenseduser)) return { error: UNLICENSED, retryable: false };
    return { sentAt: clock() };
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === ALL_RECIPIENTS_INVALID)
      return { error: `${UNREACHABLE}（${ALL_RECIPIENTS_INVALID}）`, retryable: false };
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    return { error: message, retryable: !(err instanceof WecomApiError) || err.retryable };
  }
}

/** Back to the queue with backoff, or `failed` when retrying cannot help or the attempts are spent. */
async function settleFailure(deps: Sender, row: DueRow, outcome: { error: string; retryable: boolean }): Promise<void> {
  const fate = await deps.outbox.fail(deps.owner, row.id, Number(row.attempts), outcome.error, { permanent: !outcome.retryable });
  deps.logger.warn({ notificationId: row.id, attempts: row.attempts, giveUp: fate === 'dead', error: outcome.error }, 'notification not sent');
}

/** A claimed row done with (sent, skipped or merged). */
async function finish(deps: Sender, id: number, status: NotificationStatus, set: { last_error?: string | null; sent_at?: Date }): Promise<void> {
  await deps.outbox.complete(deps.owner, id, status, set);
}

/** The admin list: newest first, optionally one status. */
export async function listNotifications(
  sequelize: Sequelize,
  query: { status?: NotificationStatus; id?: number; page: number; pageSize: number },
): Promise<PageOf<NotificationView>> {
  const where = query.id !== undefined ? 'WHERE n.id = :id' : query.status ? 'WHERE n.status = :status' : '';
  const [rows, [count]] = await Promise.all([
    sequelize.query<Record<string, unknown>>(
      `SELECT n.*, u.name AS user_name FROM notifications n JOIN users u ON u.id = n.user_id ${where} ORDER BY n.id DESC LIMIT :limit OFFSET :offset`,
      { replacements: { status: query.status, id: query.id, limit: query.pageSize, offset: (query.page - 1) * query.pageSize }, type: QueryTypes.SELECT },
    ),
    sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications n ${where}`, {
      replacements: { status: query.status, id: query.id },
      type: QueryTypes.SELECT,
    }),
  ]);
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind as NotificationKind,
      user: { id: Number(r.user_id), name: String(r.user_name) },
      title: String(r.title),
      path: String(r.path),
      status: r.status as NotificationStatus,
      attempts: Number(r.attempts),
      lastError: explainStoredError((r.last_error as string | null) ?? null),
      nextAttemptAt: iso(r.next_attempt_at as Date),
      sentAt: isoOrNull(r.sent_at as Date | null),
      createdAt: iso(r.created_at as Date),
    })),
    total: Number(count?.n ?? 0),
    page: query.page,
    pageSize: query.pageSize,
  };
}

/**
 * An admin sends a failed message again: it is due now with a fresh attempt budget, and the next
 * sending pass (the scheduler's minute, or 立即生成并发送今日提醒) takes it. Only a `failed` row can
 * be retried — a sent one would reach the member twice.
 */
export async function retryNotification(sequelize: Sequelize, actor: Actor, id: number): Promise<NotificationView> {
  const [row] = await sequelize.query<{ status: NotificationStatus; title: string }>('SELECT status, title FROM notifications WHERE id = ?', {
    replacements: [id],
    type: QueryTypes.SELECT,
  });
  if (!row) throw notFound('没有这条消息');
  if (row.status !== 'failed') throw conflict('只有发送失败的消息可以重发');
  await sequelize.transaction(async (transaction) => {
    await new DurableQueue(sequelize, OUTBOX_QUEUE, RETRY).retryDead([id], transaction);
    await audit(sequelize, actor, { action: 'notification.retry', entity: 'notification', entityId: id, summary: `重发通知「${row.title}」` }, { transaction });
  });
  const [view] = (await listNotifications(sequelize, { id, page: 1, pageSize: 1 })).items;
  return view!;
}
