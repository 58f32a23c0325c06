import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { externalUserIdParam } from '@shared/matching';
import { requirePermission } from '../../http/auth';
import { callerOf } from '../org/caller';
import { validate } from '../../http/validate';
import type { FollowChecker } from '../matching/follows';
import { followUpCreateSchema } from '@shared/follow-ups';
import type { CorpSettings } from '@shared/settings';
import { contactFollowUp, groupChatView, myContacts, myGroupChats, sidebarCard, type SidebarCaller } from './service';

const chatParam = z.object({ chatId: z.string().min(1).max(64) });

function sidebarCallerOf(ctx: Context): SidebarCaller {
  const { user, access } = callerOf(ctx);
  return { access, wecomUserid: user.wecom_userid };
}

export function sidebarRoutes(deps: { sequelize: Sequelize; follows: FollowChecker; settingDefaults: CorpSettings }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/sidebar' });
  const read = requirePermission('customer.read');

  router.get('/external-contacts/:externalUserId', read, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await sidebarCard(deps, sidebarCallerOf(ctx), validate(externalUserIdParam, ctx.params).externalUserId);
  });
  // 协同跟进 from the chat: an ordinary follow-up in scope, a co-follower's outside it (service.ts).
  router.post('/external-contacts/:externalUserId/follow-ups', requirePermission('customer.write'), async (ctx) => {
    const { externalUserId } = validate(externalUserIdParam, ctx.params);
    ctx.status = 201;
    ctx.body = await contactFollowUp(deps, sidebarCallerOf(ctx), externalUserId, validate(followUpCreateSchema, ctx.request.body));
  });
  router.get('/contacts', read, async (ctx) => {
    ctx.body = { items: await myContacts(sequelize, sidebarCallerOf(ctx)) };
  });
  router.get('/group-chats', read, async (ctx) => {
    ctx.body = { items: await myGroupChats(sequelize, sidebarCallerOf(ctx)) };
  });
  router.get('/group-chats/:chatId', read, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await groupChatView(sequelize, sidebarCallerOf(ctx), validate(chatParam, ctx.params).chatId);
  });
  return router;
}
