/**
 * Domain errors: what went wrong, in the product's terms, with a message a person may read
 * (Chinese) and a machine code. Services throw these; only the HTTP edge (http/errors.ts) turns
 * a `kind` into a status, so a service never speaks HTTP and a CLI or a job can read the same
 * error without a Koa context.
 */
import type { ErrorCode } from '@shared/http';
import { PERMISSIONS, type Permission } from '@shared/permissions';

export type { ErrorCode };

export type ErrorKind =
  /** The input is wrong: `details` name the fields. */
  | 'invalid'
  /** Nobody is logged in, or the session is over. */
  | 'unauthenticated'
  /** The caller may not do this. */
  | 'forbidden'
  /** No such record — or none the caller may know of. */
  | 'not_found'
  /** The record changed meanwhile, is already on file, or the request clashes with its state. */
  | 'conflict'
  /** It was there and is no more (a download past its window). */
  | 'gone'
  | 'too_large'
  | 'unsupported'
  /** Too many requests from this caller: try again after `retryAfterSeconds`. */
  | 'rate_limited'
  /** A dependency (the database, WeCom) cannot serve now. */
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** For `rate_limited` / `unavailable`: when trying again makes sense (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export interface FieldIssue {
  field: string;
  message: string;
}

export const validationFailed = (message: string, details?: unknown) => new DomainError('invalid', 'validation_failed', message, details);
/** One bad field, as a form shows it. */
export const invalidField = (field: string, message: string) => validationFailed('请求参数不正确', [{ field, message }] satisfies FieldIssue[]);
export const unauthorized = (message = '未登录或登录已过期') => new DomainError('unauthenticated', 'unauthorized', message);
export const forbidden = (message = '没有权限执行此操作', code: ErrorCode = 'forbidden') => new DomainError('forbidden', code, message);
/** The caller lacks a permission: named in Chinese, as the role editor names it. */
export const missingPermission = (permission: Permission) => forbidden(`没有「${PERMISSIONS[permission]}」权限，请联系管理员开通`);
export const notFound = (message = '资源不存在', details?: unknown) => new DomainError('not_found', 'not_found', message, details);
export const conflict = (message: string, details?: unknown) => new DomainError('conflict', 'conflict', message, details);
/** The record is already on file (details carry `existingId` when the caller may see it). */
export const duplicate = (message: string, details?: unknown) => new DomainError('conflict', 'duplicate', message, details);
export const payloadTooLarge = (message: string) => new DomainError('too_large', 'payload_too_large', message);
/** The caller spent their budget; `message` says so in Chinese and when to try again. */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new DomainError('rate_limited', 'too_many_requests', message, { retryAfterSeconds }, retryAfterSeconds);
export const unsupportedMediaType = (message: string) => new DomainError('unsupported', 'unsupported_media_type', message);

/**
 * For `.catch` on a lookup: its "no such row" (`not_found`) becomes `replacement()` — a form's field
 * error, say — and every other failure (a lost database connection, a bug) stays what it is.
 */
export const whenNotFound =
  (replacement: () => DomainError) =>
  (err: unknown): never => {
    if (err instanceof DomainError && err.kind === 'not_found') throw replacement();
    throw err;
  };
