import type { z } from 'zod';
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
