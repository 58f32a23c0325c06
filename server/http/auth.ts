/**
 * Who is calling, and may they? `authenticate` asks the resolver it is given (the auth module
 * reads the session) and never fails; `requireUser` answers 401 without a caller,
 * `requirePermission` 403 without the code. HTTP knows of a caller only what these checks need.
 */
import type { Context, Next } from 'koa';
import type { Permission } from '@shared/permissions';
import { missingPermission, unauthorized } from '../errors';

/** What the HTTP edge needs of a caller: that there is one, and what they may do. */
export interface RequestIdentity {
  readonly userId: number;
  readonly permissions: ReadonlySet<Permission>;
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

/** The refusal a person reads: the permission by its Chinese name, never its code. */
export { missingPermission };

export function requirePermission(permission: Permission) {
  return async function checkPermission(ctx: Context, next: Next): Promise<void> {
    if (!ctx.state.identity) throw unauthorized();
    if (!ctx.state.identity.permissions.has(permission)) throw missingPermission(permission);
    await next();
  };
}
