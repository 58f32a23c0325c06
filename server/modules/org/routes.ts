import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { requireUser } from '../../http/auth';
import { callerOf } from '../org/caller';
import { validate } from '../../http/validate';
import { colleaguesInScope, departmentsInScope } from './service';

const colleagueQuery = z.object({
  keyword: z.string().trim().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export function orgRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/org' });

  router.get('/departments', requireUser, async (ctx) => {
    ctx.body = { items: await departmentsInScope(sequelize, callerOf(ctx).access) };
  });
  router.get('/users', requireUser, async (ctx) => {
    ctx.body = { items: await colleaguesInScope(sequelize, callerOf(ctx).access, validate(colleagueQuery, ctx.query)) };
  });
  return router;
}
