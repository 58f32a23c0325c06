/**
 * The sidebar's state: find out which chat we are in (JS-SDK or dev shim), load its card, and
 * reload after every action. Every failure ends in a message that says what to do.
 */
import type { GroupChatView, SidebarCard } from '@shared/sidebar';
import { ref, shallowRef } from 'vue';
import { ApiError } from '@/api/client';
import { sidebarApi } from '@/api/sidebar';
import { takeBootCard } from '@/boot';
import { cardErrorText } from '@/components/sidebar/card-texts';
import { createBridge, WecomBridgeError, type SidebarEntry, type WecomBridge } from '@/wecom/bridge';

export type SidebarState =
  | { status: 'loading' }
  | { status: 'contact'; card: SidebarCard }
  | { status: 'group'; group: GroupChatView }
  | { status: 'elsewhere' }
  | { status: 'error'; message: string; retry: boolean };

function messageOf(err: unknown): { message: string; retry: boolean } {
  if (err instanceof WecomBridgeError) return { message: err.message, retry: err.kind === 'unavailable' };
  if (err instanceof ApiError) {
    return cardErrorText(err.status, err.message);
  }
  return { message: '加载失败，请检查网络后重试', retry: true };
}

export function useSidebar() {
  const state = ref<SidebarState>({ status: 'loading' });
  const bridge = shallowRef<WecomBridge | null>(null);
  const entry = ref<SidebarEntry | null>(null);

  async function load(): Promise<void> {
    state.value = { status: 'loading' };
    try {
      bridge.value ??= await createBridge();
      entry.value = await bridge.value.resolveEntry();
      await refresh();
    } catch (err) {
      state.value = { status: 'error', ...messageOf(err) };
    }
  }

  /** Reloads the current card without the skeleton (after an action). */
  async function refresh(): Promise<void> {
    const current = entry.value;
    if (!current || current.kind === 'elsewhere') {
      state.value = { status: 'elsewhere' };
      return;
    }
    try {
      state.value =
        current.kind === 'contact'
          ? { status: 'contact', card: (await takeBootCard(current.externalUserId)) ?? (await sidebarApi.card(current.externalUserId)) }
          : { status: 'group', group: await sidebarApi.group(current.chatId) };
    } catch (err) {
      state.value = { status: 'error', ...messageOf(err) };
    }
  }

  return { state, bridge, entry, load, refresh };
}
