import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { assignSchema, poolRulesSchema, releaseSchema } from '@shared/customer-pool';
import { requirePermission } from '../../http/auth';
import { idParam, pageFields, validate } from '../../http/validate';
import { callerOf, crmCallerOf } from '../org/caller';
import { recycleDue } from './recycle';
import { assignFromPool, claimCustomer, listPoolCustomers, listPools, poolStatusOf, releaseCustomer, setPoolRules } from './service';

const poolCustomersQuery = z.object({ ...pageFields, poolId: z.coerce.number().int().positive().optional() });

/**
 * 公海 (server/README.md#customer-pool-公海): `GET|PUT /api/customer-pools`, `GET /api/customer-pools/customers`,
 * `POST /api/customer-pools/recycle`, `POST /api/customers/:id/{release,claim,assign}`, `GET /api/customers/:id/pool`.
 */
export function customerPoolRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api' });

  router.get('/customer-pools', requirePermission('customer.read'), async (ctx) => {
    ctx.body = { items: await listPools(sequelize, callerOf(ctx).access) };
  });
  router.put('/customer-pools', requirePermission('customer.transfer'), async (ctx) => {
    ctx.body = await setPoolRules(sequelize, crmCallerOf(ctx), validate(poolRulesSchema, ctx.request.body));
  });
  router.get('/customer-pools/customers', requirePermission('customer.read'), async (ctx) => {
    ctx.body = await listPoolCustomers(sequelize, callerOf(ctx).access, validate(poolCustomersQuery, ctx.query));
  });
  // The recycle sweep now (it also runs every hour): who may set the rules may run them.
  router.post('/customer-pools/recycle', requirePermission('customer.transfer'), async (ctx) => {
    ctx.body = await recycleDue(sequelize);
  });
  router.get('/customers/:id/pool', requirePermission('customer.read'), async (ctx) => {
    ctx.body = { pool: await poolStatusOf(sequelize, callerOf(ctx).access, validate(idParam, ctx.params).id) };
  });
  router.post('/customers/:id/release', requirePermission('customer.write'), async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    const { reason } = validate(releaseSchema, ctx.request.body);
    ctx.body = await releaseCustomer(sequelize, crmCallerOf(ctx), id, reason);
  });
  router.post('/customers/:id/claim', requirePermission('customer.write'), async (ctx) => {
    ctx.body = await claimCustomer(sequelize, crmCallerOf(ctx), validate(idParam, ctx.params).id);
  });
  router.post('/customers/:id/assign', requirePermission('customer.transfer'), async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await assignFromPool(sequelize, crmCallerOf(ctx), id, validate(assignSchema, ctx.request.body).userId);
  });
  return router;
}
