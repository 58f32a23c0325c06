import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { dateOnly } from '@shared/fields';
import { TRADE_KINDS, tradeInputSchema, type TradeKind } from '@shared/ledger';
import { requirePermission } from '../../http/auth';
import { idParam, pageFields, validate } from '../../http/validate';
import { callerOf, crmCallerOf } from '../org/caller';
import type { SuitabilityExceptionDoor } from './exceptions';
import { customerFromBody, inLedgerTransaction, voidTrade, writeTrade } from './ledger';
import { ledgerMigrationReport, listTrades, loadVisibleTrade, tradeViews } from './reads';

const id = z.coerce.number().int().positive().optional();
/** The filters of a trade list (`GET /api/trades`, and `GET /api/sales` — the buys — without `kind`). */
export const tradeFilterQuery = z
  .object({
    ...pageFields,
    customerId: id,
    productId: id,
    repUserId: id,
    departmentId: id,
    partnerId: id,
    kind: z.enum(Object.keys(TRADE_KINDS) as [TradeKind, ...TradeKind[]]).optional(),
    channel: z.enum(['direct', 'consignment']).optional(),
    from: dateOnly.optional(),
    to: dateOnly.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '开始日期不能晚于结束日期', path: ['from'] });

/** The trade ledger: every kind of trade, listed and recorded (`/api/sales` and `/holding-records` are doors into the same). */
export function tradeRoutes(deps: { sequelize: Sequelize; exceptions?: SuitabilityExceptionDoor }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/trades' });

  router.get('/', requirePermission('sales.read'), async (ctx) => {
    ctx.body = await listTrades(sequelize, callerOf(ctx).access, validate(tradeFilterQuery, ctx.query));
  });
  // What migration 0027 could not simply pair (legacy sales without a buy, buys without a sale…), for a person to check.
  router.get('/migration-report', requirePermission('audit.read'), async (ctx) => {
    ctx.body = await ledgerMigrationReport(sequelize, validate(z.object(pageFields), ctx.query));
  });
  router.post('/', requirePermission('customer.write'), async (ctx) => {
    const caller = crmCallerOf(ctx);
    const input = validate(tradeInputSchema, ctx.request.body);
    if (deps.exceptions?.wants(caller, input)) {
      // A rep's suitability exception: a pending approval (202), or the buy at once when it suits after all.
      const outcome = await deps.exceptions.request(caller, input);
      if ('pending' in outcome) {
        ctx.status = 202;
        ctx.body = outcome.pending;
        return;
      }
      ctx.status = 201;
      ctx.body = (await tradeViews(sequelize, [outcome.trade]))[0];
      return;
    }
    const { trade } = await inLedgerTransaction(sequelize, (transaction) => writeTrade(sequelize, caller, input, transaction)).catch(customerFromBody);
    ctx.status = 201;
    ctx.body = (await tradeViews(sequelize, [trade]))[0];
  });
  router.post('/:id/void', requirePermission('customer.write'), async (ctx) => {
    const caller = crmCallerOf(ctx);
    const trade = await loadVisibleTrade(sequelize, caller.access, validate(idParam, ctx.params).id);
    await inLedgerTransaction(sequelize, (transaction) => voidTrade(sequelize, caller, trade, transaction));
    ctx.status = 204;
  });
  return router;
}
