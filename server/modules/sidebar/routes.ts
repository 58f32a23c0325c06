import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { externalUserIdParam } from '@shared/matching';
import { requirePermission } from '../../http/auth';
import { callerOf } from '../auth/caller';
import { validate } from '../../http/validate';
import type { FollowChecker } from '../matching/follows';
import { groupChatView, myContacts, myGroupChats, sidebarCard, type SidebarCaller } from './service';

const chatParam = z.object({ chatId: z.string().min(1).max(64) });

function sidebarCallerOf(ctx: Context): SidebarCaller {
  const { user, access } = callerOf(ctx);
  return { access, wecomUserid: user.wecom_userid };
}

export function sidebarRoutes(deps: { sequelize: Sequelize; follows: FollowChecker }): Router {
  const { sequelize, follows } = deps;
  const router = new Router({ prefix: '/api/sidebar' });
  const read = requirePermission('customer.read');

  router.get('/external-contacts/:externalUserId', read, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await sidebarCard(sequelize, follows, sidebarCallerOf(ctx), validate(externalUserIdParam, ctx.params).externalUserId);
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
