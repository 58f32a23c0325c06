import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { actorOf, requirePermission } from '../../http/auth';
import { notFound } from '../../http/errors';
import { validate } from '../../http/validate';
import { startOrgSync, type OrgSyncDeps } from './sync';
import { getSyncRun, latestSyncRun, listSyncRuns } from './sync-runs';

const idParam = z.object({ id: z.coerce.number().int().positive() });

export function orgRoutes(deps: OrgSyncDeps & { onBackgroundTask?: (task: Promise<unknown>) => void }): Router {
  const sequelize: Sequelize = deps.sequelize;
  const router = new Router({ prefix: '/api/admin/sync/org' });
  router.use(requirePermission('org.sync'));

  router.post('/', async (ctx) => {
    const { run, done } = await startOrgSync(deps, actorOf(ctx));
    deps.onBackgroundTask?.(done);
    ctx.status = 202;
    ctx.body = { id: run.id, status: run.status };
  });

  router.get('/', async (ctx) => {
    ctx.body = { items: await listSyncRuns(sequelize, 'org') };
  });

  router.get('/latest', async (ctx) => {
    const run = await latestSyncRun(sequelize, 'org');
    if (!run) throw notFound('还没有同步记录');
    ctx.body = run;
  });

  router.get('/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await getSyncRun(sequelize, 'org', id);
  });

  return router;
}
