import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, Next } from 'koa';
import send from 'koa-send';

const HASHED_ASSET = /^\/assets\//;

/**
 * Serves the built H5 from `root`. Paths outside the API answer here, without running the API
 * middleware behind (sessions, body parsing): a file if there is one, else `index.html`, so deep
 * links such as `/customers/42` work after a reload. Hashed assets are cached for a year and
 * never asked for again (`immutable`); the pages (`index.html`, `sidebar.html`) are revalidated on
 * every open so a deploy takes effect at once, and answer that revalidation with a bodiless 304
 * (ETag / If-None-Match) while unchanged. The build writes `.br` and `.gz` beside each text file;
 * koa-send picks the one the browser accepts.
 */
export interface SpaPage {
  file: string;
  /**
   * A request the page's first script will make, from the page's own URL: sent as a
   * `Link: <…>; rel=preload; as=fetch` header, so the browser starts it with the HTML instead of
   * after downloading and running that script (the script's fetch() then takes the preloaded answer).
   */
  preload?: (ctx: Context) => string | null;
}

export function serveSpa(root: string, options: { apiPrefixes: readonly string[]; pages?: Readonly<Record<string, SpaPage>> }) {
  const indexFile = join(root, 'index.html');
  return async function spa(ctx: Context, next: Next): Promise<void> {
    const isApi = options.apiPrefixes.some((p) => ctx.path === p || ctx.path.startsWith(`${p}/`));
    if (isApi || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();

    ctx.vary('Accept-Encoding');
    if (await trySend(ctx, root, ctx.path)) {
      ctx.set('Cache-Control', HASHED_ASSET.test(ctx.path) ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
      return;
    }
    // A missing hashed asset is a real 404, not a route.
    if (HASHED_ASSET.test(ctx.path)) return next();
    // A route with its own page (the build's sidebar.html: its chunk preloaded, its data requested
    // before the app's code runs); any other route is the app's index.html.
    const page = options.pages?.[ctx.path];
    if (page && existsSync(join(root, page.file))) {
      const early = page.preload?.(ctx);
      if (early) ctx.set('Link', `<${early}>; rel=preload; as=fetch; crossorigin`);
      return sendPage(ctx, root, page.file);
    }
    if (!existsSync(indexFile)) {
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'The H5 has not been built. Run `npm run build:h5` (npm start does it for you).';
      return;
    }
    await sendPage(ctx, root, 'index.html');
  };
}

/**
 * A page: `no-cache` (the browser keeps it but asks each time), a weak ETag of the file sent (the
 * .br, .gz or plain one, hence weak and per encoding with `Vary: Accept-Encoding`), and 304 without
 * a body when the browser's copy is current — the warm open then costs one small round trip.
 */
async function sendPage(ctx: Context, root: string, file: string): Promise<void> {
  await send(ctx, file, {
    root,
    setHeaders: (res, _path, stats) => res.setHeader('ETag', `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`),
  });
  ctx.set('Cache-Control', 'no-cache');
  if (ctx.fresh) ctx.status = 304;
}

async function trySend(ctx: Context, root: string, path: string): Promise<boolean> {
  if (path === '/' || path.endsWith('/')) return false;
  try {
    await send(ctx, path, { root, hidden: false, index: false });
    return true;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404 || status === 400 || status === 403) return false;
    throw err;
  }
}
