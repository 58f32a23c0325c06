import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import type { Config } from '../../../config';
import { requirePermission } from '../../http/auth';
import { actorOf } from '../org/caller';
import { DomainError, payloadTooLarge, unsupportedMediaType } from '../../errors';
import { validate } from '../../http/validate';
import { CallbackCrypto, CallbackVerificationError } from '../../wecom/callback-crypto';
import { MAX_CALLBACK_XML_BYTES, type XmlObject } from '../../wecom/xml';
import { InboxWriter } from './inbox';
import { EVENT_STATUSES, eventCounts, getEvent, listEvents, retryDeadEvents, retryEvent } from './service';

const ACCEPTED_TYPES = ['text/xml', 'application/xml'];

/**
 * `GET|POST /api/wecom/callback` (server/wecom/README.md#callbacks-and-their-crypto). The POST stores the event and answers `success`
 * before anything is applied; nothing is stored unless signature, receiver and decryption check out.
 */
export function callbackRoutes(deps: {
  config: Config;
  sequelize: Sequelize;
  onEventStored?: () => void;
  /** Welcome messages leave from here, at ingest: their code lives 20 s (engagement/welcome.ts). */
  welcome?: { start(event: XmlObject, receivedAt: number): void };
}): Router {
  const crypto = new CallbackCrypto({
    token: deps.config.wecom.callbackToken,
    encodingAesKey: deps.config.wecom.callbackAesKey,
    receiveId: deps.config.wecom.corpId,
  });
  const inbox = new InboxWriter(deps.sequelize, deps.onEventStored);
  const router = new Router({ prefix: '/api/wecom/callback' });

  router.get('/', (ctx) => {
    const plaintext = openOrReject(() => crypto.verifyUrl(ctx.query as Record<string, string>));
    ctx.type = 'text/plain';
    ctx.body = plaintext;
  });

  router.post('/', async (ctx) => {
    const receivedAt = Date.now();
    const type = ctx.request.type;
    if (type && !ACCEPTED_TYPES.includes(type)) throw unsupportedMediaType('回调内容必须是 XML');
    const body = await readText(ctx, MAX_CALLBACK_XML_BYTES);
    const { xml, event } = openOrReject(() => crypto.openEvent(ctx.query as Record<string, string>, body));
    await inbox.store(xml, event);
    deps.welcome?.start(event, receivedAt);
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });

  return router;
}

function openOrReject<T>(open: () => T): T {
  try {
    return open();
  } catch (err) {
    if (err instanceof CallbackVerificationError) throw new DomainError('invalid', `callback_${err.reason}`, `回调校验失败：${err.message}`);
    throw err;
  }
}

/** Reads the raw body, refusing (413) anything over `limit` bytes without buffering it all. */
async function readText(ctx: Context, limit: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw payloadTooLarge('回调内容过大');
  // Listeners, not `for await`: an async iterator per delivery cost more than the body it reads (issue 37).
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const req = ctx.req;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      // The rest is not read: the connection closes after the 413, as with the iterator.
      req.destroy();
      reject(payloadTooLarge('回调内容过大'));
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

const listQuery = z.object({
  status: z.enum(EVENT_STATUSES).optional(),
  type: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
const idParam = z.object({ id: z.coerce.number().int().positive() });

/** `/api/admin/events`: the callback inbox for admins (server/README.md#http-contract). */
export function eventAdminRoutes(deps: { sequelize: Sequelize; onEventStored?: () => void }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/admin/events' });
  router.use(requirePermission('admin.events'));

  router.get('/', async (ctx) => {
    ctx.body = await listEvents(sequelize, validate(listQuery, ctx.query));
  });
  router.get('/stats', async (ctx) => {
    ctx.body = await eventCounts(sequelize);
  });
  router.post('/retry-dead', async (ctx) => {
    ctx.body = { retried: await retryDeadEvents(sequelize, actorOf(ctx)) };
    deps.onEventStored?.();
  });
  router.get('/:id', async (ctx) => {
    ctx.body = await getEvent(sequelize, validate(idParam, ctx.params).id);
  });
  router.post('/:id/retry', async (ctx) => {
    ctx.body = await retryEvent(sequelize, actorOf(ctx), validate(idParam, ctx.params).id);
    deps.onEventStored?.();
  });
  return router;
}
