/**
 * Sessions are signed cookies (DESIGN §11: no server-side session store). The cookie holds the
 * user id and issue time; the user row is re-read on every request, so disabling an employee
 * ends their sessions at once.
 */
import type { Context } from 'koa';
import type { Config } from '../../../config';

export const SESSION_COOKIE = 'wcrm_session';
export const OAUTH_NONCE_COOKIE = 'wcrm_oauth';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Cookie policy. Live mode: the WeCom webview loads us cross-site, so SameSite=None and Secure.
 * Demo mode on http://localhost: Lax, not Secure.
 */
export function cookieOptions(config: Config, maxAge: number) {
  const live = config.wecom.mode === 'live';
  return {
    httpOnly: true,
    signed: true,
    sameSite: live ? ('none' as const) : ('lax' as const),
    secure: live,
    maxAge,
    overwrite: true,
    path: '/',
  };
}

export function startSession(ctx: Context, config: Config, userId: number, now = Date.now()): void {
  ctx.cookies.set(SESSION_COOKIE, `${userId}.${Math.floor(now / 1000)}`, cookieOptions(config, SESSION_TTL_MS));
}

export function endSession(ctx: Context, config: Config): void {
  ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(config, 0), maxAge: undefined, expires: new Date(0) });
}

/** The user id of a valid, unexpired session cookie, or null. */
export function sessionUserId(ctx: Context, now = Date.now()): number | null {
  const raw = ctx.cookies.get(SESSION_COOKIE, { signed: true });
  const match = raw ? /^(\d+)\.(\d+)$/.exec(raw) : null;
  if (!match) return null;
  const issuedAt = Number(match[2]) * 1000;
  if (issuedAt + SESSION_TTL_MS <= now || issuedAt > now + 60_000) return null;
  return Number(match[1]);
}
