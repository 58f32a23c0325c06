import Router from '@koa/router';
import { z } from 'zod';
import { massMessageCreateSchema, massPreviewSchema, segmentSchema } from '@shared/mass-messages';
import { requireUser } from '../../http/auth';
import { readUploadedFile } from '../../http/multipart';
import { payloadTooLarge } from '../../errors';
import { FILE_MAX_BYTES } from '../engagement/media';
import { idParam, pageFields, validate } from '../../http/validate';
import { callerOf, crmCallerOf } from '../org/caller';
import type { MassMessageService } from './service';

const listQuery = z.object(pageFields);
const detailQuery = z.object({ refresh: z.enum(['0', '1']).optional() });

/**
 * 客户群发 over HTTP (server/README.md#客户群发). Creating, previewing and following a 群发 needs
 * `mass_message.manage` (the service checks); a rep reads their own 待发送 and the messages they send.
 */
export function massMessageRoutes(deps: { massMessages: MassMessageService }): Router {
  const { massMessages } = deps;
  const router = new Router();

  router.get('/api/mass-messages', requireUser, async (ctx) => {
    ctx.body = await massMessages.list(callerOf(ctx).access, validate(listQuery, ctx.query));
  });
  router.post('/api/mass-messages', requireUser, async (ctx) => {
    ctx.status = 201;
    ctx.body = await massMessages.create(crmCallerOf(ctx), validate(massMessageCreateSchema, ctx.request.body));
  });
  router.post('/api/mass-messages/preview', requireUser, async (ctx) => {
    ctx.body = await massMessages.preview(crmCallerOf(ctx), validate(massPreviewSchema, ctx.request.body));
  });
  router.post('/api/mass-messages/media', requireUser, async (ctx) => {
    massMessages.mayUpload(callerOf(ctx).access);
    const file = await readUploadedFile(ctx, 'file', FILE_MAX_BYTES, () => payloadTooLarge('文件不能超过 10 MB'));
    ctx.status = 201;
    ctx.body = await massMessages.upload(crmCallerOf(ctx), file);
  });
  router.get('/api/mass-messages/pending', requireUser, async (ctx) => {
    ctx.body = { items: await massMessages.pending(callerOf(ctx).access) };
  });
  router.get('/api/mass-messages/report', requireUser, async (ctx) => {
    ctx.body = { items: await massMessages.report(callerOf(ctx).access) };
  });
  router.get('/api/mass-messages/:id', requireUser, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    // Results are read back from WeCom on request (93338); the page asks with refresh=1.
    ctx.body = await massMessages.get(callerOf(ctx).access, id, { refresh: validate(detailQuery, ctx.query).refresh === '1' });
  });
  router.post('/api/mass-messages/:id/cancel', requireUser, async (ctx) => {
    ctx.body = await massMessages.cancel(crmCallerOf(ctx), validate(idParam, ctx.params).id);
  });
  router.post('/api/mass-messages/:id/remind', requireUser, async (ctx) => {
    ctx.body = await massMessages.remind(crmCallerOf(ctx), validate(idParam, ctx.params).id);
  });
  router.post('/api/mass-messages/:id/dispatch', requireUser, async (ctx) => {
    ctx.body = await massMessages.retryDispatch(crmCallerOf(ctx), validate(idParam, ctx.params).id);
  });

  router.get('/api/mass-segments', requireUser, async (ctx) => {
    ctx.body = { items: await massMessages.segments(callerOf(ctx).access) };
  });
  router.post('/api/mass-segments', requireUser, async (ctx) => {
    ctx.status = 201;
    ctx.body = await massMessages.saveSegment(crmCallerOf(ctx), validate(segmentSchema, ctx.request.body));
  });
  router.delete('/api/mass-segments/:id', requireUser, async (ctx) => {
    await massMessages.deleteSegment(crmCallerOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });
  return router;
}
