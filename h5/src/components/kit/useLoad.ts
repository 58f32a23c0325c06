/**
 * A page's load: `run` fetches and puts what came where the page keeps it; a failure leaves
 * `error` (the server's message, or `fallback`) for the page's retry screen, a success clears it.
 */
import { ref } from 'vue';
import { errorMessage } from '@/api/client';

export function useLoad(run: () => Promise<void>, fallback = '加载失败，请重试') {
  const error = ref<string | null>(null);
  async function load(): Promise<void> {
    try {
      await run();
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err, fallback);
    }
  }
  return { error, load };
}
