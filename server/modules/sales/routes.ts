import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { saleCreateSchema, saleUpdateSchema } from '@shared/sales';
import { requirePermission } from '../../http/auth';
import { callerOf, crmCallerOf } from '../org/caller';
import { idParam, validate } from '../../http/validate';
import type { SuitabilityExceptionDoor } from '../trades/exceptions';
import { tradeFilterQuery } from '../trades/routes';
import { deleteSale, getSale, listSales, submitSale, updateSale } from './service';

/** `exceptions`: where a rep's suitability exception goes (an approval request, wired in app.ts); without it every override needs the permission. */
export function saleRoutes(deps: { sequelize: Sequelize; exceptions?: SuitabilityExceptionDoor }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/sales' });
  const read = requirePermission('sales.read');
  const write = requirePermission('sales.write');

  router.get('/', read, async (ctx) => {
    const { kind: _sales, ...filters } = validate(tradeFilterQuery, ctx.query);
    ctx.body = await listSales(sequelize, callerOf(ctx).access, filters);
  });
  router.post('/', write, async (ctx) => {
    const outcome = await submitSale(sequelize, crmCallerOf(ctx), validate(saleCreateSchema, ctx.request.body), deps.exceptions);
    // 202: the sale waits for approval (a suitability exception) and is no sale yet.
    ctx.status = 'pending' in outcome ? 202 : 201;
    ctx.body = 'pending' in outcome ? outcome.pending : outcome.sale;
  });
  router.get('/:id', read, async (ctx) => {
    ctx.body = await getSale(sequelize, callerOf(ctx).access, validate(idParam, ctx.params).id);
  });
  router.patch('/:id', write, async (ctx) => {
    const { id: saleId } = validate(idParam, ctx.params);
    ctx.body = await updateSale(sequelize, crmCallerOf(ctx), saleId, validate(saleUpdateSchema, ctx.request.body));
  });
  router.delete('/:id', write, async (ctx) => {
    await deleteSale(sequelize, crmCallerOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });
  return router;
}
