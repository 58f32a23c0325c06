/**
 * What the first-paint script leaves on `window.__sidebarBoot` for the app (h5/src/boot.ts): the
 * requests it started, so the app reads their answers instead of asking again.
 */
export interface SidebarHandoff {
  /** The contact the boot request asked the card of (from the URL, outside WeCom only). */
  contact: string | null;
  /** The page URL the boot request asked JS-SDK signatures for (inside WeCom only). */
  url: string | null;
  /** `GET /api/sidebar/boot`. */
  response: Promise<Response>;
  /** Inside WeCom: the card of the contact the JS-SDK named, asked once the SDK answered. */
  card?: { contact: string; response: Promise<Response> };
}

declare global {
  interface Window {
    __sidebarBoot?: SidebarHandoff;
  }
}
