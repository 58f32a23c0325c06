/**
 * Infinite scroll over a paginated endpoint (`PageOf<T>`): `loadMore` for Vant's `<van-list>`,
 * `reset` when the filter changes (`reload` to load its first page again at once). A stale answer (the filter changed meanwhile) is dropped.
 */
import type { PageOf } from '@shared/http';
import { ref, shallowRef, watch } from 'vue';
import { errorMessage } from '@/api/client';

/** A paged list's state and actions, as `usePagedList` gives them (what the kit's `<PagedList>` takes). */
export type PagedList<T> = ReturnType<typeof usePagedList<T>>;

export function usePagedList<T>(fetchPage: (page: number) => Promise<PageOf<T>>) {
  const items = shallowRef<T[]>([]);
  const total = ref<number | null>(null);
  const loading = ref(false);
  const finished = ref(false);
  const error = ref<string | null>(null);
  /** The server's page size (from its last answer): the desktop table pages by it. */
  const pageSize = ref<number | null>(null);
  /** Counts the resets (a new filter): the desktop table goes back to its first page on each. */
  const generationRef = ref(0);
  let page = 0;
  let generation = 0;
  let inflight: Promise<void> | null = null;

  /** One page at a time: a second call while a page loads (the list's own scroll trigger and an
   * explicit reload racing) waits for that page instead of fetching it twice. */
  function loadMore(): Promise<void> {
    if (inflight) return inflight;
    const current: Promise<void> = fetchNext().finally(() => {
      if (inflight === current) inflight = null;
    });
    inflight = current;
    return current;
  }

  async function fetchNext(): Promise<void> {
    const mine = generation;
    loading.value = true;
    try {
      const result = await fetchPage(page + 1);
      if (mine !== generation) return;
      page = result.page;
      pageSize.value = result.pageSize;
      items.value = [...items.value, ...result.items];
      total.value = result.total;
      finished.value = items.value.length >= result.total || result.items.length === 0;
      error.value = null;
    } catch (err) {
      if (mine !== generation) return;
      error.value = errorMessage(err, '加载失败，点击重试');
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  function reset(): void {
    generation++;
    generationRef.value = generation;
    inflight = null;
    page = 0;
    items.value = [];
    total.value = null;
    finished.value = false;
    error.value = null;
    loading.value = false;
  }

  /** Back to the first page and load it again: a new filter, or the rows changed under the list. */
  function reload(): Promise<void> {
    reset();
    return loadMore();
  }

  /** The failed page was tapped: the list asks again (Vant's `<van-list>` loads once its error is gone). */
  function clearError(): void {
    error.value = null;
  }

  // fetchPage: the desktop table (components/desk) asks for page N itself, with the list's filter.
  return { items, total, loading, finished, error, loadMore, reset, reload, clearError, pageSize, generation: generationRef, fetchPage };
}

/**
 * A list the page loads whole (an endpoint without pages) as a `PagedList`, for the desktop
 * table: one page holding all of `rows`, loaded again whenever `rows` changes.
 */
export function useWholeList<T>(rows: () => T[] | null) {
  const list = usePagedList<T>(async () => {
    const items = rows() ?? [];
    return { items, total: items.length, page: 1, pageSize: Math.max(items.length, 1) };
  });
  watch(rows, () => {
    list.reset();
    if (rows()) void list.loadMore();
  });
  return list;
}
