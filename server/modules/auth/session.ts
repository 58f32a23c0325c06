/**
 * The session cookie: a random token (signed, HttpOnly) naming a row of `sessions`. SameSite=Lax:
 * WeCom opens our pages as top-level documents (the sidebar, the workbench, the OAuth redirect
 * back to us), so the browser sends a Lax cookie on every request we need, and never on another
 * site's form post or fetch.
 */
import type { Context } from 'koa';
import type { Config } from '../../../config';
import { openSession, revokeSession } from '../sessions/service';
import type { Sequelize } from 'sequelize';

export const SESSION_COOKIE = 'wcrm_session';
export const OAUTH_NONCE_COOKIE = 'wcrm_oauth';

/** Secure whenever the browser reaches us over https (also behind a TLS-terminating proxy). */
export function cookieOptions(config: Config, maxAge: number) {
  return {
    httpOnly: true,
    signed: true,
    sameSite: 'lax' as const,
    secure: config.publicUrl.startsWith('https://'),
    maxAge,
    overwrite: true,
    path: '/',
  };
}

/**
 * Sets a cookie. The browser's connection is https when PUBLIC_URL is, even if the hop from the
 * proxy to us is plain HTTP: tell the cookie jar so, or it refuses to send a Secure cookie.
 */
export function setCookie(ctx: Context, config: Config, name: string, value: string, maxAge: number): void {
  const options = cookieOptions(config, maxAge);
  if (options.secure) (ctx.cookies as unknown as { secure: boolean }).secure = true;
  ctx.cookies.set(name, value, options);
}

export function clearCookie(ctx: Context, config: Config, name: string): void {
  const options = { ...cookieOptions(config, 0), maxAge: undefined, expires: new Date(0) };
  if (options.secure) (ctx.cookies as unknown as { secure: boolean }).secure = true;
  ctx.cookies.set(name, '', options);
}

export async function startSession(ctx: Context, config: Config, sequelize: Sequelize, userId: number): Promise<void> {
  const token = await openSession(sequelize, config.sessions, userId, { ip: ctx.ip, userAgent: ctx.get('User-Agent') });
  setCookie(ctx, config, SESSION_COOKIE, token, config.sessions.maxAgeMs);
}

export async function endSession(ctx: Context, config: Config, sequelize: Sequelize): Promise<void> {
  const token = sessionToken(ctx);
  if (token) await revokeSession(sequelize, token);
  clearCookie(ctx, config, SESSION_COOKIE);
}

/** The token of the request's session cookie (its signature checked), or undefined. */
export function sessionToken(ctx: Context): string | undefined {
  return ctx.cookies.get(SESSION_COOKIE, { signed: true }) || undefined;
}
