import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { holdingTradeSchema } from '@shared/ledger';
import { requirePermission } from '../../http/auth';
import { callerOf, crmCallerOf } from '../org/caller';
import { pageFields, validate } from '../../http/validate';
import { listHoldingTrades, listHoldings } from '../trades/reads';
import type { SuitabilityExceptionDoor } from '../trades/exceptions';
import { submitHoldingTrade } from './service';

const customerParam = z.object({ customerId: z.coerce.number().int().positive() });
const holdingParam = customerParam.extend({ holdingId: z.coerce.number().int().positive() });
const listQuery = z.object({
  includeClosed: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

/**
 * A customer's holdings; every change is a trade posted to `/holding-records` (the ledger's door for
 * the holding sheet). `exceptions`: where a rep's suitability exception goes (app.ts).
 */
export function holdingRoutes(deps: { sequelize: Sequelize; exceptions?: SuitabilityExceptionDoor }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/customers/:customerId' });
  const read = requirePermission('customer.read');
  const write = requirePermission('customer.write');

  router.get('/holdings', read, async (ctx) => {
    const { customerId } = validate(customerParam, ctx.params);
    ctx.body = await listHoldings(sequelize, callerOf(ctx).access, customerId, validate(listQuery, ctx.query).includeClosed);
  });
  router.get('/holdings/:holdingId/records', read, async (ctx) => {
    const { customerId, holdingId } = validate(holdingParam, ctx.params);
    ctx.body = await listHoldingTrades(sequelize, callerOf(ctx).access, customerId, holdingId, validate(z.object(pageFields), ctx.query));
  });
  router.post('/holding-records', write, async (ctx) => {
    const { customerId } = validate(customerParam, ctx.params);
    const outcome = await submitHoldingTrade(sequelize, crmCallerOf(ctx), customerId, validate(holdingTradeSchema, ctx.request.body), deps.exceptions);
    // 202: the buy waits for approval (a suitability exception) and is no trade yet.
    ctx.status = 'pending' in outcome ? 202 : 201;
    ctx.body = 'pending' in outcome ? outcome.pending : outcome;
  });
  return router;
}
