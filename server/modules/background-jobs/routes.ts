import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { JOB_STATUSES } from '@shared/jobs';
import { requirePermission } from '../../http/auth';
import { idParam, pageFields, validate } from '../../http/validate';
import type { JobWorker } from '../../jobs/jobs';
import { actorOf } from '../org/caller';
import { jobCounts, listJobs, retryDeadJobs, retryJob } from './service';

const listQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  kind: z.string().max(64).optional(),
  ...pageFields,
});

/**
 * `/api/admin/jobs`: the background jobs for admins, beside the callback inbox (same permission:
 * both are the system's work an admin watches and retries).
 */
export function jobAdminRoutes(deps: { sequelize: Sequelize; jobs: JobWorker }): Router {
  const { sequelize, jobs } = deps;
  const router = new Router({ prefix: '/api/admin/jobs' });
  router.use(requirePermission('admin.events'));

  router.get('/', async (ctx) => {
    ctx.body = await listJobs(sequelize, jobs, validate(listQuery, ctx.query));
  });
  router.get('/stats', async (ctx) => {
    ctx.body = await jobCounts(sequelize);
  });
  router.post('/retry-dead', async (ctx) => {
    ctx.body = { retried: await retryDeadJobs(sequelize, jobs, actorOf(ctx)) };
    jobs.nudge();
  });
  router.post('/:id/retry', async (ctx) => {
    ctx.body = await retryJob(sequelize, jobs, actorOf(ctx), validate(idParam, ctx.params).id);
    jobs.nudge();
  });
  return router;
}
