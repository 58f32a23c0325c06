import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { DICTIONARY_TYPE_CODES } from '@shared/dictionaries';
import { requirePermission, requireUser } from '../../http/auth';
import { actorOf } from '../org/caller';
import { validate } from '../../http/validate';
import { addDictionaryValue, listDictionaries, updateDictionaryValue } from './service';

const typeParam = z.object({ type: z.enum(DICTIONARY_TYPE_CODES) });
const codeParam = typeParam.extend({ code: z.string().min(1).max(64) });
const addBody = z.object({
  /** Optional: the H5 adds by name and the server makes the code (nextCustomCode); an integrator may set its own. */
  code: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, '编码只能包含小写字母、数字和下划线，且以字母开头')
    .optional(),
  label: z.string().trim().min(1).max(64),
  sortOrder: z.number().int().min(0).max(1_000_000).optional(),
  probability: z.number().int().min(0).max(100).optional(),
});
const patchBody = z
  .object({
    label: z.string().trim().min(1).max(64),
    sortOrder: z.number().int().min(0).max(1_000_000),
    enabled: z.boolean(),
    /** 商机阶段 only (shared/opportunities.ts): the forecast's weight in percent. */
    probability: z.number().int().min(0).max(100),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, '至少修改一项');

export function dictionaryRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api' });

  // Every logged-in user needs the labels to show records and fill forms.
  router.get('/dictionaries', requireUser, async (ctx) => {
    ctx.body = await listDictionaries(sequelize);
  });

  router.post('/admin/dictionaries/:type', requirePermission('dictionary.manage'), async (ctx) => {
    const { type } = validate(typeParam, ctx.params);
    ctx.status = 201;
    ctx.body = await addDictionaryValue(sequelize, actorOf(ctx), type, validate(addBody, ctx.request.body));
  });

  router.patch('/admin/dictionaries/:type/:code', requirePermission('dictionary.manage'), async (ctx) => {
    const { type, code } = validate(codeParam, ctx.params);
    ctx.body = await updateDictionaryValue(sequelize, actorOf(ctx), type, code, validate(patchBody, ctx.request.body));
  });

  return router;
}
