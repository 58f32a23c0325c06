import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { transferBookSchema, transferCustomersSchema, transferListQuerySchema, transferResolveSchema } from '@shared/transfers';
import { requirePermission } from '../../http/auth';
import { idParam, validate } from '../../http/validate';
import type { JobWorker } from '../../jobs/jobs';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { callerOf, crmCallerOf } from '../org/caller';
import { listTransfers, resolveTransfer, transferBook, transferCustomers, transfersOfCustomer } from './service';
import { unassignedQueue } from './unassigned';

export function transferRoutes(deps: { sequelize: Sequelize; wecom: WecomClient; logger: Logger; jobs: JobWorker }): Router {
  const { sequelize, wecom, logger, jobs } = deps;
  const router = new Router();
  const may = requirePermission('customer.transfer');

  const transfer = async (ctx: Context) => {
    ctx.body = await transferCustomers(sequelize, crmCallerOf(ctx), validate(transferCustomersSchema, ctx.request.body));
    jobs.nudge(); // the WeCom calls start now, not at the next poll
  };
  router.post('/api/transfers', may, transfer);
  // The first API's path, kept for existing clients.
  router.post('/api/customers/transfer', may, transfer);
  router.post('/api/transfers/book', may, async (ctx) => {
    ctx.body = await transferBook(sequelize, crmCallerOf(ctx), validate(transferBookSchema, ctx.request.body));
    jobs.nudge();
  });
  router.get('/api/transfers', may, async (ctx) => {
    ctx.body = { items: await listTransfers(sequelize, callerOf(ctx).access, validate(transferListQuerySchema, ctx.query)) };
  });
  router.get('/api/transfers/unassigned', may, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await unassignedQueue(sequelize, wecom, logger, callerOf(ctx).access);
  });
  // The customer page: where this customer's handovers stand, for whoever sees the customer.
  router.get('/api/customers/:id/transfers', requirePermission('customer.read'), async (ctx) => {
    ctx.body = { items: await transfersOfCustomer(sequelize, callerOf(ctx).access, validate(idParam, ctx.params).id) };
  });
  router.post('/api/transfers/:id/resolve', may, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = { items: await resolveTransfer(sequelize, crmCallerOf(ctx), id, validate(transferResolveSchema, ctx.request.body)) };
    jobs.nudge();
  });
  return router;
}
