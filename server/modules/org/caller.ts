/**
 * The logged-in employee behind a request, as routes hand it to services: their user row and
 * access, the audit actor, and the CRM caller. Set on `ctx.state` by the session resolver.
 */
import type { Context } from 'koa';
import { unauthorized } from '../../errors';
import type { Actor } from '../audit/service';
import type { UserRow } from './models';
import type { Access } from '../roles/access';
import type { Caller } from '../roles/ownership';

declare module 'koa' {
  interface DefaultState {
    user?: UserRow;
    access?: Access;
  }
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
