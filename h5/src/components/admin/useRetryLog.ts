/**
 * What the admin's two retryable logs share (the callback inbox, EventLog.vue, and the background
 * jobs, JobLog.vue): a status filter with counts, the paged rows of that status, retry of one
 * failed row and of all of them, each followed by a refresh.
 */
import type { PageOf } from '@shared/http';
import { showToast } from 'vant';
import { computed, onMounted, ref, watch, type Ref } from 'vue';
import { errorMessage } from '@/api/client';
import { usePagedList } from '@/composables/usePagedList';

/** A row of a retryable log: `dead` once it failed for good (retry puts it back). */
export interface RetryLogItem<S extends string> {
  id: number;
  status: S;
  attempts: number;
  lastError: string | null;
}

export interface RetryLogSource<T, S extends string> {
  /** The filter shown first ('' for every status). */
  status: S | '';
  /** The status of a row waiting for its turn: with attempts behind it, the worker is trying it again. */
  waiting: S;
  stats: () => Promise<Record<S, number>>;
  list: (status: S | '', page: number) => Promise<PageOf<T>>;
  retry: (id: number) => Promise<unknown>;
  retryDead: () => Promise<{ retried: number }>;
  /** The toast once one row is queued again. */
  retriedOne: string;
  /** The toast once all the failed ones are: how many, or that there were none. */
  retriedAll: (retried: number) => string;
  /** Called after one row was queued again, before the refresh (closing its detail view). */
  afterRetry?: () => void;
}

export type RetryLog<T extends RetryLogItem<S>, S extends string> = ReturnType<typeof useRetryLog<T, S>>;

export function useRetryLog<T extends RetryLogItem<S>, S extends string>(source: RetryLogSource<T, S>) {
  const status = ref(source.status) as Ref<S | ''>;
  const counts = ref<Record<S, number> | null>(null) as Ref<Record<S, number> | null>;
  const list = usePagedList<T>((page) => source.list(status.value, page));

  async function refresh(): Promise<void> {
    counts.value = await source.stats();
    await list.reload();
  }
  watch(status, () => void refresh());

  const retryingId = ref<number | null>(null);
  async function retry(id: number): Promise<void> {
    retryingId.value = id;
    try {
      await source.retry(id);
      showToast(source.retriedOne);
      source.afterRetry?.();
      await refresh();
    } catch (err) {
      showToast(errorMessage(err, '重试失败'));
    } finally {
      retryingId.value = null;
    }
  }

  const retryingAll = ref(false);
  async function retryAll(): Promise<void> {
    retryingAll.value = true;
    try {
      const { retried } = await source.retryDead();
      showToast(source.retriedAll(retried));
      await refresh();
    } catch (err) {
      showToast(errorMessage(err, '重试失败'));
    } finally {
      retryingAll.value = false;
    }
  }

  /** Failed and queued again by the worker (backoff), as opposed to waiting for its first try. */
  const retrying = (item: T) => item.status === source.waiting && item.attempts > 0;
  /** How many failed for good (the 重试全部 button's count). */
  const dead = computed(() => (counts.value as Record<string, number> | null)?.dead ?? 0);

  onMounted(refresh);
  return { status, counts, dead, list, retry, retrying, retryingId, retryAll, retryingAll };
}
