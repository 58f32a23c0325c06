/**
 * The notification outbox: messages to employees are rows first (written with whatever caused
 * them), sent by `sendDueNotifications`. Each row is claimed by one sender (an UPDATE that only
 * one can win), sent as a WeCom textcard, and on a rate limit or a busy WeCom put back with
 * backoff. Delivery is at least once: a crash after WeCom accepted but before `sent` was written
 * sends that one message again.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { PageOf } from '@shared/http';
import type { NotificationKind, NotificationStatus, NotificationView } from '@shared/notifications';
import { insertIgnoringDuplicates, updateRows } from '../../db/dialect';
import { iso, isoOrNull } from '../../db/lookup';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';

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
const BATCH = 50;

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

/** Sends what is due now; returns how many were sent. Safe to run on several instances at once. */
export async function sendDueNotifications(deps: SenderDeps, now: Date): Promise<number> {
  const { sequelize } = deps;
  await updateRows(sequelize, "UPDATE notifications SET status = 'pending', locked_at = NULL WHERE status = 'sending' AND locked_at < ?", [new Date(now.getTime() - RECLAIM_AFTER_MS)]);
  let sent = 0;
  for (;;) {
    const due = await sequelize.query<DueRow>(
      `SELECT n.id, n.kind, n.user_id, n.title, n.description, n.path, n.attempts, u.wecom_userid, u.status AS user_status
         FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE n.status = 'pending' AND n.next_attempt_at <= ? ORDER BY n.next_attempt_at, n.id LIMIT ${BATCH}`,
      { replacements: [now], type: QueryTypes.SELECT },
    );
    let claimedAny = false;
    for (const row of due) {
      // Whoever flips it to `sending` sends it; another instance's claim makes this 0.
      const claimed = await updateRows(sequelize, "UPDATE notifications SET status = 'sending', attempts = attempts + 1, locked_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'", [now, now, row.id]);
      if (claimed !== 1) continue;
      claimedAny = true;
      if (await deliver(deps, row, now)) sent++;
    }
    if (!claimedAny) return sent;
  }
}

async function deliver(deps: SenderDeps, row: DueRow, now: Date): Promise<boolean> {
  const { sequelize, wecom, logger, publicUrl } = deps;
  const finish = (status: NotificationStatus, extra: { last_error?: string | null; next_attempt_at?: Date; sent_at?: Date } = {}) =>
    updateRows(
      sequelize,
      'UPDATE notifications SET status = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), sent_at = ?, locked_at = NULL, updated_at = ? WHERE id = ?',
      [status, extra.last_error ?? null, extra.next_attempt_at ?? null, extra.sent_at ?? null, now, row.id],
    );
  // People who left (or were disabled) get nothing; nor does a kind the corp switched off.
  if (row.user_status !== 'active' || deps.muted?.has(row.kind)) {
    await finish('skipped', { last_error: row.user_status !== 'active' ? '收件人已离职或停用' : '企业已关闭此类通知' });
    return false;
  }
  try {
    await wecom.sendMessage({
      touser: row.wecom_userid,
      msgtype: 'textcard',
      textcard: { title: row.title, description: row.description, url: `${publicUrl}${row.path}`, btntxt: '查看' },
    });
    await finish('sent', { sent_at: now });
    return true;
  } catch (err) {
    const attempts = Number(row.attempts) + 1;
    const retryable = !(err instanceof WecomApiError) || err.retryable;
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    const giveUp = !retryable || attempts >= MAX_ATTEMPTS;
    logger.warn({ notificationId: row.id, attempts, giveUp, error: message }, 'notification not sent');
    const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
    await finish(giveUp ? 'failed' : 'pending', { last_error: message, next_attempt_at: new Date(now.getTime() + delay) });
    return false;
  }
}


/** The admin list: newest first, optionally one status. */
export async function listNotifications(sequelize: Sequelize, query: { status?: NotificationStatus; page: number; pageSize: number }): Promise<PageOf<NotificationView>> {
  const where = query.status ? 'WHERE n.status = :status' : '';
  const [rows, [count]] = await Promise.all([
    sequelize.query<Record<string, unknown>>(
      `SELECT n.*, u.name AS user_name FROM notifications n JOIN users u ON u.id = n.user_id ${where} ORDER BY n.id DESC LIMIT :limit OFFSET :offset`,
      { replacements: { status: query.status, limit: query.pageSize, offset: (query.page - 1) * query.pageSize }, type: QueryTypes.SELECT },
    ),
    sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications n ${where}`, { replacements: { status: query.status }, type: QueryTypes.SELECT }),
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
      lastError: (r.last_error as string | null) ?? null,
      nextAttemptAt: iso(r.next_attempt_at as Date),
      sentAt: isoOrNull(r.sent_at as Date | null),
      createdAt: iso(r.created_at as Date),
    })),
    total: Number(count?.n ?? 0),
    page: query.page,
    pageSize: query.pageSize,
  };
}
