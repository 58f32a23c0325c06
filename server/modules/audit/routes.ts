import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { instant } from '@shared/fields';
import { requirePermission } from '../../http/auth';
import { validate } from '../../http/validate';
import { listAuditLogs } from './service';

const auditQuery = z.object({
  action: z.string().max(64).optional(),
  actionPrefix: z.string().max(64).optional(),
  entity: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  actorUserId: z.coerce.number().int().positive().optional(),
  since: instant.optional(),
  until: instant.optional(),
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
