/**
 * A paged list searched by keyword: `list` asks `fetchPage` with the keyword as typed (trimmed,
 * undefined when empty); `search` starts it again from the first page. With `typing` the list
 * follows the typing, that many ms after the last key; a change of one of `filters` (the page's
 * dropdowns) searches at once; with `immediate` its first page loads when the page mounts (a page
 * that sets its filter first loads it itself).
 */
import type { PageOf } from '@shared/http';
import { onMounted, ref, watch, type WatchSource } from 'vue';
import { usePagedList } from '@/composables/usePagedList';

export function usePagedSearch<T>(
  fetchPage: (keyword: string | undefined, page: number) => Promise<PageOf<T>>,
  options: { typing?: number; filters?: WatchSource[]; immediate?: boolean } = {},
) {
  const keyword = ref('');
  const list = usePagedList<T>((page) => fetchPage(keyword.value.trim() || undefined, page));
  let timer: ReturnType<typeof setTimeout> | undefined;

  function search(): void {
    clearTimeout(timer);
    void list.reload();
  }
  if (options.typing !== undefined) {
    const delay = options.typing;
    watch(keyword, () => {
      clearTimeout(timer);
      timer = setTimeout(search, delay);
    });
  }
  if (options.filters) watch(options.filters, search);
  if (options.immediate) onMounted(() => void list.loadMore());
  return { keyword, list, search };
}
