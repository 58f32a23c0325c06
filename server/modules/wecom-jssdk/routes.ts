import Router from '@koa/router';
import { z } from 'zod';
import { requireUser } from '../../http/auth';
import { validate } from '../../http/validate';
import type { WecomClient } from '../../wecom/client';
import { jssdkConfigFor } from './service';

/** A page URL of our own origin (the only pages we sign for). */
export function ownPageUrl(publicUrl: string) {
  const origin = new URL(publicUrl).origin;
  return z.url({ message: 'url 必须是完整的页面地址' }).refine((u) => new URL(u).origin === origin, `url 必须是本站页面（${origin}）`);
}

/**
 * `GET /api/wecom/jssdk-config?url=` (server/README.md#http-contract). Only pages of our own origin are signed, and
 * only for someone logged in: the signature is a credential for calling JS-SDK APIs as our app,
 * not a public service (anyone could otherwise drive wx.agentConfig-gated APIs from a copy of our
 * page; WeCom has signing done on the server for that reason: JS-SDK 签名算法,
 * developer.work.weixin.qq.com/document/path/96909). The H5's API client answers a 401 with the
 * OAuth login, so the bridge gets its signatures after it; the sidebar gets them with its boot
 * request, which requires a session too.
 */
export function jssdkRoutes(deps: { wecom: WecomClient; publicUrl: string }): Router {
  const query = z.object({ url: ownPageUrl(deps.publicUrl) });
  const router = new Router();
  router.get('/api/wecom/jssdk-config', requireUser, async (ctx) => {
    const { url } = validate(query, ctx.query);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await jssdkConfigFor(deps.wecom, url);
  });
  return router;
}
