import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { contactCreateSchema, contactUpdateSchema } from '@shared/customers';
import { requirePermission } from '../../http/auth';
import { callerOf, crmCallerOf } from '../org/caller';
import { validate } from '../../http/validate';
import { addContact, deleteContact, getContact, listContacts, updateContact } from './service';

const customerParam = z.object({ customerId: z.coerce.number().int().positive() });
const contactParam = customerParam.extend({ contactId: z.coerce.number().int().positive() });

export function contactRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/customers/:customerId/contacts' });
  const read = requirePermission('customer.read');
  const write = requirePermission('customer.write');

  router.get('/', read, async (ctx) => {
    ctx.body = await listContacts(sequelize, callerOf(ctx).access, validate(customerParam, ctx.params).customerId);
  });
  router.post('/', write, async (ctx) => {
    const { customerId } = validate(customerParam, ctx.params);
    ctx.status = 201;
    ctx.body = await addContact(sequelize, crmCallerOf(ctx), customerId, validate(contactCreateSchema, ctx.request.body));
  });
  router.get('/:contactId', read, async (ctx) => {
    const { customerId, contactId } = validate(contactParam, ctx.params);
    ctx.body = await getContact(sequelize, callerOf(ctx).access, customerId, contactId);
  });
  router.patch('/:contactId', write, async (ctx) => {
    const { customerId, contactId } = validate(contactParam, ctx.params);
    ctx.body = await updateContact(sequelize, crmCallerOf(ctx), customerId, contactId, validate(contactUpdateSchema, ctx.request.body));
  });
  router.delete('/:contactId', write, async (ctx) => {
    const { customerId, contactId } = validate(contactParam, ctx.params);
    await deleteContact(sequelize, crmCallerOf(ctx), customerId, contactId);
    ctx.status = 204;
  });
  return router;
}
