/**
 * A form's errors, keyed by field (`_`: the form's own line). The rules are the server's: a form
 * checks what it is about to send with the very zod schema the route validates with (from
 * `@shared/…`, messages from the shared Chinese locale shared/zod-zh.ts), so every problem shows
 * next to its field at once, before the request, and the H5 can never refuse what the server takes.
 *
 * The schema comes through `load` (a dynamic `import('@shared/…')`): zod stays out of the chunks
 * a page paints with (above all the sidebar's first paint) and arrives on the first check.
 */
import { watch, type Ref } from 'vue';
import type { ZodType } from 'zod';
import { ApiError } from '@/api/client';

export type FieldErrors = Record<string, string>;

/** A form's own words for a field's problem: a text, or one chosen by the value sent (undefined: the schema's). */
export type Wording = Record<string, string | ((value: unknown) => string | undefined)>;

/**
 * Every field's first problem with `body` under `schema`; empty when it passes. A problem inside a
 * field (an object's part) is the field's own, unless `paths`: then it is named as the server names
 * it (`attachment.title`), for a form that shows the parts as fields. `wording` words a field's
 * problem the form's own way (a picker's "请选择…" where the schema only says it is empty).
 */
export async function schemaErrors(load: () => Promise<ZodType>, body: object, wording: Wording = {}, options: { paths?: boolean } = {}): Promise<FieldErrors> {
  const result = (await load()).safeParse(body);
  if (result.success) return {};
  const found: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = !issue.path.length ? '_' : options.paths ? issue.path.map(String).join('.') : String(issue.path[0]);
    const own = wording[field];
    found[field] ??= (typeof own === 'function' ? own((body as Record<string, unknown>)[field]) : own) ?? issue.message;
  }
  return found;
}

/**
 * A form's errors from a failed save: the server's field issues under their field names and its
 * message under `_` (the form-level line); `fallback` under `_` when the server never answered.
 */
export function formErrors(err: unknown, fallback: string): FieldErrors {
  return err instanceof ApiError ? { ...err.fieldErrors, _: err.message } : { _: fallback };
}

/**
 * The form-level line (`_`) when no field shows a message of its own (`fields`: the ones the form
 * shows errors under), null otherwise: a failure the fields already explain is not said twice.
 */
export function formLevelError(errors: FieldErrors, fields: readonly string[]): string | null {
  return errors._ && !fields.some((k) => errors[k]) ? errors._ : null;
}

/**
 * Messages that go as their field is fixed: when a field showing a message changes, the form is
 * checked again (`recheck`: the save's own check) and that field's message goes, or says its new
 * problem; the other fields keep theirs until they change or the next save. `fields`: the form's
 * values by field name (the names its errors use).
 */
export function clearWhenFixed(errors: Ref<FieldErrors>, fields: () => Record<string, unknown>, recheck: () => Promise<FieldErrors>): void {
  let before = { ...fields() };
  let run = 0;
  watch(
    () => ({ ...fields() }),
    async (now) => {
      const changed = Object.keys(now).filter((k) => now[k] !== before[k] && errors.value[k] !== undefined);
      before = now;
      if (!changed.length) return;
      const mine = ++run;
      const found = await recheck();
      if (mine !== run) return;
      const next = { ...errors.value };
      for (const k of changed) {
        if (found[k]) next[k] = found[k];
        else delete next[k];
      }
      errors.value = next;
    },
  );
}
