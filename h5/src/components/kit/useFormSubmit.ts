import { ref } from 'vue';
import { formErrors, type FieldErrors } from './form-errors';

/**
 * The save of a form (a FormSheet's `@save`): its field `errors` and `saving` flag, and `submit`,
 * which first checks the body (schemaErrors: a field error stops it, nothing is sent), then runs
 * `send` (the call and what follows it: toast, close, emit) with `saving` on; a refusal becomes the
 * fields' errors, or the form's own with `failed` as the fallback, and is what `submit` resolves to
 * (undefined when nothing was refused), for a form that adds to what the error says.
 */
export function useFormSubmit() {
  const errors = ref<FieldErrors>({});
  const saving = ref(false);
  async function submit(check: Promise<FieldErrors> | FieldErrors, send: () => Promise<void>, failed = '保存失败，请重试'): Promise<unknown> {
    errors.value = await check;
    if (Object.keys(errors.value).length) return undefined;
    saving.value = true;
    try {
      await send();
      return undefined;
    } catch (err) {
      errors.value = formErrors(err, failed);
      return err;
    } finally {
      saving.value = false;
    }
  }
  return { errors, saving, submit };
}
