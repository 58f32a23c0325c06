/**
 * One import job followed to its end: started from a file (a dry run first), committed or resumed,
 * polled once a second while it runs.
 */
import type { ImportJobView, ImportKind, ImportMode } from '@shared/imports';
import { onBeforeUnmount, ref } from 'vue';
import { errorMessage } from '@/api/client';
import { importsApi } from '@/api/imports';

const POLL_MS = 1_000;

export function useImportJob() {
  const job = ref<ImportJobView | null>(null);
  const error = ref<string | null>(null);
  const busy = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const running = (j: ImportJobView | null) => j?.status === 'queued' || j?.status === 'running';

  async function follow(id: number): Promise<void> {
    clearTimeout(timer);
    try {
      job.value = await importsApi.job(id);
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err, '获取导入进度失败');
    }
    if (running(job.value)) timer = setTimeout(() => void follow(id), POLL_MS);
  }

  async function act(start: () => Promise<ImportJobView>): Promise<void> {
    busy.value = true;
    error.value = null;
    try {
      const started = await start();
      job.value = started;
      await follow(started.id);
    } catch (err) {
      error.value = errorMessage(err, '操作失败，请重试');
    } finally {
      busy.value = false;
    }
  }

  const checkFile = (kind: ImportKind, mode: ImportMode, file: File) => act(() => importsApi.start(kind, mode, true, file));
  const commit = () => act(() => importsApi.commit(job.value!.id));
  const resume = (id: number) => act(() => importsApi.resume(id));
  function reset(): void {
    clearTimeout(timer);
    job.value = null;
    error.value = null;
  }

  onBeforeUnmount(() => clearTimeout(timer));
  return { job, error, busy, running, checkFile, commit, resume, follow, reset };
}
