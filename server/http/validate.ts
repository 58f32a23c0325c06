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
 * MariaDB refuses it, SQLite's driver mangles it: a 500 on both). Nesting deeper than any form of
 * ours is refused too, so neither this walk nor zod's recursion can overflow the stack.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const issues = unreadableInputIssues(input);
  if (issues.length) throw validationFailed('请求参数不正确', issues);
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed('请求参数不正确', zodIssues(result.error));
  return result.data;
}

/** Deeper than any body of ours (a few levels at most); an attacker's `[[[[…` is thousands. */
export const MAX_INPUT_DEPTH = 16;
/** A high surrogate not followed by a low one, or a low one without its high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_MESSAGE = '包含无法识别的字符（不完整的 Unicode 编码）';
const TOO_DEEP_MESSAGE = `嵌套层级过深（最多 ${MAX_INPUT_DEPTH} 层）`;

/** A container met in the walk: where it sits, so a field is named only when it has an issue. */
interface Container {
  value: object;
  parent: Container | null;
  key: string;
  depth: number;
}

const fieldOf = (at: Container | null, key?: string): string => {
  const path = key === undefined ? [] : [key];
  for (let node = at; node?.parent; node = node.parent) path.unshift(node.key);
  return path.join('.') || '(root)';
};

/**
 * One walk over the input, iterative (an explicit stack, so the input's depth never becomes
 * ours), touching each value once and allocating only for containers: a 1 MB array of numbers
 * costs a few milliseconds.
 */
function unreadableInputIssues(input: unknown): FieldIssue[] {
  const out: FieldIssue[] = [];
  const check = (value: unknown, at: Container | null, key: string | undefined, depth: number, pending: Container[]) => {
    if (typeof value === 'string') {
      if (CONTROL_CHARACTERS_EXCEPT_LAYOUT.test(value)) out.push({ field: fieldOf(at, key), message: CONTROL_CHARACTER_MESSAGE });
      else if (LONE_SURROGATE.test(value)) out.push({ field: fieldOf(at, key), message: LONE_SURROGATE_MESSAGE });
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_INPUT_DEPTH) out.push({ field: fieldOf(at, key), message: TOO_DEEP_MESSAGE });
      else pending.push({ value, parent: at, key: key ?? '', depth });
    }
  };
  const pending: Container[] = [];
  check(input, null, undefined, 0, pending);
  for (let node = pending.pop(); node; node = pending.pop()) {
    // Containers are pushed in reverse, so they are walked in the order they were sent.
    const children: Container[] = [];
    if (Array.isArray(node.value)) node.value.forEach((v, i) => check(v, node, String(i), node.depth + 1, children));
    else for (const [k, v] of Object.entries(node.value)) check(v, node, k, node.depth + 1, children);
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
  return out;
}

/** `:id` route parameters. */
export const idParam = z.object({ id: z.coerce.number().int().positive() });

/** `page` / `pageSize` of every list endpoint (server/README.md#http-contract). */
export const pageFields = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};
