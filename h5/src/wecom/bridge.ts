/**
 * Where the sidebar was opened, and for whom: inside WeCom the JS-SDK says (`ww.getContext`,
 * `getCurExternalContact`, `getCurExternalChat`); in a plain browser against the simulator a dev
 * shim stands in, reading the "current chat" from a picker bar. The shim is compiled in only when
 * `__WECOM_DEV_SHIM__` is on (every build except `--mode live`) and used only when the server
 * says it runs the simulator.
 */
import type { ChatMessage } from '@shared/engagement';
import type { MetaResponse } from '@shared/http';
import { isWecomUserAgent } from '@shared/wecom-webview';
import { api } from '@/api/client';
import { sidebarBoot } from '@/boot';

export type SidebarEntry = { kind: 'contact'; externalUserId: string } | { kind: 'group'; chatId: string } | { kind: 'elsewhere' };

export interface WecomBridge {
  /** True for the dev shim: the page shows its picker bar. */
  readonly simulated: boolean;
  resolveEntry(): Promise<SidebarEntry>;
  /** Puts a message (a 话术) into the current chat (`ww.sendChatMessage`); a rep who cancels rejects with kind `cancelled`. */
  sendChatMessage(message: ChatMessage): Promise<void>;
}

/** A failure the page explains in Chinese, with what to do about it. */
export class WecomBridgeError extends Error {
  constructor(
    readonly kind: 'outside-wecom' | 'signature' | 'permission' | 'unavailable' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'WecomBridgeError';
  }
}

export const inWecomWebview = (): boolean => isWecomUserAgent(navigator.userAgent);

export async function createBridge(): Promise<WecomBridge> {
  if (!inWecomWebview()) {
    if (__WECOM_DEV_SHIM__) {
      const meta = (await sidebarBoot())?.meta ?? (await api.get<MetaResponse>('/api/meta'));
      if (meta.wecomMode === 'simulator') return (await import('./dev-shim')).createDevShim();
    }
    throw new WecomBridgeError('outside-wecom', '请在企业微信中打开：从客户聊天窗口右上角的侧边栏进入');
  }
  return (await import('./jssdk-bridge')).createJssdkBridge();
}
