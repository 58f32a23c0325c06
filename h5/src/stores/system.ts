import type { MetaResponse } from '@shared/http';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, errorMessage } from '@/api/client';

/** Facts about the running server the shell shows before any login: version and WeCom mode. */
export const useSystemStore = defineStore('system', () => {
  const meta = ref<MetaResponse | null>(null);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      meta.value = await api.get<MetaResponse>('/api/meta');
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err, '无法连接服务器');
    }
  }

  return { meta, error, load };
});
