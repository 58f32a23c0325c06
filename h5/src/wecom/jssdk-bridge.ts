/**
 * The real thing: `@wecom/jssdk` inside the WeCom webview, signed by our server
 * (server/wecom/README.md#js-sdk), through the page's one session (wecom-session.ts, a chunk of its
 * own that the first paint may have started already). This side adds what the app needs on top:
 * a timeout on every native call and an explanation in Chinese of every failure.
 */
import type { ChatMessage } from '@shared/engagement';
import type { JssdkConfigResponse } from '@shared/jssdk';
import { api } from '@/api/client';
import { bootSignatures } from '@/boot';
import { WecomBridgeError, type WecomBridge } from './bridge';

function explain(err: unknown): WecomBridgeError {
  if (err instanceof WecomBridgeError) return err;
  const message = String((err as { errMsg?: string })?.errMsg ?? (err as Error)?.message ?? err);
  if (/:cancel/i.test(message)) return new WecomBridgeError('cancelled', '已取消发送');
  if (/signature|40093/i.test(message))
    return new WecomBridgeError('signature', '企业微信签名校验失败：请确认应用的可信域名与本页地址一致，然后重新打开侧边栏');
  if (/permission|no permission|80001/i.test(message))
    return new WecomBridgeError('permission', '应用没有客户联系权限：请管理员在企业微信后台为本应用开启「客户联系」权限');
  return new WecomBridgeError('unavailable', `企业微信接口调用失败（${message}），请关闭侧边栏后重试`);
}

/** The SDK waits for WeCom's native bridge; if it never comes (an old client, a broken webview), say so. */
const JSSDK_TIMEOUT_MS = 6_000;
function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new WecomBridgeError('unavailable', '企业微信没有响应：请将企业微信更新到最新版本，然后重新打开侧边栏')), JSSDK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function createJssdkBridge(): Promise<WecomBridge> {
  // Its own chunk, imported by URL by the first paint too: both must reach it by the same URL.
  const session = await import('./wecom-session');
  if (!session.isRegistered()) {
    const url = session.signedUrl();
    session.registerOnce((await bootSignatures(url)) ?? (await api.get<JssdkConfigResponse>('/api/wecom/jssdk-config', { url })));
  }
  return {
    simulated: false,
    async resolveEntry() {
      try {
        return await withTimeout(session.takeEntry());
      } catch (err) {
        throw explain(err);
      }
    },
    async sendChatMessage(message: ChatMessage) {
      try {
        await session.sendChatMessage(message);
      } catch (err) {
        throw explain(err);
      }
    },
  };
}
