import Router from '@koa/router';
import { sendWorkbook } from '../../http/download';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { exportRequestSchema } from '@shared/approvals';
import { partnerCreateSchema, partnerUpdateSchema } from '@shared/partners';
import { requirePermission } from '../../http/auth';
import { callerOf, crmCallerOf } from '../org/caller';
import { idParam, pageFields, validate } from '../../http/validate';
import type { Caller } from '../roles/ownership';
import { createPartner, deletePartner, getPartnerDetail, listPartners, updatePartner, type PartnerListQuery } from './service';

const listQuery = z.object({
  ...pageFields,
  keyword: z.string().trim().max(64).optional(),
  type: z.string().max(32).optional(),
  status: z.string().max(32).optional(),
  ownerUserId: z.coerce.number().int().positive().optional(),
  departmentId: z.coerce.number().int().positive().optional(),
  followUp: z.enum(['due', 'overdue']).optional(),
  sort: z.enum(['updated_desc', 'name_asc', 'next_follow_up_asc']).default('updated_desc'),
});

/** The list's filters, every page of them: what the export of the imports module reads. */
export type PartnerExportFilter = Omit<PartnerListQuery, 'page' | 'pageSize'>;

const exportFilter = listQuery.omit({ page: true, pageSize: true });
/** `full=1`: phones whole — always an approval first. */
const exportQuery = exportFilter.extend({ full: z.enum(['0', '1']).optional() });

/**
 * `exportPartners` and `requestPartnerExport` are the imports module's export desk (imports read
 * and write partners, so partners do not import them back): app.ts hands them in.
 */
export function partnerRoutes(deps: {
  sequelize: Sequelize;
  exportPartners: (caller: Caller, filter: PartnerExportFilter, full: boolean) => Promise<{ fileName: string; body: Buffer }>;
  requestPartnerExport: (caller: Caller, filter: PartnerExportFilter, full: boolean, reason: string) => Promise<unknown>;
}): Router {
  const { sequelize, exportPartners, requestPartnerExport } = deps;
  const router = new Router({ prefix: '/api/partners' });
  const read = requirePermission('partner.read');
  const write = requirePermission('partner.write');

  router.get('/', read, async (ctx) => {
    ctx.body = await listPartners(sequelize, callerOf(ctx).access, validate(listQuery, ctx.query));
  });
  router.get('/export.xlsx', read, requirePermission('customer.export'), async (ctx) => {
    const { full, ...filter } = validate(exportQuery, ctx.query);
    const file = await exportPartners(crmCallerOf(ctx), filter, full === '1');
    sendWorkbook(ctx, file.fileName, file.body);
  });
  router.post('/export-requests', read, requirePermission('customer.export'), async (ctx) => {
    const { filter, full, reason } = validate(exportRequestSchema, ctx.request.body);
    ctx.status = 202;
    ctx.body = await requestPartnerExport(crmCallerOf(ctx), validate(exportFilter, filter), full, reason);
  });
  router.post('/', write, async (ctx) => {
    ctx.status = 201;
    ctx.body = await createPartner(sequelize, crmCallerOf(ctx), validate(partnerCreateSchema, ctx.request.body));
  });
  router.get('/:id', read, async (ctx) => {
    ctx.body = await getPartnerDetail(sequelize, callerOf(ctx).access, validate(idParam, ctx.params).id);
  });
  router.patch('/:id', write, async (ctx) => {
    ctx.body = await updatePartner(sequelize, crmCallerOf(ctx), validate(idParam, ctx.params).id, validate(partnerUpdateSchema, ctx.request.body));
  });
  router.delete('/:id', write, async (ctx) => {
    await deletePartner(sequelize, crmCallerOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });
  return router;
}
