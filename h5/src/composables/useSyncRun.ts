/**
 * One kind of sync (org, external contacts): its latest run and history, a start action, and
 * polling once a second while a run is in progress.
 */
import type { SyncRunJson } from '@shared/sync';
import { onBeforeUnmount, ref } from 'vue';
import { ApiError, api, errorMessage } from '@/api/client';

const POLL_MS = 1_000;

export function useSyncRun(path: 'org' | 'external-contacts') {
  const latest = ref<SyncRunJson | null>(null);
  const history = ref<SyncRunJson[]>([]);
  const error = ref<string | null>(null);
  const starting = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function refresh(): Promise<void> {
    try {
      history.value = (await api.get<{ items: SyncRunJson[] }>(`/api/admin/sync/${path}`)).items;
      latest.value = history.value[0] ?? null;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err, '加载失败');
    }
    if (latest.value?.status === 'running') timer = setTimeout(() => void refresh(), POLL_MS);
  }

  async function start(): Promise<void> {
    starting.value = true;
    try {
      await api.post(`/api/admin/sync/${path}`);
    } catch (err) {
      // 409: one is already running — show it rather than fail.
      if (!(err instanceof ApiError && err.status === 409)) error.value = errorMessage(err, '启动失败');
    } finally {
      starting.value = false;
    }
    clearTimeout(timer);
    await refresh();
  }

  onBeforeUnmount(() => clearTimeout(timer));
  return { latest, history, error, starting, refresh, start };
}
