import { z } from 'zod';
import { CONTROL_CHARACTER_MESSAGE, CONTROL_CHARACTERS_EXCEPT_LAYOUT } from '@shared/fields';
import type { FieldIssue } from '@shared/http';
import { validationFailed } from '../errors';
import { zodIssues } from './errors';

/**
 * Parses `input` with `schema`; a failure becomes a 400 whose details name each bad field.
 * Route handlers call this on `ctx.query`, `ctx.params` and `ctx.request.body`. Before the schema,
 * whatever it says of the field, every string is checked once for every route: no control
 * characters (long text keeps tab and line breaks; the shared field schemas are stricter for
 * single-line fields) and no lone UTF-16 surrogate (JSON's `"\ud800"` is valid JSON but no text:
 * MariaDB refuses it and SQLite stores garbage). Nesting deeper than any form of ours is refused
 * too, so neither this walk nor zod's recursion can overflow the stack.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const issues = unreadableInputIssues(input);
  if (issues.length) throw validationFailed('请求参数不正确', issues);
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed('请求参数不正确', zodIssues(result.error));
  return result.data;
}

/** Deeper than any body of ours (a sale with its lines is 3 levels); an attacker's `[[[[…` is thousands. */
export const MAX_INPUT_DEPTH = 16;
/** A high surrogate not followed by a low one, or a low one without its high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_MESSAGE = '包含无法识别的字符（不完整的 Unicode 编码）';
const TOO_DEEP_MESSAGE = `嵌套层级过深（最多 ${MAX_INPUT_DEPTH} 层）`;

/** One walk over the input, iterative (an explicit stack, so the input's depth never becomes ours). */
function unreadableInputIssues(input: unknown): FieldIssue[] {
  const out: FieldIssue[] = [];
  const pending: { value: unknown; path: string[] }[] = [{ value: input, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path } = next;
    const field = path.join('.') || '(root)';
    if (typeof value === 'string') {
      if (CONTROL_CHARACTERS_EXCEPT_LAYOUT.test(value)) out.push({ field, message: CONTROL_CHARACTER_MESSAGE });
      else if (LONE_SURROGATE.test(value)) out.push({ field, message: LONE_SURROGATE_MESSAGE });
    } else if (value !== null && typeof value === 'object') {
      if (path.length >= MAX_INPUT_DEPTH) {
        out.push({ field, message: TOO_DEEP_MESSAGE });
        continue;
      }
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      // Pushed in reverse so fields are reported in the order they were sent.
      for (let i = entries.length - 1; i >= 0; i--) pending.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
    }
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
