import { z } from 'zod';
import { normalizePhone } from '@shared/phone';
import { badRequest, zodIssues } from './errors';

/**
 * Parses `input` with `schema`; a failure becomes a 400 whose details name each bad field.
 * Route handlers call this on `ctx.query`, `ctx.params` and `ctx.request.body`.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw badRequest('请求参数不正确', zodIssues(result.error));
  return result.data;
}

/** `:id` route parameters. */
export const idParam = z.object({ id: z.coerce.number().int().positive() });

/** `page` / `pageSize` of every list endpoint (DESIGN §4). */
export const pageFields = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};

export interface PageRequest {
  page: number;
  pageSize: number;
}

export const pageWindow = (p: PageRequest) => ({ limit: p.pageSize, offset: (p.page - 1) * p.pageSize });

/** A LIKE pattern matching `keyword` anywhere, with LIKE's wildcards escaped. */
export const containsPattern = (keyword: string) => `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A phone as stored: normalised (see normalizePhone), or a 400 naming `field`. */
export function phoneField(raw: string | null | undefined, field = 'phone'): string | null | undefined {
  if (raw === undefined || raw === null) return raw;
  const phone = normalizePhone(raw);
  if (!phone) throw badRequest('请求参数不正确', [{ field, message: '手机号格式不正确' }]);
  return phone;
}
