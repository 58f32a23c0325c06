/**
 * Dev shim for `ww.*` outside the WeCom webview (demo mode only): the "current chat" is whatever
 * the picker bar selected, kept in the URL (`?contact=` / `?chat=`) so a reload or a shared link
 * opens the same chat. Sending into the chat only shows what would be sent, and records it on
 * `window.__sentChatMessages` (browser tests read it).
 */
import type { ChatMessage } from '@shared/engagement';
import { showToast } from 'vant';
import type { SidebarEntry, WecomBridge } from './bridge';

declare global {
  interface Window {
    /** Every message the shim "sent", oldest first. */
    __sentChatMessages?: ChatMessage[];
  }
}

/** What the message would look like in the chat, in one line. */
function describe(message: ChatMessage): string {
  if (message.msgtype === 'text') return message.text.content;
  if (message.msgtype === 'image') return `[图片] ${message.image.mediaid}`;
  return `[链接] ${message.news.title} ${message.news.link}`;
}

export function createDevShim(): WecomBridge {
  return {
    simulated: true,
    async resolveEntry(): Promise<SidebarEntry> {
      const params = new URLSearchParams(window.location.search);
      const contact = params.get('contact');
      const chat = params.get('chat');
      if (contact) return { kind: 'contact', externalUserId: contact };
      if (chat) return { kind: 'group', chatId: chat };
      return { kind: 'elsewhere' };
    },
    async sendChatMessage(message: ChatMessage): Promise<void> {
      (window.__sentChatMessages ??= []).push(message);
      showToast({ message: `模拟发送到当前聊天：${describe(message)}`, duration: 2500, wordBreak: 'break-word' });
    },
  };
}
