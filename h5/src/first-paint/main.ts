/**
 * The chat sidebar's first script (sidebar.html loads it, a few KB, built on its own by
 * vite-plugins.mts `sidebarPage`): it asks `GET /api/sidebar/boot` at once, paints the card from
 * the answer with render.ts — no framework — and only then, in idle time, loads the Vue app, which
 * takes the same answer (h5/src/boot.ts, no second request) and replaces this paint when its own
 * card is ready (`takeOverFirstPaint`). The `sidebar-card` mark (read by `npm run bench`) is set in
 * the frame in which this paint shows the customer.
 */
import { sidebarBootPath, type SidebarBoot } from '@shared/sidebar';
import { isWecomUserAgent } from '@shared/wecom-webview';
import { renderBoot } from './render';

declare global {
  interface Window {
    __sidebarBoot?: { contact: string | null; url: string | null; response: Promise<Response> };
  }
}

/** Written by the build into sidebar.html: the app's entry and the chunks it starts with. */
interface AppAssets {
  entry: string;
  preload: string[];
  /** The build has the dev shim (its bar is painted above the card). */
  shim: boolean;
}

const params = new URLSearchParams(location.search);
const inWecom = isWecomUserAgent(navigator.userAgent);
// Inside WeCom the chat is known only from the JS-SDK; the dev shim keeps it in the URL.
const contact = inWecom ? null : params.get('contact');
const url = inWecom ? location.href.split('#')[0]! : null;
const response = fetch(sidebarBootPath({ contact, url }), { credentials: 'same-origin', headers: { accept: 'application/json' } });
window.__sidebarBoot = { contact, url, response };

const domReady = new Promise<void>((resolve) => {
  if (document.readyState !== 'loading') resolve();
  else document.addEventListener('DOMContentLoaded', () => resolve(), { once: true });
});

function assets(): AppAssets | null {
  const text = document.getElementById('sidebar-app')?.textContent;
  return text ? (JSON.parse(text) as AppAssets) : null;
}

let appStarted = false;
/** The app's chunks, fetched together (modulepreload), then its entry. */
function startApp(app: AppAssets | null): void {
  if (appStarted || !app) return;
  appStarted = true;
  for (const href of app.preload) {
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.crossOrigin = '';
    link.href = href;
    document.head.appendChild(link);
  }
  const script = document.createElement('script');
  script.type = 'module';
  script.crossOrigin = '';
  script.src = app.entry;
  document.head.appendChild(script);
}

const idle = (run: () => void) => ('requestIdleCallback' in window ? window.requestIdleCallback(run, { timeout: 300 }) : setTimeout(run, 1));

async function paint(): Promise<void> {
  // This script runs from <head>: the app's list is further down the page.
  await domReady;
  const app = assets();
  // Nothing to paint without a contact (inside WeCom it comes from the JS-SDK, in the app).
  if (!contact) return startApp(app);
  let boot: SidebarBoot | null = null;
  try {
    const res = await response;
    // The app reads the same answer: this paint reads a copy of its body.
    if (res.ok) boot = (await res.clone().json()) as SidebarBoot;
  } catch {
    boot = null;
  }
  const html = boot ? renderBoot(boot, !!app?.shim && boot.meta.wecomMode === 'simulator') : null;
  const target = document.querySelector('#first-paint .fp-sidebar');
  // No session (the app sends the rep through login), a failed request or a group: the app paints.
  if (!html || !target) return startApp(app);
  target.innerHTML = html;
  target.removeAttribute('aria-busy');
  requestAnimationFrame(() => {
    if (boot?.card?.ok) performance.mark('sidebar-card');
    // After the frame with the card: the app's code downloads and runs when the page is idle.
    setTimeout(() => idle(() => startApp(app)), 0);
  });
}

void paint();
