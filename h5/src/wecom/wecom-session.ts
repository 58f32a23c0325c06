/**
 * The page's one JS-SDK session inside the WeCom webview: `ww.register` once, which chat the
 * sidebar is open in, and `sendChatMessage` (server/wecom/README.md#js-sdk).
 *
 * Two callers share it. The first-paint script imports this chunk by its URL (h5/src/first-paint,
 * the `wecom` field of the page's asset list) to learn the chat and paint its card before the app
 * has loaded; the app's bridge (jssdk-bridge.ts) imports the same URL later. A module URL is
 * evaluated once per page, so both get this one instance: the SDK is registered once and the chat
 * the first paint asked for is the one the app takes, with no second round of native calls.
 *
 * It imports nothing of the app's (no API client, no stores): whatever it imported would run
 * before the first paint, and the app's chunks start Vue.
 */
import * as ww from '@wecom/jssdk';
import type { ChatMessage } from '@shared/engagement';
import type { JssdkConfigResponse } from '@shared/jssdk';
import type { SidebarEntry } from './bridge';

/** The page URL WeCom checks a signature against: without the `#` fragment. */
export const signedUrl = (): string => window.location.href.split('#')[0]!;

async function signaturesFor(url: string): Promise<JssdkConfigResponse> {
  const res = await fetch(`/api/wecom/jssdk-config?url=${encodeURIComponent(url)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error('无法取得企业微信签名');
  return (await res.json()) as JssdkConfigResponse;
}

let registered = false;

/**
 * Registers the SDK with the signatures made for this page URL (the boot answer's, or asked for);
 * the SDK asks again after a route change, and the signatures for that URL are fetched then.
 * Only the first call registers.
 */
export function registerOnce(signatures: JssdkConfigResponse): void {
  if (registered) return;
  registered = true;
  const url = signedUrl();
  const forUrl = (asked: string) => (asked === url ? Promise.resolve(signatures) : signaturesFor(asked));
  ww.register({
    corpId: signatures.corpId,
    agentId: signatures.agentId,
    jsApiList: ['getContext', 'getCurExternalContact', 'getCurExternalChat', 'sendChatMessage'],
    getConfigSignature: async (asked) => (await forUrl(asked)).config,
    getAgentConfigSignature: async (asked) => (await forUrl(asked)).agentConfig,
  });
}

export const isRegistered = (): boolean => registered;

/** Asks WeCom where the sidebar is open: a 1:1 chat or a profile (the contact), a group chat, or elsewhere. */
async function askEntry(): Promise<SidebarEntry> {
  const { entry } = await ww.getContext();
  if (entry === 'single_chat_tools' || entry === 'contact_profile') return { kind: 'contact', externalUserId: (await ww.getCurExternalContact()).userId };
  if (entry === 'group_chat_tools') return { kind: 'group', chatId: (await ww.getCurExternalChat()).chatId };
  return { kind: 'elsewhere' };
}

let asked: Promise<SidebarEntry> | null = null;

/** The first paint's question, kept for the app: its first `takeEntry` gets this answer (or failure) instead of asking again. */
export function entryForFirstPaint(): Promise<SidebarEntry> {
  if (!asked) {
    asked = askEntry();
    // A failure is the app's to explain when it takes the answer, not an unhandled rejection before then.
    asked.catch(() => undefined);
  }
  return asked;
}

/** The chat, from the first paint's question when there was one, else asked now (a retry asks again). */
export function takeEntry(): Promise<SidebarEntry> {
  const answer = asked ?? askEntry();
  asked = null;
  return answer;
}

export async function sendChatMessage(message: ChatMessage): Promise<void> {
  // enterChat false: the rep stays in the sidebar (the chat shows the message behind it).
  await ww.sendChatMessage({ ...message, enterChat: false });
}
