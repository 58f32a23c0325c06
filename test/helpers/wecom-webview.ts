/**
 * The WeCom webview for browser tests: its user agent, and a stand-in for its native bridge
 * (`window.WeixinJSBridge`, which @wecom/jssdk calls as `invoke(name, params, callback)` and
 * answers `name:ok`), naming the chat the sidebar is open in. Every call is recorded on
 * `window.__wecomCalls`, so a test can count `agentConfig` or `getContext`.
 */
import type { BrowserContext, Page } from 'playwright-core';

export const WECOM_USER_AGENT = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 wxwork/4.1.30 MicroMessenger/7.0.1';

export type WecomChat = { entry: 'single_chat_tools'; externalUserId: string } | { entry: 'group_chat_tools'; chatId: string };

export async function fakeWecomBridge(context: BrowserContext, chat: WecomChat): Promise<void> {
  const answers: Record<string, Record<string, unknown>> = {
    getContext: { entry: chat.entry },
    getCurExternalContact: chat.entry === 'single_chat_tools' ? { userId: chat.externalUserId } : {},
    getCurExternalChat: chat.entry === 'group_chat_tools' ? { chatId: chat.chatId } : {},
  };
  await context.addInitScript({
    content: `(() => {
  const answers = ${JSON.stringify(answers)};
  window.__wecomCalls = [];
  window.WeixinJSBridge = {
    invoke(name, params, callback) {
      window.__wecomCalls.push(name);
      setTimeout(() => callback({ err_msg: name + ':ok', ...(answers[name] || {}) }), 5);
    },
    on() {},
  };
})();`,
  });
}

/** The native calls the page made, in order. */
export function wecomCalls(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __wecomCalls: string[] }).__wecomCalls);
}
