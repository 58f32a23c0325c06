import Router from '@koa/router';
import { z } from 'zod';
import { requirePermission } from '../../http/auth';
import { pageFields, validate } from '../../http/validate';
import type { Sequelize } from 'sequelize';
import { NOTIFICATION_STATUSES } from '@shared/notifications';
import { listNotifications } from './outbox';
import type { ReminderScheduler } from './scheduler';

const listQuery = z.object({ status: z.enum(NOTIFICATION_STATUSES).optional(), ...pageFields });

export function reminderRoutes(deps: { sequelize: Sequelize; reminders: ReminderScheduler }): Router {
  const router = new Router({ prefix: '/api/admin' });
  router.use(requirePermission('settings.manage'));

  // Today's digest now — still once per China day, like the scheduled run — then send what is due.
  router.post('/reminders/run', async (ctx) => {
    ctx.body = await deps.reminders.runNow();
  });

  router.get('/notifications', async (ctx) => {
    ctx.body = await listNotifications(deps.sequelize, validate(listQuery, ctx.query));
  });

  return router;
}
