/**
 * The JSON request body (`ctx.request.body`), read by @koa/bodyparser up to 1 MB; a body it
 * cannot read is answered in Chinese like every other error at the edge.
 */
import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { DomainError, payloadTooLarge, unsupportedMediaType } from '../errors';

/** The largest JSON body read (the refusal below names it). */
export const JSON_BODY_LIMIT = '1mb';

export function jsonBody(): Middleware {
  return bodyParser({ enableTypes: ['json'], jsonLimit: JSON_BODY_LIMIT, onError: refuseUnreadableBody });
}

/**
 * A JSON body the parser cannot read: too big (413), an encoding we do not inflate (415),
 * anything else — bad JSON, a `Content-Encoding: gzip` body that is not gzip (a zlib error
 * without a status: it answered 500) — a 400.
 */
function refuseUnreadableBody(err: Error): never {
  const status = (err as { status?: number }).status;
  if (status === 413) throw payloadTooLarge('请求内容过大（JSON 不能超过 1 MB）');
  if (status === 415) throw unsupportedMediaType('不支持的请求内容编码');
  throw new DomainError('invalid', 'bad_request', '请求内容不是有效的 JSON');
}
