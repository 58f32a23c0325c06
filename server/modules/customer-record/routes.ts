import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { exportRequestSchema } from '@shared/approvals';
import { customerCreateSchema, customerFilterSchema, customerUpdateSchema, mergeSchema } from '@shared/customers';
import { CUSTOMER_SORTS } from '@shared/customer-list';
import { requirePermission } from '../../http/auth';
import { callerOf, crmCallerOf } from '../org/caller';
import { idParam, pageFields, validate } from '../../http/validate';
import { getCustomerDetail, withAum } from './detail';
import { mergeCustomers } from './merge';
import type { ExportDesk } from '../imports/export-desk';
import { sendWorkbook } from '../../http/download';
import { deleteCustomer } from './removal';
import { createCustomer, listCustomers, maskedFor, revealSensitive, updateCustomer } from '../customers/service';
import { customerTimeline } from './timeline';
import { revealContactPhone } from '../contacts/service';

const listQuery = customerFilterSchema.extend({
  ...pageFields,
  sort: z.enum(CUSTOMER_SORTS).default('updated_desc'),
});
/** A customer's phone or ID number, or (`contactPhone` with `contactId`) one of its contacts' phones. */
const revealSchema = z.discriminatedUnion('field', [
  z.object({ field: z.enum(['phone', 'idNumber'], '只能查看手机号或证件号码') }),
  z.object({ field: z.literal('contactPhone'), contactId: z.number().int().positive('请指定联系人') }),
]);
const exportFilter = listQuery.omit({ page: true, pageSize: true });
/** `full=1`: phones and ID numbers whole — always an approval first. */
const exportQuery = exportFilter.extend({ full: z.enum(['0', '1']).optional() });

export function customerRoutes(deps: { sequelize: Sequelize; exports: ExportDesk }): Router {
  const { sequelize, exports } = deps;
  const router = new Router({ prefix: '/api/customers' });
  const read = requirePermission('customer.read');
  const write = requirePermission('customer.write');

  router.get('/', read, async (ctx) => {
    const { access } = callerOf(ctx);
    const page = await listCustomers(sequelize, access, validate(listQuery, ctx.query));
    ctx.body = { ...page, items: (await withAum(sequelize, page.items)).map((c) => maskedFor(access, c)) };
  });
  router.post('/', write, async (ctx) => {
    ctx.status = 201;
    ctx.body = await createCustomer(sequelize, crmCallerOf(ctx), validate(customerCreateSchema, ctx.request.body));
  });
  // Before `/:id`: the same filters as the list, every page of them.
  router.get('/export.xlsx', read, requirePermission('customer.export'), async (ctx) => {
    const { full, ...filter } = validate(exportQuery, ctx.query);
    const file = await exports.exportNow(crmCallerOf(ctx), 'customers', filter, full === '1');
    sendWorkbook(ctx, file.fileName, file.body);
  });
  // An export that needs approval (server/README.md#customer-data-exports): 202 with the request.
  router.post('/export-requests', read, requirePermission('customer.export'), async (ctx) => {
    const { filter, full, reason } = validate(exportRequestSchema, ctx.request.body);
    ctx.status = 202;
    ctx.body = await exports.request(crmCallerOf(ctx), 'customers', validate(exportFilter, filter), full, reason);
  });
  router.get('/:id', read, async (ctx) => {
    const { access } = callerOf(ctx);
    ctx.body = maskedFor(access, await getCustomerDetail(sequelize, access, validate(idParam, ctx.params).id));
  });
  // A masked phone or ID number, whole: a click on the page, audited (customer.view_sensitive holders see them whole anyway).
  router.post('/:id/reveal', read, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    const body = validate(revealSchema, ctx.request.body);
    ctx.body =
      body.field === 'contactPhone'
        ? await revealContactPhone(sequelize, crmCallerOf(ctx), id, body.contactId)
        : await revealSensitive(sequelize, crmCallerOf(ctx), id, body.field);
  });
  router.get('/:id/timeline', read, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await customerTimeline(sequelize, callerOf(ctx).access, id, validate(z.object(pageFields), ctx.query));
  });
  router.post('/:id/merge', requirePermission('customer.merge'), async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await mergeCustomers(sequelize, crmCallerOf(ctx), id, validate(mergeSchema, ctx.request.body).sourceIds);
  });
  router.patch('/:id', write, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await updateCustomer(sequelize, crmCallerOf(ctx), id, validate(customerUpdateSchema, ctx.request.body));
  });
  router.delete('/:id', write, async (ctx) => {
    await deleteCustomer(sequelize, crmCallerOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });
  return router;
}
