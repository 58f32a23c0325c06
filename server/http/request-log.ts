import type { Context, Next } from 'koa';

/**
 * One log line per request. Only the path is logged, never the query string: OAuth codes,
 * states and signatures travel there.
 */
export async function requestLog(ctx: Context, next: Next): Promise<void> {
  const started = process.hrtime.bigint();
  try {
    await next();
  } finally {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const line = {
      method: ctx.method,
      path: ctx.path,
      // A mounted listener (ctx.respond = false) answered on the raw response.
      status: ctx.respond === false ? ctx.res.statusCode : ctx.status,
      ms: Math.round(ms * 10) / 10,
      userId: ctx.state.identity?.userId,
    };
    if (line.status >= 500) ctx.log.error(line, 'request');
    else ctx.log.info(line, 'request');
  }
}
