import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { followUpCreateSchema, followUpPatchSchema, myFollowUpsQuerySchema } from '@shared/follow-ups';
import type { Permission } from '@shared/permissions';
import { requirePermission } from '../../http/auth';
import { callerOf, crmCallerOf } from '../org/caller';
import { pageFields, validate } from '../../http/validate';
import { addFollowUp, deleteFollowUp, listFollowUps, listMyFollowUps, updateFollowUp, type FollowUpSubject } from './service';

const subjectParam = z.object({ subjectId: z.coerce.number().int().positive() });
const followUpParam = subjectParam.extend({ followUpId: z.coerce.number().int().positive() });
const pageQuery = z.object(pageFields);

/** `/api/customers/:id/follow-ups` or `/api/partners/:id/follow-ups`, with that resource's permissions. */
export function followUpRoutes(deps: {
  sequelize: Sequelize;
  prefix: '/api/customers' | '/api/partners';
  subject: FollowUpSubject;
  permissions: { read: Permission; write: Permission };
}): Router {
  const { sequelize, subject } = deps;
  const router = new Router({ prefix: `${deps.prefix}/:subjectId/follow-ups` });
  const read = requirePermission(deps.permissions.read);
  const write = requirePermission(deps.permissions.write);

  router.get('/', read, async (ctx) => {
    const { subjectId } = validate(subjectParam, ctx.params);
    ctx.body = await listFollowUps(sequelize, subject, callerOf(ctx).access, subjectId, validate(pageQuery, ctx.query));
  });
  router.post('/', write, async (ctx) => {
    const { subjectId } = validate(subjectParam, ctx.params);
    ctx.status = 201;
    ctx.body = await addFollowUp(sequelize, subject, callerOf(ctx).access, subjectId, validate(followUpCreateSchema, ctx.request.body));
  });
  router.delete('/:followUpId', write, async (ctx) => {
    const { subjectId, followUpId } = validate(followUpParam, ctx.params);
    await deleteFollowUp(sequelize, subject, crmCallerOf(ctx), subjectId, followUpId);
    ctx.status = 204;
  });
  router.patch('/:followUpId', write, async (ctx) => {
    const { subjectId, followUpId } = validate(followUpParam, ctx.params);
    ctx.body = await updateFollowUp(sequelize, subject, crmCallerOf(ctx), subjectId, followUpId, validate(followUpPatchSchema, ctx.request.body));
  });
  return router;
}

/** `GET /api/follow-ups/mine?kind=done|planned&from&to`: 我的跟进 and its calendar. */
export function myFollowUpRoutes(deps: { sequelize: Sequelize }): Router {
  const router = new Router({ prefix: '/api/follow-ups' });
  router.get('/mine', requirePermission('customer.read'), async (ctx) => {
    ctx.body = await listMyFollowUps(deps.sequelize, callerOf(ctx).user.id, validate(myFollowUpsQuerySchema, ctx.query));
  });
  return router;
}
