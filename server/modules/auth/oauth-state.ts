/**
 * OAuth `state` (server/wecom/README.md#oauth-login: ours to protect): random, signed, bound to the browser through an
 * HttpOnly nonce cookie, valid 10 minutes, and single-use (a row in `oauth_states` is consumed
 * atomically). The post-login redirect is kept server-side with it.
 *
 * WeCom accepts only `[a-zA-Z0-9]`, at most 128 bytes (96441, 构造网页授权链接), so the state is
 * hex and digits with fixed widths instead of separators: 32 hex of id, 13 digits of expiry (ms),
 * 64 hex of HMAC-SHA256 — 109 characters.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { updateRows } from '../../db/dialect';
import { CONTROL_CHARACTERS } from '@shared/fields';
import { DomainError } from '../../errors';

export const STATE_TTL_MS = 10 * 60 * 1000;

export class OAuthStateError extends DomainError {
  constructor(code: 'state_invalid' | 'state_expired' | 'state_used' | 'state_browser_mismatch', message: string) {
    super('invalid', code, message);
  }
}

function sign(secret: string, id: string, expires: number, nonce: string): string {
  return createHmac('sha256', secret).update(`${id}.${expires}.${nonce}`).digest('hex');
}

const STATE_SHAPE = /^([0-9a-f]{32})(\d{13})([0-9a-f]{64})$/;

export async function issueState(sequelize: Sequelize, secret: string, redirect: string, now = Date.now()): Promise<{ state: string; nonce: string }> {
  const id = randomBytes(16).toString('hex');
  const nonce = randomBytes(16).toString('base64url');
  const expires = now + STATE_TTL_MS;
  await sequelize.query('INSERT INTO oauth_states (id, redirect, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', {
    replacements: [id, redirect, new Date(expires), new Date(now), new Date(now)],
    type: QueryTypes.INSERT,
  });
  // Old states are useless after expiry; sweep them while we are here.
  await sequelize.query('DELETE FROM oauth_states WHERE expires_at < ?', { replacements: [new Date(now - STATE_TTL_MS)] });
  return { state: `${id}${expires}${sign(secret, id, expires, nonce)}`, nonce };
}

/** Verifies and consumes a state; returns the redirect path it was issued for. */
export async function consumeState(sequelize: Sequelize, secret: string, state: string, nonce: string | undefined, now = Date.now()): Promise<string> {
  const match = STATE_SHAPE.exec(state);
  if (!match) throw new OAuthStateError('state_invalid', '登录请求无效，请重新登录');
  const [, id, expiresText, signature] = match as unknown as [string, string, string, string];
  const expires = Number(expiresText);
  if (!nonce) throw new OAuthStateError('state_browser_mismatch', '登录请求不是从当前浏览器发起的，请重新登录');
  const expected = Buffer.from(sign(secret, id, expires, nonce));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    // Either forged, or issued to another browser (whose nonce cookie we don't have).
    throw new OAuthStateError('state_browser_mismatch', '登录请求校验失败（可能来自其他浏览器），请重新登录');
  }
  if (expires <= now) throw new OAuthStateError('state_expired', '登录请求已过期，请重新登录');

  const affected = await updateRows(sequelize, 'UPDATE oauth_states SET used_at = ?, updated_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?', [
    new Date(now),
    new Date(now),
    id,
    new Date(now),
  ]);
  if (affected !== 1) throw new OAuthStateError('state_used', '该登录链接已使用过，请重新登录');
  const [row] = await sequelize.query<{ redirect: string }>('SELECT redirect FROM oauth_states WHERE id = ?', {
    replacements: [id],
    type: QueryTypes.SELECT,
  });
  return row?.redirect ?? '/';
}

/**
 * A same-origin path to return to after login, or null. Refuses absolute URLs, scheme-relative
 * `//host` and backslash tricks (`/\\evil`), so login can't be turned into an open redirect.
 * The check is made again on the normalised path — the value we will send in `Location` —
 * because dot segments fold `/.//evil.example` or `/a/..//x` into `//host`.
 */
export function safeRedirectPath(raw: string | undefined, publicUrl: string): string | null {
  if (!raw) return '/';
  if (!isSingleSlashPath(raw)) return null;
  const base = new URL(publicUrl);
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return isSingleSlashPath(path) ? path : null;
}

const isSingleSlashPath = (path: string) => path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') && !CONTROL_CHARACTERS.test(path);
