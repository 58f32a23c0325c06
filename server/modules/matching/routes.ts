import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { customerDraftSchema } from '@shared/customers';
import { externalUserIdParam, linkSchema } from '@shared/matching';
import { requirePermission } from '../../http/auth';
import { callerOf, crmCallerOf } from '../org/caller';
import { validate } from '../../http/validate';
import type { FollowChecker } from './follows';
import { createCustomerFromContact, linkContact, matchAllUnlinked, unlinkContact, type LinkCaller } from './links';

function linkCallerOf(ctx: Context): LinkCaller {
  return { ...crmCallerOf(ctx), wecomUserid: callerOf(ctx).user.wecom_userid };
}

/** Hand-made links between WeCom contacts and customers, and matching on demand. */
export function matchingRoutes(deps: { sequelize: Sequelize; follows: FollowChecker }): Router {
  const { sequelize, follows } = deps;
  const router = new Router({ prefix: '/api' });
  const write = requirePermission('customer.write');

  router.post('/wecom-links', write, async (ctx) => {
    const { externalUserId, customerId } = validate(linkSchema, ctx.request.body);
    ctx.body = await linkContact(sequelize, follows, linkCallerOf(ctx), externalUserId, customerId);
  });
  router.delete('/wecom-links/:externalUserId', write, async (ctx) => {
    await unlinkContact(sequelize, follows, linkCallerOf(ctx), validate(externalUserIdParam, ctx.params).externalUserId);
    ctx.status = 204;
  });
  router.post('/wecom-links/:externalUserId/customer', write, async (ctx) => {
    const { externalUserId } = validate(externalUserIdParam, ctx.params);
    const overrides = validate(customerDraftSchema, ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = await createCustomerFromContact(sequelize, follows, linkCallerOf(ctx), externalUserId, overrides);
  });
  router.post('/admin/matching/run', requirePermission('org.sync'), async (ctx) => {
    ctx.body = await matchAllUnlinked(sequelize);
  });
  return router;
}
