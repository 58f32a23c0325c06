/**
 * Dev shim for `ww.*` outside the WeCom webview (demo mode only): the "current chat" is whatever
 * the picker bar selected, kept in the URL (`?contact=` / `?chat=`) so a reload or a shared link
 * opens the same chat.
 */
import type { SidebarEntry, WecomBridge } from './bridge';

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
  };
}
