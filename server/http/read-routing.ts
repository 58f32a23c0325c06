/**
 * Which requests may read a replica (server/db/replicas.ts, README.md#deployment), and
 * read-your-writes across instances: a request that may write (any method but GET/HEAD) marks the
 * browser with a cookie, and for `READ_AFTER_WRITE_SECONDS` after it that browser's reads all go
 * to the primary — so a list or a dashboard never shows data older than what the user just saved.
 * The sidebar card, sessions and every other read always use the primary.
 */
import type { Context, Next } from 'koa';
import { readsFromReplicas } from '../db/replicas';

/** Read-only GETs that may be served from a replica: dashboards, exports, lists. */
const REPLICA_READS: readonly RegExp[] = [
  /^\/api\/dashboard(\/|$)/,
  /\.xlsx$/,
  /^\/api\/(customers|products|partners|sales|trades|opportunities|targets|approvals|mass-messages)$/,
  /^\/api\/admin\/audit-logs$/,
];
export const WROTE_COOKIE = 'wcrm_wrote';
/** Longer than any replica lag we accept (a replica further behind is passed over: MAX_REPLICA_LAG_SECONDS). */
export const READ_AFTER_WRITE_SECONDS = 30;

export function readRouting(options: { enabled: boolean; secure: boolean }) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!options.enabled) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      if (options.secure) (ctx.cookies as unknown as { secure: boolean }).secure = true;
      ctx.cookies.set(WROTE_COOKIE, String(Date.now()), {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secure,
        path: '/',
        maxAge: READ_AFTER_WRITE_SECONDS * 1000,
        overwrite: true,
      });
      return next();
    }
    const wroteAt = Number(ctx.cookies.get(WROTE_COOKIE) ?? 0);
    const recentWrite = Date.now() - wroteAt < READ_AFTER_WRITE_SECONDS * 1000;
    if (recentWrite || !REPLICA_READS.some((r) => r.test(ctx.path))) return next();
    ctx.set('X-Replica-Reads', 'allowed');
    return readsFromReplicas(() => next());
  };
}
