import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { TARGET_METRICS, targetPeriod, targetSetSchema, type TargetMetric } from '@shared/targets';
import { requirePermission } from '../../http/auth';
import { callerOf, crmCallerOf } from '../org/caller';
import { idParam, validate } from '../../http/validate';
import { deleteTarget, listTargets, setTarget } from './service';

const listQuery = z.object({
  period: targetPeriod.optional(),
  scopeType: z.enum(['user', 'department']).optional(),
  scopeId: z.coerce.number().int().positive().optional(),
  metric: z.enum(Object.keys(TARGET_METRICS) as [TargetMetric, ...TargetMetric[]]).optional(),
});

/** Targets are few (people × metrics × periods): the list is not paginated. */
export function targetRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/targets' });

  router.get('/', requirePermission('target.read'), async (ctx) => {
    ctx.body = { items: await listTargets(sequelize, callerOf(ctx).access, validate(listQuery, ctx.query)) };
  });
  router.put('/', requirePermission('target.manage'), async (ctx) => {
    ctx.body = await setTarget(sequelize, crmCallerOf(ctx), validate(targetSetSchema, ctx.request.body));
  });
  router.delete('/:id', requirePermission('target.manage'), async (ctx) => {
    await deleteTarget(sequelize, crmCallerOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });
  return router;
}
