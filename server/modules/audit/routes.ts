import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { auditFilterSchema } from '@shared/compliance';
import { requirePermission } from '../../http/auth';
import { validate } from '../../http/validate';
import { listAuditLogs } from './service';

const auditQuery = auditFilterSchema.extend({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export function auditRoutes(deps: { sequelize: Sequelize }): Router {
  const router = new Router({ prefix: '/api/admin/audit-logs' });
  router.get('/', requirePermission('audit.read'), async (ctx) => {
    ctx.body = await listAuditLogs(deps.sequelize, validate(auditQuery, ctx.query));
  });
  return router;
}
