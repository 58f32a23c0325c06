/**
 * The sidebar's boot answer (SidebarBoot). sidebar.html runs the first-paint script (first-paint/main.ts) before the app's
 * code has downloaded: it starts `GET /api/sidebar/boot` and leaves the pending answer on
 * `window.__sidebarBoot` (first-paint/handoff.ts). The session and dictionary stores, the WeCom bridge and the sidebar take
 * their parts from it instead of asking one after another; on any other page, or when the boot
 * failed, they ask as usual.
 */
import type { JssdkConfigResponse } from '@shared/jssdk';
import type { SidebarBoot, SidebarCard } from '@shared/sidebar';
import { errorOf, readResponse } from './api/client';

let answer: Promise<SidebarBoot | null> | undefined;

export function sidebarBoot(): Promise<SidebarBoot | null> {
  const started = window.__sidebarBoot;
  answer ??= started ? started.response.then((res) => readResponse<SidebarBoot>(res)).catch(() => null) : Promise.resolve(null);
  return answer;
}

let cardTaken = false;

/**
 * The card the first paint asked for this contact — the boot's, or inside WeCom the one asked
 * once the JS-SDK answered — once (a reload after an action asks the server again); null when
 * there is none for it. An error the card answered is thrown as the ApiError.
 */
export async function takeBootCard(externalUserId: string): Promise<SidebarCard | null> {
  const started = window.__sidebarBoot;
  if (cardTaken || !started) return null;
  // Inside WeCom the first paint asked for the card once the JS-SDK named the contact.
  if (started.card?.contact === externalUserId) {
    cardTaken = true;
    return readResponse<SidebarCard>(await started.card.response);
  }
  if (started.contact !== externalUserId) return null;
  cardTaken = true;
  const part = (await sidebarBoot())?.card;
  if (!part) return null;
  if (!part.ok) throw errorOf(part.status, part.body);
  return part.card;
}

/** The boot's JS-SDK signatures, when they were made for this page URL. */
export async function bootSignatures(url: string): Promise<JssdkConfigResponse | null> {
  if (window.__sidebarBoot?.url !== url) return null;
  return (await sidebarBoot())?.jssdk ?? null;
}

/**
 * The app shows the sidebar now: remove the card the first paint drew (first-paint/main.ts, in
 * `#first-paint`) and reveal `#app`, which rendered hidden beside it. Once; a no-op on other pages.
 */
export function takeOverFirstPaint(): void {
  document.getElementById('first-paint')?.remove();
  document.getElementById('app')?.classList.remove('fp-waiting');
}
