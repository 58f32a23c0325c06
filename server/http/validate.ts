import { z } from 'zod';
import { CONTROL_CHARACTER_MESSAGE, CONTROL_CHARACTERS_EXCEPT_LAYOUT } from '@shared/fields';
import type { FieldIssue } from '@shared/http';
import { validationFailed } from '../errors';
import { zodIssues } from './errors';

/**
 * Parses `input` with `schema`; a failure becomes a 400 whose details name each bad field.
 * Route handlers call this on `ctx.query`, `ctx.params` and `ctx.request.body`. Control
 * characters are refused in every string first, whatever the schema says of the field (long text
 * keeps tab and line breaks; the shared field schemas are stricter for single-line fields).
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const control = controlCharacterIssues(input);
  if (control.length) throw validationFailed('请求参数不正确', control);
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed('请求参数不正确', zodIssues(result.error));
  return result.data;
}

function controlCharacterIssues(value: unknown, path: string[] = [], out: FieldIssue[] = []): FieldIssue[] {
  if (typeof value === 'string') {
    if (CONTROL_CHARACTERS_EXCEPT_LAYOUT.test(value)) out.push({ field: path.join('.') || '(root)', message: CONTROL_CHARACTER_MESSAGE });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => controlCharacterIssues(v, [...path, String(i)], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) controlCharacterIssues(v, [...path, k], out);
  }
  return out;
}

/** `:id` route parameters. */
export const idParam = z.object({ id: z.coerce.number().int().positive() });

/** `page` / `pageSize` of every list endpoint (DESIGN §4). */
export const pageFields = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};
