import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { code } from '@shared/fields';
import { opportunityCreateSchema, opportunityPatchSchema } from '@shared/opportunities';
import { requirePermission } from '../../http/auth';
import { idParam, pageFields, validate } from '../../http/validate';
import { callerOf, crmCallerOf } from '../org/caller';
import { createOpportunity, getOpportunity, listOpportunities, updateOpportunity } from './service';

const id = z.coerce.number().int().positive().optional();
export const opportunityListQuery = z.object({
  ...pageFields,
  customerId: id,
  ownerUserId: id,
  stage: code.optional(),
  status: z.enum(['open', 'closed'], '状态应为进行中或已结束').optional(),
  staleDays: z.coerce.number().int().min(1).max(365).optional(),
  expectedMonth: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM')
    .optional(),
});

/** `GET|POST /api/opportunities`, `GET|PATCH /api/opportunities/:id` (server/README.md#opportunities-商机). */
export function opportunityRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/opportunities' });

  router.get('/', requirePermission('customer.read'), async (ctx) => {
    ctx.body = await listOpportunities(sequelize, callerOf(ctx).access, validate(opportunityListQuery, ctx.query));
  });
  router.post('/', requirePermission('customer.write'), async (ctx) => {
    ctx.status = 201;
    ctx.body = await createOpportunity(sequelize, crmCallerOf(ctx), validate(opportunityCreateSchema, ctx.request.body));
  });
  router.get('/:id', requirePermission('customer.read'), async (ctx) => {
    ctx.body = await getOpportunity(sequelize, callerOf(ctx).access, validate(idParam, ctx.params).id);
  });
  // `{stage}` moves it; the won stage with the trade's fields books the buy (writeTrade: suitability and every rule of a buy).
  router.patch('/:id', requirePermission('customer.write'), async (ctx) => {
    const { id: opportunityId } = validate(idParam, ctx.params);
    ctx.body = await updateOpportunity(sequelize, crmCallerOf(ctx), opportunityId, validate(opportunityPatchSchema, ctx.request.body));
  });
  return router;
}
