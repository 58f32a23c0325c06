import Router from '@koa/router';
import { requirePermission } from '../../http/auth';
import { sendWorkbook } from '../../http/download';
import { idParam, validate } from '../../http/validate';
import { crmCallerOf } from '../org/caller';
import type { ExportDesk } from './export-desk';

/**
 * `/api/exports` (server/README.md#customer-data-exports): the corp's export policy for the list
 * pages, and an approved export's file for its requester. The exports themselves start on each
 * list (`/api/customers/export.xlsx`, `…/export-requests`; partners likewise).
 */
export function exportRoutes(deps: { exports: ExportDesk }): Router {
  const router = new Router({ prefix: '/api/exports' });
  router.use(requirePermission('customer.export'));

  router.get('/policy', async (ctx) => {
    ctx.body = await deps.exports.policy();
  });
  router.get('/:id.xlsx', async (ctx) => {
    const file = await deps.exports.download(crmCallerOf(ctx), validate(idParam, ctx.params).id);
    sendWorkbook(ctx, file.fileName, file.body);
  });
  return router;
}
