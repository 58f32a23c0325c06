import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import type { PageOf } from '@shared/http';
import type { ProductHolderView } from '@shared/ledger';
import type { PageRequest } from '../../db/paging';
import type { Access } from '../roles/access';
import { dateOnly } from '@shared/fields';
import { PRODUCT_STATUSES, navEntrySchema, navsPutSchema, productCreateSchema, productUpdateSchema, type ProductStatus } from '@shared/products';
import { requirePermission } from '../../http/auth';
import { actorOf, callerOf } from '../org/caller';
import { idParam, pageFields, validate } from '../../http/validate';
import { createProduct, getProduct, listProducts, putNavs, updateProduct } from './service';
import { listNavHistory, listStaleNavProducts, saveNav } from './navs';

const listQuery = z.object({
  ...pageFields,
  keyword: z.string().trim().max(64).optional(),
  category: z.string().max(32).optional(),
  status: z.enum(Object.keys(PRODUCT_STATUSES) as [ProductStatus, ...ProductStatus[]]).optional(),
});

/** NAV history: a page, optionally within a range of days (a chart asks for a year at once). */
const navHistoryQuery = z
  .object({
    page: pageFields.page,
    pageSize: z.coerce.number().int().min(1).max(1000).default(100),
    from: dateOnly.optional(),
    to: dateOnly.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '开始日期不能晚于结束日期', path: ['from'] });

/**
 * `holdersOfProduct` is the trade ledger's read (trades import products, so products do not import
 * them back): app.ts hands it in.
 */
export function productRoutes(deps: {
  sequelize: Sequelize;
  holdersOfProduct: (sequelize: Sequelize, access: Access, productId: number, page: PageRequest) => Promise<PageOf<ProductHolderView>>;
}): Router {
  const { sequelize, holdersOfProduct } = deps;
  const router = new Router({ prefix: '/api/products' });
  const read = requirePermission('product.read');
  const manage = requirePermission('product.manage');

  router.get('/', read, async (ctx) => {
    ctx.body = await listProducts(sequelize, validate(listQuery, ctx.query));
  });
  router.post('/', manage, async (ctx) => {
    ctx.status = 201;
    ctx.body = await createProduct(sequelize, actorOf(ctx), validate(productCreateSchema, ctx.request.body));
  });
  // Products whose NAV is overdue (shared/products.ts navFreshness), for the admin home.
  router.get('/stale-navs', read, async (ctx) => {
    const items = await listStaleNavProducts(sequelize);
    ctx.body = { items, total: items.length };
  });
  router.get('/:id', read, async (ctx) => {
    ctx.body = await getProduct(sequelize, validate(idParam, ctx.params).id);
  });
  router.patch('/:id', manage, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await updateProduct(sequelize, actorOf(ctx), id, validate(productUpdateSchema, ctx.request.body));
  });
  router.get('/:id/navs', read, async (ctx) => {
    ctx.body = await listNavHistory(sequelize, validate(idParam, ctx.params).id, validate(navHistoryQuery, ctx.query));
  });
  // Adds a day, or corrects one on file (audited with its values before and after).
  router.post('/:id/navs', manage, async (ctx) => {
    const saved = await saveNav(sequelize, actorOf(ctx), validate(idParam, ctx.params).id, validate(navEntrySchema, ctx.request.body));
    ctx.status = saved.change === 'created' ? 201 : 200;
    ctx.body = saved;
  });
  router.put('/:id/navs', manage, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = { items: await putNavs(sequelize, actorOf(ctx), id, validate(navsPutSchema, ctx.request.body).items) };
  });
  // Who holds it: customers in the caller's scope only.
  router.get('/:id/holders', read, requirePermission('customer.read'), async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await holdersOfProduct(sequelize, callerOf(ctx).access, id, validate(z.object(pageFields), ctx.query));
  });
  return router;
}
