import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../logger';

const ACCEPTED_ID = /^[\w.-]{1,64}$/;

/** Gives every request an id (the caller's `X-Request-Id` when sane) and a child logger. */
export function requestId(logger: Logger) {
  return async function assignRequestId(ctx: Context, next: Next): Promise<void> {
    const incoming = ctx.get('X-Request-Id');
    const id = ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.log = logger.child({ reqId: id });
    ctx.set('X-Request-Id', id);
    await next();
  };
}
