/**
 * Who is calling, and may they? `authenticate` reads the session (never failing), `requireUser`
 * answers 401 without one, `requirePermission` 403 without the code. The caller's Access (roles,
 * permissions, data scope) is computed once per request.
 */
import type { Context, Next } from 'koa';
import type { Permission } from '@shared/permissions';
import type { Actor } from '../modules/audit/service';
import type { UserRow } from '../modules/org/models';
import type { Access } from '../modules/roles/access';
import type { Caller } from '../modules/roles/ownership';
import { forbidden, unauthorized } from './errors';

declare module 'koa' {
  interface DefaultState {
    user?: UserRow;
    access?: Access;
  }
}

/** Who the request's session belongs to (an active employee and their access), or null. */
export type CallerResolver = (ctx: Context) => Promise<{ user: UserRow; access: Access } | null>;

export function authenticate(resolveCaller: CallerResolver) {
  return async function readSession(ctx: Context, next: Next): Promise<void> {
    const caller = await resolveCaller(ctx);
    if (caller) {
      ctx.state.user = caller.user;
      ctx.state.access = caller.access;
    }
    await next();
  };
}

export async function requireUser(ctx: Context, next: Next): Promise<void> {
  if (!ctx.state.user) throw unauthorized();
  await next();
}

export function requirePermission(permission: Permission) {
  return async function checkPermission(ctx: Context, next: Next): Promise<void> {
    if (!ctx.state.user) throw unauthorized();
    if (!ctx.state.access?.permissions.has(permission)) throw forbidden(`需要权限：${permission}`);
    await next();
  };
}

/** The logged-in caller as an audit actor. */
export function actorOf(ctx: Context): Actor {
  const user = ctx.state.user;
  return { userId: user?.id ?? null, label: user?.wecom_userid ?? 'anonymous', ip: ctx.ip };
}

/** The current user and access; only valid behind requireUser / requirePermission. */
export function callerOf(ctx: Context): { user: UserRow; access: Access } {
  const { user, access } = ctx.state;
  if (!user || !access) throw unauthorized();
  return { user, access };
}

/** The caller of a CRM write: access, audit actor and the default department of new records. */
export function crmCallerOf(ctx: Context): Caller {
  const { user, access } = callerOf(ctx);
  return { access, actor: actorOf(ctx), mainDepartmentId: user.main_department_id };
}
