/**
 * A search as the user types: `find(keyword)` runs `delay` ms after the last key (at once on
 * `run`), its answer in `result`, a failure in `error` (the server's message, or `fallback`); the
 * answer to an older keyword, arriving late, is dropped. `restart` when the search opens again.
 */
import { ref, watch, type Ref } from 'vue';
import { errorMessage } from '@/api/client';

/** A search as `useSearch` gives it (what the kit's `<SearchSheet>` takes). */
export type Search<T> = ReturnType<typeof useSearch<T>>;

export function useSearch<T>(find: (keyword: string) => Promise<T>, options: { delay: number; fallback?: string }) {
  const keyword = ref('');
  const result = ref(null) as Ref<T | null>;
  const error = ref<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;

  async function run(): Promise<void> {
    const mine = ++generation;
    try {
      const found = await find(keyword.value.trim());
      if (mine !== generation) return;
      result.value = found;
      error.value = null;
    } catch (err) {
      if (mine === generation) error.value = errorMessage(err, options.fallback ?? '加载失败，请重试');
    }
  }
  watch(keyword, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), options.delay);
  });

  /** From the start: no keyword, nothing found yet, and a first search. */
  function restart(): void {
    keyword.value = '';
    result.value = null;
    void run();
  }

  return { keyword, result, error, run, restart };
}
