/**
 * Who is calling, and may they? `authenticate` asks the resolver it is given (the auth module
 * reads the session) and never fails; `requireUser` answers 401 without a caller,
 * `requirePermission` 403 without the code. HTTP knows of a caller only what these checks need.
 */
import type { Context, Next } from 'koa';
import { forbidden, unauthorized } from '../errors';

/** What the HTTP edge needs of a caller: that there is one, and what they may do. */
export interface RequestIdentity {
  readonly userId: number;
  readonly permissions: ReadonlySet<string>;
}

declare module 'koa' {
  interface DefaultState {
    identity?: RequestIdentity;
  }
}

/** Finds the request's caller (and may put more of it on `ctx.state`), or null. */
export type IdentityResolver = (ctx: Context) => Promise<RequestIdentity | null>;

export function authenticate(resolve: IdentityResolver) {
  return async function readSession(ctx: Context, next: Next): Promise<void> {
    const identity = await resolve(ctx);
    if (identity) ctx.state.identity = identity;
    await next();
  };
}

export async function requireUser(ctx: Context, next: Next): Promise<void> {
  if (!ctx.state.identity) throw unauthorized();
  await next();
}

export function requirePermission(permission: string) {
  return async function checkPermission(ctx: Context, next: Next): Promise<void> {
    if (!ctx.state.identity) throw unauthorized();
    if (!ctx.state.identity.permissions.has(permission)) throw forbidden(`需要权限：${permission}`);
    await next();
  };
}
