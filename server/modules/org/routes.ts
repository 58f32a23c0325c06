import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { callerOf, requireUser } from '../../http/auth';
import { departmentsInScope } from './service';

export function orgRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/org' });

  router.get('/departments', requireUser, async (ctx) => {
    ctx.body = { items: await departmentsInScope(sequelize, callerOf(ctx).access) };
  });
  return router;
}
