import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { externalUserIdParam } from '@shared/matching';
import type { CorpSettings } from '@shared/settings';
import { sidebarBootPath, type SidebarBoot } from '@shared/sidebar';
import { isWecomUserAgent } from '@shared/wecom-webview';
import type { Config } from '../../../config';
import { missingPermission, requireUser } from '../../http/auth';
import { errorResponse } from '../../http/errors';
import { validate } from '../../http/validate';
import type { WecomClient } from '../../wecom/client';
import { callerOf } from '../org/caller';
import { describeMe } from '../auth/service';
import { metaOf } from '../system/routes';
import { listDictionaries } from '../dictionaries/service';
import type { FollowChecker } from '../matching/follows';
import { ownPageUrl } from '../wecom-jssdk/routes';
import { jssdkConfigFor } from '../wecom-jssdk/service';
import { sidebarCard } from './service';

export interface SidebarBootDeps {
  sequelize: Sequelize;
  follows: FollowChecker;
  settingDefaults: CorpSettings;
  wecom: WecomClient;
  config: Pick<Config, 'publicUrl' | 'wecom'>;
}

/**
 * `GET /api/sidebar/boot` (SidebarBoot): session, dictionaries and the card in one round trip, so
 * the sidebar's first paint of a customer waits for one request instead of a chain of four. The
 * card is checked exactly as `GET /api/sidebar/external-contacts/:id` checks it; its error, if
 * any, travels in the body so the session and dictionaries still arrive.
 */
export function sidebarBootRoutes(deps: SidebarBootDeps): Router {
  const query = z.object({ contact: externalUserIdParam.shape.externalUserId.optional(), url: ownPageUrl(deps.config.publicUrl).optional() });
  const router = new Router();

  router.get('/api/sidebar/boot', requireUser, async (ctx) => {
    const { contact, url } = validate(query, ctx.query);
    const { user, access } = callerOf(ctx);
    const card = async (): Promise<SidebarBoot['card']> => {
      if (!contact) return undefined;
      try {
        if (!ctx.state.identity?.permissions.has('customer.read')) throw missingPermission('customer.read');
        return { ok: true, card: await sidebarCard(deps, { access, wecomUserid: user.wecom_userid }, contact) };
      } catch (err) {
        const { status, body } = errorResponse(err);
        if (status >= 500) ctx.log.error({ err }, 'sidebar boot: card failed');
        return { ok: false, status, body };
      }
    };
    // Without signatures the bridge asks for them itself: a WeCom hiccup must not cost the card.
    const jssdk = async () => (url ? jssdkConfigFor(deps.wecom, url).catch(() => null) : undefined);
    const [me, dictionaries, cardPart, jssdkPart] = await Promise.all([
      describeMe(deps.sequelize, user, access),
      listDictionaries(deps.sequelize),
      card(),
      jssdk(),
    ]);
    const body: SidebarBoot = { me, meta: metaOf(deps.config), dictionaries };
    if (cardPart) body.card = cardPart;
    if (jssdkPart !== undefined) body.jssdk = jssdkPart;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  });
  return router;
}

/**
 * The boot request sidebar.html's first script (h5/src/first-paint/main.ts) will make for this
 * page, built from the page's URL the same way, so `serveSpa` can announce it as a preload and the
 * browser asks for the card while the script downloads. Only outside WeCom (the dev shim's
 * `?contact=`): inside WeCom the request carries the page URL as the browser sees it, which the
 * server behind a proxy cannot know for sure, and a preload that does not match is a wasted request.
 */
export function sidebarBootPreload(ctx: Context): string | null {
  if (isWecomUserAgent(ctx.get('user-agent'))) return null;
  const contact = new URLSearchParams(ctx.querystring).get('contact');
  return contact ? sidebarBootPath({ contact, url: null }) : null;
}
