import type { DictionariesResponse, DictionaryType } from '@shared/dictionaries';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '@/api/client';
import { sidebarBoot } from '@/boot';

/** Controlled values and their Chinese labels, loaded once per visit. */
export const useDictionaryStore = defineStore('dictionaries', () => {
  const values = ref<DictionariesResponse | null>(null);
  let loading: Promise<void> | null = null;

  function ensure(): Promise<void> {
    if (values.value) return Promise.resolve();
    loading ??= sidebarBoot()
      .then(async (boot) => boot?.dictionaries ?? api.get<DictionariesResponse>('/api/dictionaries'))
      .then((v) => {
        values.value = v;
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  }

  /** After an admin changed a value: forget and load again. */
  function reload(): Promise<void> {
    values.value = null;
    return ensure();
  }

  const label = (type: DictionaryType, code: string | null | undefined): string =>
    (code && values.value?.[type].find((v) => v.code === code)?.label) || code || '';

  /** Enabled values of a type, in order: the options of a picker. */
  const options = (type: DictionaryType) => (values.value?.[type] ?? []).filter((v) => v.enabled);

  return { values, ensure, reload, label, options };
});
