import Router from '@koa/router';
import { z } from 'zod';
import { requirePermission } from '../../http/auth';
import { idParam, pageFields, validate } from '../../http/validate';
import type { Sequelize } from 'sequelize';
import { NOTIFICATION_STATUSES } from '@shared/notifications';
import { actorOf, callerOf } from '../org/caller';
import { listNotifications, retryNotification } from './outbox';
import type { ReminderScheduler } from './scheduler';
import { upcomingFor } from './upcoming';

const listQuery = z.object({ status: z.enum(NOTIFICATION_STATUSES).optional(), ...pageFields });

export function reminderRoutes(deps: { sequelize: Sequelize; reminders: ReminderScheduler }): Router {
  const router = new Router();
  const admin = requirePermission('settings.manage');

  // The workbench's 近期到期: expiring assessments and maturing holdings of the caller's customers.
  router.get('/api/reminders/upcoming', requirePermission('customer.read'), async (ctx) => {
    ctx.body = await upcomingFor(deps.sequelize, callerOf(ctx).access);
  });

  // Today's digest now — still once per China day, like the scheduled run — then send what is due.
  router.post('/api/admin/reminders/run', admin, async (ctx) => {
    ctx.body = await deps.reminders.runNow();
  });

  router.get('/api/admin/notifications', admin, async (ctx) => {
    ctx.body = await listNotifications(deps.sequelize, validate(listQuery, ctx.query));
  });

  // A message that failed for good (its attempts spent, or WeCom refused it) is sent again.
  router.post('/api/admin/notifications/:id/retry', admin, async (ctx) => {
    ctx.body = await retryNotification(deps.sequelize, actorOf(ctx), validate(idParam, ctx.params).id);
  });

  return router;
}
