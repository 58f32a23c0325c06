import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { requirePermission } from '../../http/auth';
import { actorOf } from '../org/caller';
import { notFound } from '../../errors';
import { validate } from '../../http/validate';
import type { Actor } from '../audit/service';
import type { SyncKind } from '../sync-runs/models';
import { getSyncRun, latestSyncRun, listSyncRuns } from '../sync-runs/service';
import type { StartedSync } from '../sync-runs/runner';

const idParam = z.object({ id: z.coerce.number().int().positive() });

/**
 * `POST /api/admin/sync/<path>` starts a run (202 `{id, status}`, 409 while one runs);
 * `GET …/latest`, `GET …/:id` report progress; `GET …` lists recent runs.
 */
export function syncRoutes(deps: {
  sequelize: Sequelize;
  kind: SyncKind;
  path: string;
  start: (actor: Actor) => Promise<StartedSync>;
  onBackgroundTask?: (task: Promise<unknown>) => void;
}): Router {
  const { sequelize, kind } = deps;
  const router = new Router({ prefix: `/api/admin/sync/${deps.path}` });
  router.use(requirePermission('org.sync'));

  router.post('/', async (ctx) => {
    const { run, done } = await deps.start(actorOf(ctx));
    deps.onBackgroundTask?.(done);
    ctx.status = 202;
    ctx.body = { id: run.id, status: run.status };
  });

  router.get('/', async (ctx) => {
    ctx.body = { items: await listSyncRuns(sequelize, kind) };
  });

  router.get('/latest', async (ctx) => {
    const run = await latestSyncRun(sequelize, kind);
    if (!run) throw notFound('还没有同步记录');
    ctx.body = run;
  });

  router.get('/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await getSyncRun(sequelize, kind, id);
  });

  return router;
}
