import type { Context, Next } from 'koa';
import type { ApiErrorBody, ErrorCode, FieldIssue } from '@shared/http';
import { ZodError } from 'zod';
import { DomainError, notFound, type ErrorKind } from '../errors';
import { WecomApiError, WecomTransportError, explainWecomFailure, type WecomFailureForPeople } from '../wecom/errors';

/** The status each kind of domain error answers with (server/README.md#http-contract). */
const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported: 415,
  rate_limited: 429,
  unavailable: 503,
};

/** What a WeCom failure a person caused answers with: never a bare 500. */
const WECOM_STATUS: Record<WecomFailureForPeople['kind'], { status: number; code: ErrorCode }> = {
  busy: { status: 503, code: 'wecom_busy' },
  misconfigured: { status: 502, code: 'wecom_misconfigured' },
  gone: { status: 404, code: 'wecom_gone' },
  timeout: { status: 504, code: 'wecom_timeout' },
  failed: { status: 502, code: 'wecom_failed' },
};

export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Statuses raised by Koa and its body parsers (`ctx.throw`, http-errors) mapped to our codes. */
const HTTP_ERROR_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

/**
 * Turns every thrown error into `{error:{code,message,details?}}` (server/README.md#http-contract). Unknown errors
 * become a 500 with a generic message; their stack goes to the log, never to the client.
 */
export async function errorHandler(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    // Routers and middleware that set only a status (404, 405 from allowedMethods) get a body too.
    if (ctx.body === undefined && ctx.status >= 400) {
      if (ctx.status === 404) throw notFound(`没有这个接口：${ctx.method} ${ctx.path}`);
      throw Object.assign(new Error(), { status: ctx.status });
    }
  } catch (err) {
    const { status, body, retryAfterSeconds } = errorResponse(err);
    if (status === 500) ctx.log.error({ err }, 'request failed');
    else if (status >= 500) ctx.log.warn({ err }, 'request failed upstream');
    ctx.status = status;
    ctx.body = body;
    if (retryAfterSeconds !== undefined) ctx.set('Retry-After', String(retryAfterSeconds));
  }
}

/** What an error answers with: the whole response, or one part of a combined response. */
export function errorResponse(err: unknown): { status: number; body: ApiErrorBody; retryAfterSeconds?: number } {
  const { status, code, message, details, retryAfterSeconds } = toErrorBody(err);
  return { status, body: { error: details === undefined ? { code, message } : { code, message, details } }, retryAfterSeconds };
}

function toErrorBody(err: unknown): {
  status: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  retryAfterSeconds?: number;
} {
  if (err instanceof DomainError) {
    return { status: STATUS_OF[err.kind], code: err.code, message: err.message, details: err.details, retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof WecomApiError || err instanceof WecomTransportError) {
    const failure = explainWecomFailure(err);
    const { status, code } = WECOM_STATUS[failure.kind];
    const details = failure.errcode === undefined ? undefined : { errcode: failure.errcode };
    return { status, code, message: failure.message, details, retryAfterSeconds: failure.retryAfterSeconds };
  }
  if (err instanceof ZodError) {
    return {
      status: 400,
      code: 'validation_failed',
      message: '请求参数不正确',
      details: zodIssues(err),
    };
  }
  const httpErr = (err ?? {}) as HttpLikeError;
  const status = httpErr.status ?? httpErr.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      code: HTTP_ERROR_CODES[status] ?? 'bad_request',
      message: httpErr.expose && httpErr.message ? httpErr.message : defaultMessage(status),
    };
  }
  return { status: 500, code: 'internal', message: '服务器内部错误，请稍后重试' };
}

function defaultMessage(status: number): string {
  if (status === 413) return '请求体过大';
  if (status === 415) return '不支持的内容类型';
  return '请求无效';
}
