/**
 * Server-side sessions (server/README.md#scale-out). A session is a random token in the browser and a row here:
 * it ends at logout, when its employee leaves or is disabled, after `idleMs` without a request,
 * and `maxAgeMs` after login at the latest. This module owns the `sessions` table.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { sessionModels } from './models';

export interface SessionPolicy {
  idleMs: number;
  maxAgeMs: number;
}

/** `last_seen_at` is written at most this often: a request a second should not mean a write a second. */
const TOUCH_EVERY_MS = 60_000;

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Opens a session for `userId`; returns the token for the cookie. */
export async function openSession(
  sequelize: Sequelize,
  policy: SessionPolicy,
  userId: number,
  client: { ip?: string; userAgent?: string },
  now = new Date(),
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sessionModels(sequelize).Session.create({
    id: digest(token),
    user_id: userId,
    last_seen_at: now,
    expires_at: new Date(now.getTime() + policy.maxAgeMs),
    ip: client.ip?.slice(0, 64) ?? null,
    user_agent: client.userAgent?.slice(0, 256) ?? null,
  });
  // Sessions past their lifetime are useless; sweep them while we are here.
  await sessionModels(sequelize).Session.destroy({ where: { expires_at: { [Op.lt]: new Date(now.getTime() - policy.maxAgeMs) } } });
  return token;
}

/** The `sessions` columns `checkSession` judges, as a read joining other tables selects them. */
export interface SessionState {
  id: string;
  user_id: number;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

/** The key of a token's row (its digest: the token itself is never stored). */
export const sessionKey = digest;

/**
 * The SELECT list of `sessions s` for `checkSession`, as `session_*` columns: for a read that
 * brings the session with what the request needs next (auth's caller read) in one statement.
 */
export const SESSION_STATE_COLUMNS =
  's.id AS session_id, s.user_id AS session_user_id, s.last_seen_at AS session_last_seen_at, s.expires_at AS session_expires_at, s.revoked_at AS session_revoked_at';

/** Those columns of a row read with SESSION_STATE_COLUMNS (SQLite gives timestamps as text). */
export function sessionStateOf(row: Record<string, unknown>): SessionState {
  const date = (v: unknown) => (v instanceof Date ? v : new Date(v as string));
  return {
    id: row.session_id as string,
    user_id: Number(row.session_user_id),
    last_seen_at: date(row.session_last_seen_at),
    expires_at: date(row.session_expires_at),
    revoked_at: row.session_revoked_at === null || row.session_revoked_at === undefined ? null : date(row.session_revoked_at),
  };
}

/**
 * Whether a session row just read is live (not revoked, not idle, not expired); marks it seen
 * when due. Nothing about a session is remembered between requests: a revoked one fails on the
 * very next request.
 */
export async function checkSession(sequelize: Sequelize, policy: SessionPolicy, row: SessionState, now = new Date()): Promise<boolean> {
  if (row.revoked_at !== null) return false;
  if (row.expires_at.getTime() <= now.getTime() || row.last_seen_at.getTime() + policy.idleMs <= now.getTime()) return false;
  if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
    await sessionModels(sequelize).Session.update({ last_seen_at: now }, { where: { id: row.id, revoked_at: null } });
  }
  return true;
}

/** The user of a live session (not revoked, not idle, not expired), marking it seen; else null. */
export async function sessionUser(sequelize: Sequelize, policy: SessionPolicy, token: string, now = new Date()): Promise<number | null> {
  const row = (await sessionModels(sequelize).Session.findByPk(digest(token)))?.get();
  return row && (await checkSession(sequelize, policy, row, now)) ? row.user_id : null;
}

export async function revokeSession(sequelize: Sequelize, token: string, now = new Date()): Promise<void> {
  await sessionModels(sequelize).Session.update({ revoked_at: now }, { where: { id: digest(token), revoked_at: null } });
}

/** Ends every session of these employees (they left, or were disabled). */
export async function revokeSessionsOf(sequelize: Sequelize, userIds: readonly number[], transaction?: Transaction, now = new Date()): Promise<number> {
  if (!userIds.length) return 0;
  const [revoked] = await sessionModels(sequelize).Session.update(
    { revoked_at: now },
    { where: { user_id: { [Op.in]: [...userIds] }, revoked_at: null }, transaction },
  );
  return revoked;
}
