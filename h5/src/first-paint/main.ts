/**
 * The chat sidebar's first script (sidebar.html loads it, a few KB, built on its own by
 * vite-plugins.mts `sidebarPage`): it asks `GET /api/sidebar/boot` at once, paints the card from
 * the answer with render.ts — no framework — and only then, in idle time, loads the Vue app, which
 * takes the same answer (h5/src/boot.ts, no second request) and replaces this paint when its own
 * card is ready (`takeOverFirstPaint`). Inside WeCom the chat is known only from the JS-SDK: this
 * script imports the page's JS-SDK session (wecom/wecom-session.ts, its own chunk, which the app
 * shares), asks it for the contact, then for that contact's card, and paints. The `sidebar-card`
 * mark (read by `npm run bench`) is set in the frame in which this paint shows the customer.
 */
import { sidebarBootPath, sidebarCardPath, type SidebarBoot, type SidebarCard } from '@shared/sidebar';
import type { ApiErrorBody } from '@shared/http';
import { isWecomUserAgent } from '@shared/wecom-webview';
import type * as WecomSession from '../wecom/wecom-session';
import type { SidebarHandoff } from './handoff';
import { renderBoot } from './render';

/** Written by the build into sidebar.html: the app's entry and the chunks it starts with. */
interface AppAssets {
  entry: string;
  preload: string[];
  /** The build has the dev shim (its bar is painted above the card). */
  shim: boolean;
  /** The JS-SDK session's chunk (wecom/wecom-session.ts), by the URL the app imports it from. */
  wecom: string;
}

/** How long the paint waits for WeCom to name the chat before it leaves the page to the app, which explains a JS-SDK that never answers. */
const WECOM_ENTRY_WAIT_MS = 3_000;

const params = new URLSearchParams(location.search);
const inWecom = isWecomUserAgent(navigator.userAgent);
// Inside WeCom the chat is known only from the JS-SDK; the dev shim keeps it in the URL.
const contact = inWecom ? null : params.get('contact');
const url = inWecom ? location.href.split('#')[0]! : null;
/** How this script asks the API: the session cookie, a JSON answer (the boot request, the card inside WeCom). */
const API_GET: RequestInit = { credentials: 'same-origin', headers: { accept: 'application/json' } };
const response = fetch(sidebarBootPath({ contact, url }), API_GET);
const handoff: SidebarHandoff = { contact, url, response };
window.__sidebarBoot = handoff;

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

/** The boot answer, read from a copy of the body (the app reads the same answer); null when it failed. */
async function bootAnswer(): Promise<SidebarBoot | null> {
  try {
    const res = await response;
    return res.ok ? ((await res.clone().json()) as SidebarBoot) : null;
  } catch {
    return null;
  }
}

/**
 * Inside WeCom: the JS-SDK names the chat, then the card of its contact is asked for (and left
 * for the app); a card the server refused is painted as its refusal, as outside WeCom. Null when
 * there is nothing to paint — a group chat, no session, an SDK that fails or is slow to answer:
 * the app then paints, and explains.
 */
async function cardInWecom(boot: SidebarBoot, app: AppAssets): Promise<SidebarBoot | null> {
  if (!boot.jssdk) return null;
  try {
    const session = (await import(/* @vite-ignore */ app.wecom)) as typeof WecomSession;
    session.registerOnce(boot.jssdk);
    const entry = await Promise.race([session.entryForFirstPaint(), new Promise<null>((resolve) => setTimeout(resolve, WECOM_ENTRY_WAIT_MS, null))]);
    if (entry?.kind !== 'contact') return null;
    const card = fetch(sidebarCardPath(entry.externalUserId), API_GET);
    handoff.card = { contact: entry.externalUserId, response: card };
    const res = await card;
    // No session any more: the app sends the rep through login.
    if (res.status === 401) return null;
    const body: unknown = await res.clone().json();
    return { ...boot, card: res.ok ? { ok: true, card: body as SidebarCard } : { ok: false, status: res.status, body: body as ApiErrorBody } };
  } catch {
    return null;
  }
}

async function paint(): Promise<void> {
  // This script runs from <head>: the app's list is further down the page.
  await domReady;
  const app = assets();
  // Nothing to paint without a contact: outside WeCom it is in the URL (the dev shim), inside it the JS-SDK names it.
  if (!app || (!contact && !inWecom)) return startApp(app);
  let boot = await bootAnswer();
  if (boot && inWecom) boot = await cardInWecom(boot, app);
  const html = boot ? renderBoot(boot, app.shim && boot.meta.wecomMode === 'simulator' && !inWecom) : null;
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
