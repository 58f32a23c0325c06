import type { RequestListener } from 'node:http';
import type { Context, Next } from 'koa';

/**
 * Hands requests under `prefix` to a plain Node request listener (another Koa app, say) with
 * the prefix stripped. Used to serve the WeCom simulator on the app's own port.
 */
export function mountAt(prefix: string, listener: RequestListener) {
  return async function mounted(ctx: Context, next: Next): Promise<void> {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    ctx.respond = false;
    ctx.req.url = ctx.req.url!.slice(prefix.length) || '/';
    await new Promise<void>((done) => {
      ctx.res.once('finish', done);
      ctx.res.once('close', done);
      listener(ctx.req, ctx.res);
    });
  };
}
