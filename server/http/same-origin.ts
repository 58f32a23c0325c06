/**
 * Cross-site request forgery guard for state-changing API requests. A browser tells us where a
 * request comes from (`Origin`, `Sec-Fetch-Site`); a request from another site is refused before
 * it reaches a route. Bodies must be JSON (or multipart for uploads): an HTML form can't send
 * those cross-site without a CORS preflight, which we never answer.
 *
 * Requests without `Origin` (curl, server-to-server, CLI) pass: CSRF needs a victim's browser,
 * and every browser sends `Origin` on a cross-site POST.
 */
import type { Context, Next } from 'koa';
import { forbidden, unsupportedMediaType } from '../errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface SameOriginOptions {
  /** Our own origin (`PUBLIC_URL`'s). */
  origin: string;
  /** Path prefix the guard applies to. */
  prefix: string;
  /** Paths with their own authentication (the WeCom callback's signature). */
  exempt: readonly string[];
}

export function sameOriginWrites(options: SameOriginOptions) {
  const ownOrigin = new URL(options.origin).origin;
  return async function refuseCrossSiteWrites(ctx: Context, next: Next): Promise<void> {
    if (!STATE_CHANGING.has(ctx.method) || !ctx.path.startsWith(options.prefix) || options.exempt.includes(ctx.path)) return next();
    const origin = ctx.get('Origin');
    if ((origin !== '' && origin !== ownOrigin) || ctx.get('Sec-Fetch-Site') === 'cross-site') {
      throw forbidden('拒绝来自其他网站的请求', 'cross_site');
    }
    if (hasBody(ctx) && !ctx.is('application/json', 'multipart/form-data')) {
      throw unsupportedMediaType('请求体只接受 JSON（上传文件请用 multipart/form-data）');
    }
    await next();
  };
}

function hasBody(ctx: Context): boolean {
  const length = ctx.get('Content-Length');
  return ctx.get('Transfer-Encoding') !== '' || (length !== '' && length !== '0');
}
