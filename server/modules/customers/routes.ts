import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { customerCreateSchema, customerUpdateSchema } from '@shared/customers';
import { actorOf, callerOf, requirePermission } from '../../http/auth';
import { validate } from '../../http/validate';
import { createCustomer, deleteCustomer, getCustomer, listCustomers, transferCustomers, updateCustomer, type Caller } from './service';

const idParam = z.object({ id: z.coerce.number().int().positive() });
const listQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  keyword: z.string().trim().max(64).optional(),
  ownerUserId: z.coerce.number().int().positive().optional(),
  departmentId: z.coerce.number().int().positive().optional(),
  lifecycleStage: z.string().max(32).optional(),
  level: z.string().max(32).optional(),
  source: z.string().max(32).optional(),
  followUp: z.enum(['due', 'overdue']).optional(),
  noFollowUpDays: z.coerce.number().int().min(1).max(3650).optional(),
  sort: z.enum(['updated_desc', 'created_desc', 'next_follow_up_asc', 'name_asc']).default('updated_desc'),
});
const transferBody = z.object({
  customerIds: z.array(z.number().int().positive()).min(1).max(500),
  toUserId: z.number().int().positive(),
});

function callerFrom(ctx: Context): Caller {
  const { user, access } = callerOf(ctx);
  return { access, actor: actorOf(ctx), mainDepartmentId: user.main_department_id };
}

export function customerRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/customers' });
  const read = requirePermission('customer.read');
  const write = requirePermission('customer.write');

  router.get('/', read, async (ctx) => {
    ctx.body = await listCustomers(sequelize, callerOf(ctx).access, validate(listQuery, ctx.query));
  });
  router.post('/', write, async (ctx) => {
    ctx.status = 201;
    ctx.body = await createCustomer(sequelize, callerFrom(ctx), validate(customerCreateSchema, ctx.request.body));
  });
  router.post('/transfer', requirePermission('customer.transfer'), async (ctx) => {
    const { customerIds, toUserId } = validate(transferBody, ctx.request.body);
    ctx.body = await transferCustomers(sequelize, callerFrom(ctx), customerIds, toUserId);
  });
  router.get('/:id', read, async (ctx) => {
    ctx.body = await getCustomer(sequelize, callerOf(ctx).access, validate(idParam, ctx.params).id);
  });
  router.patch('/:id', write, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await updateCustomer(sequelize, callerFrom(ctx), id, validate(customerUpdateSchema, ctx.request.body));
  });
  router.delete('/:id', write, async (ctx) => {
    await deleteCustomer(sequelize, callerFrom(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });
  return router;
}
