import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { ALL_PERMISSIONS, DATA_SCOPES, type RoleGrantCode } from '@shared/permissions';
import { listDepartmentRoles, setDepartmentRole } from '../roles/department-roles';
import { requirePermission } from '../../http/auth';
import { actorOf, callerOf } from './caller';
import { notFound } from '../../errors';
import { idParam, pageFields, validate } from '../../http/validate';
import { findUserById, usersWithRoles } from './service';
import { createRole, listRoles, setUserRoles, updateRole } from '../roles/service';

const permissionList = z.array(z.enum(['*', ...ALL_PERMISSIONS] as [RoleGrantCode, ...RoleGrantCode[]])).max(64);
const roleBody = z.object({
  /** Optional: without one the server makes it from the name (理财经理 → `r-lcjl`). */
  code: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{1,63}$/, '编码只能包含小写字母、数字、- 和 _')
    .optional(),
  name: z.string().trim().min(1, '请填写角色名称').max(64),
  dataScope: z.enum(DATA_SCOPES),
  permissions: permissionList,
});
const rolePatch = roleBody.omit({ code: true }).partial();
const userQuery = z.object({ keyword: z.string().trim().max(64).optional(), ...pageFields });
const departmentRoleBody = z.object({ roleCode: z.string().min(1).max(64).nullable() });
const userRolesBody = z.object({ roles: z.array(z.string()).min(1, '至少保留一个角色').max(20) });
export function roleRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/admin' });
  router.use(requirePermission('role.manage'));

  router.get('/roles', async (ctx) => {
    ctx.body = { items: await listRoles(sequelize) };
  });

  router.post('/roles', async (ctx) => {
    const input = validate(roleBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createRole(sequelize, actorOf(ctx), input as Parameters<typeof createRole>[2], callerOf(ctx).access);
  });

  router.patch('/roles/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    const patch = validate(rolePatch, ctx.request.body);
    ctx.body = await updateRole(sequelize, actorOf(ctx), id, patch as Parameters<typeof updateRole>[3], callerOf(ctx).access);
  });

  router.get('/department-roles', async (ctx) => {
    ctx.body = { items: await listDepartmentRoles(sequelize) };
  });
  router.put('/department-roles/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    const { roleCode } = validate(departmentRoleBody, ctx.request.body);
    ctx.body = { items: await setDepartmentRole(sequelize, actorOf(ctx), id, roleCode, callerOf(ctx).access) };
  });

  router.get('/users', async (ctx) => {
    ctx.body = await usersWithRoles(sequelize, validate(userQuery, ctx.query));
  });

  router.put('/users/:id/roles', async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    const { roles } = validate(userRolesBody, ctx.request.body);
    if (!(await findUserById(sequelize, id))) throw notFound('用户不存在');
    ctx.body = { items: await setUserRoles(sequelize, actorOf(ctx), id, roles, callerOf(ctx).access) };
  });

  return router;
}
