import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import type { Config } from '../../../config';
import { requireUser } from '../../http/auth';
import { callerOf } from '../org/caller';
import { validationFailed } from '../../errors';
import { validate } from '../../http/validate';
import type { WecomClient } from '../../wecom/client';
import { audit } from '../audit/service';
import { consumeState, issueState, safeRedirectPath, STATE_TTL_MS } from './oauth-state';
import { describeMe, loginWithCode } from './service';
import { clearCookie, endSession, OAUTH_NONCE_COOKIE, setCookie, startSession } from './session';

export interface AuthDeps {
  config: Config;
  sequelize: Sequelize;
  wecom: WecomClient;
}

const authorizeQuery = z.object({ redirect: z.string().max(1000).optional() });
const callbackQuery = z.object({
  code: z.string().min(1, '缺少 code').max(512),
  state: z.string().min(1, '缺少 state').max(256),
});

export function authRoutes(deps: AuthDeps): Router {
  const { config, sequelize } = deps;
  const callbackUrl = `${config.publicUrl}/api/auth/wecom/callback`;
  const bootstrap = { adminUserIds: config.wecom.adminUserIds };
  const router = new Router({ prefix: '/api' });

  /** Issues a browser-bound state and returns it; the redirect is validated first. */
  async function beginLogin(ctx: Context): Promise<string> {
    const { redirect } = validate(authorizeQuery, ctx.query);
    const path = safeRedirectPath(redirect, config.publicUrl);
    if (path === null) throw validationFailed('redirect 必须是本站路径', [{ field: 'redirect', message: '只允许以 / 开头的站内路径' }]);
    const { state, nonce } = await issueState(sequelize, config.sessionSecret, path);
    setCookie(ctx, config, OAUTH_NONCE_COOKIE, nonce, STATE_TTL_MS);
    ctx.set('Cache-Control', 'no-store');
    return state;
  }

  // In-app OAuth (snsapi_base): WeCom → our callback with ?code&state.
  router.get('/auth/wecom/authorize', async (ctx) => {
    const state = await beginLogin(ctx);
    const params = new URLSearchParams({
      appid: config.wecom.corpId,
      redirect_uri: callbackUrl,
      response_type: 'code',
      scope: config.wecom.oauthScope,
      state,
      agentid: config.wecom.agentId,
    });
    ctx.redirect(`${config.wecom.oauthBase}/connect/oauth2/authorize?${params}#wechat_redirect`);
  });

  // Desktop QR / SSO login.
  router.get('/auth/wecom/qr', async (ctx) => {
    const state = await beginLogin(ctx);
    const params = new URLSearchParams({
      login_type: 'CorpApp',
      appid: config.wecom.corpId,
      agentid: config.wecom.agentId,
      redirect_uri: callbackUrl,
      state,
    });
    ctx.redirect(`${config.wecom.ssoBase}/wwlogin/sso/login?${params}`);
  });

  router.get('/auth/wecom/callback', async (ctx) => {
    const { code, state } = validate(callbackQuery, ctx.query);
    const nonce = ctx.cookies.get(OAUTH_NONCE_COOKIE, { signed: true });
    const redirect = await consumeState(sequelize, config.sessionSecret, state, nonce);
    clearCookie(ctx, config, OAUTH_NONCE_COOKIE);
    const user = await loginWithCode({ ...deps, bootstrap }, code, ctx.ip);
    await startSession(ctx, config, sequelize, user.id);
    ctx.set('Cache-Control', 'no-store');
    // Checked when the state was issued; checked again here, on the exact value we send.
    ctx.redirect(safeRedirectPath(redirect, config.publicUrl) ?? '/');
  });

  router.post('/auth/logout', async (ctx) => {
    if (ctx.state.user) {
      await audit(
        sequelize,
        { userId: ctx.state.user.id, label: ctx.state.user.wecom_userid, ip: ctx.ip },
        { action: 'auth.logout', entity: 'user', entityId: ctx.state.user.id, summary: `${ctx.state.user.name} 退出登录` },
      );
    }
    await endSession(ctx, config, sequelize);
    ctx.status = 204;
  });

  router.get('/me', requireUser, async (ctx) => {
    const { user, access } = callerOf(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await describeMe(sequelize, user, access);
  });

  return router;
}
