import type { MeResponse, Permission } from '@shared/permissions';
import { isWecomUserAgent } from '@shared/wecom-webview';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, errorMessage } from '@/api/client';
import { sidebarBoot } from '@/boot';

/** The logged-in user, their roles, data scope and permissions (from /api/me). */
export const useSessionStore = defineStore('session', () => {
  const me = ref<MeResponse | null>(null);
  const error = ref<string | null>(null);
  let loading: Promise<void> | null = null;

  /** Loads /api/me once; a 401 is handled by the API client (it starts the WeCom login). */
  function ensure(): Promise<void> {
    if (me.value) return Promise.resolve();
    loading ??= sidebarBoot()
      .then(async (boot) => boot?.me ?? api.get<MeResponse>('/api/me'))
      .then((value) => {
        me.value = value;
        error.value = null;
      })
      .catch((err: unknown) => {
        error.value = errorMessage(err, '无法获取登录信息');
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  }

  /** Prefer `useCan()` (composables/useCan.ts) in pages: `can('customer.write')` in the template. */
  const can = (permission: Permission) => computed(() => me.value?.permissions.includes(permission) ?? false);

  /** Holds the permission, or any one of a list. */
  const holdsAny = (wanted: Permission | readonly Permission[]) =>
    (typeof wanted === 'string' ? [wanted] : wanted).some((p) => me.value?.permissions.includes(p) ?? false);

  async function logout(): Promise<void> {
    await api.post('/api/auth/logout');
    me.value = null;
  }

  return { me, error, ensure, can, holdsAny, logout };
});

/** Where the browser goes to log in, returning to `path` afterwards. */
export function loginUrl(path: string): string {
  const desktop = !isWecomUserAgent(navigator.userAgent) && !/mobile/i.test(navigator.userAgent);
  const entry = desktop ? '/api/auth/wecom/qr' : '/api/auth/wecom/authorize';
  return `${entry}?redirect=${encodeURIComponent(path)}`;
}
