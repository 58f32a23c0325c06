import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { callbackSchema, coolingOffCancelSchema } from '@shared/cooling-off';
import { missingPermission, requirePermission } from '../../http/auth';
import { idParam, pageFields, validate } from '../../http/validate';
import { callerOf, crmCallerOf } from '../org/caller';
import { cancelInCoolingOff, recordCallback, waitingCallbacks } from './cooling-off';

/**
 * 冷静期 and 回访 over HTTP (server/README.md#cooling-off-冷静期-and-回访): the customer's cancellation
 * in the 冷静期 (recorded by whoever may write sales), the 回访 (sales or 合规 — never the seller, the
 * service checks), and 合规's list of buys waiting for one.
 */
export function coolingOffRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/trades' });

  router.get('/callbacks', requirePermission('compliance.view'), async (ctx) => {
    ctx.body = await waitingCallbacks(sequelize, callerOf(ctx).access, validate(z.object(pageFields), ctx.query));
  });
  router.post('/:id/cooling-off-cancel', requirePermission('sales.write'), async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    await cancelInCoolingOff(sequelize, crmCallerOf(ctx), id, validate(coolingOffCancelSchema, ctx.request.body).reason);
    ctx.status = 204;
  });
  router.post('/:id/callback', async (ctx) => {
    const caller = crmCallerOf(ctx);
    if (!caller.access.permissions.has('compliance.view') && !caller.access.permissions.has('sales.write')) throw missingPermission('compliance.view');
    await recordCallback(sequelize, caller, validate(idParam, ctx.params).id, validate(callbackSchema, ctx.request.body));
    ctx.status = 204;
  });
  return router;
}
