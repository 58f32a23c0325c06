/**
 * The desktop layout's switch: true from 1024 px wide (WeCom's desktop client opens the workbench
 * 1000–1280 px wide), where the app shows the side navigation and the list pages their tables;
 * below it the phone layout. One media query shared by every caller, reactive to resizing.
 */
import { readonly, ref } from 'vue';

export const WIDE_QUERY = '(min-width: 1024px)';

const wide = ref(false);
let watching = false;

export function useWide() {
  if (!watching && typeof window !== 'undefined' && window.matchMedia) {
    watching = true;
    const query = window.matchMedia(WIDE_QUERY);
    wide.value = query.matches;
    query.addEventListener('change', (e) => (wide.value = e.matches));
  }
  return readonly(wide);
}
