import { fileURLToPath, URL } from 'node:url';
import { VantResolver } from '@vant/auto-import-resolver';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { defineConfig } from 'vite';
import { dropVantIconCdn, precompress, sidebarPage, vantIconFile } from './vite-plugins.mts';

/**
 * Vue, Pinia, the router and the Vant parts nearly every page (the sidebar first) paints with, as
 * one chunk: otherwise each Vant component and its style come as a chunk of their own, some 40
 * requests before the sidebar can paint. Components the card does not paint with (fields, forms, pickers, tabs…)
 * stay with the pages that use them.
 */
const VENDOR_CORE =
  /node_modules[\\/](?:vue|@vue|pinia|vue-router|@vant[\\/]use|vant[\\/]es[\\/](?:utils|composables|locale|config-provider|style|icon|badge|loading|button|cell|cell-group|image|popup|overlay|toast|empty|skeleton[a-z-]*|tag|notice-bar|action-sheet|tabbar|tabbar-item))[\\/]/;

/**
 * The app's small modules the sidebar's first paint imports (API client, stores, formatting,
 * labels), as one chunk rather than a dozen. Only modules without zod: the card needs no schemas.
 * Three kit parts are here rather than in `kit`: the card's 商机 panel shows with them, and the
 * whole kit (10 KB) would otherwise download with every sidebar open. The card's phone, its icons
 * and the API modules its panels call are here too: each was a chunk of its own under 1.5 KB, and
 * on a phone every request costs its headers and a round trip more than its bytes.
 */
const APP_CORE =
  /h5[\\/]src[\\/](?:api[\\/](?:client|sidebar|engagement|customers|pool|opportunities)\.ts|stores[\\/](?:session|dictionaries|corpTags)\.ts|format\.ts|boot\.ts|first-paint[\\/]icons\.ts|composables[\\/](?:openedOnce|useSidebar|useCan|useWide)\.ts|components[\\/]kit[\\/](?:AmountText\.vue|LoadState\.vue|useLoad\.ts)|components[\\/](?:FollowUpCells\.vue|sidebar[\\/]SvgIcon\.vue|business[\\/](?:DueLabel\.vue|dates\.ts|MaskedPhone\.vue|PhoneLink\.vue)))|shared[\\/](?:labels|time|risk-profile|transfer-status|format|record-fields|greeting)\.ts/;

/**
 * The H5 kit (components/kit/, with usePagedList under its PagedList) as one chunk: the pages share
 * it, and every chunk of its own would be one more name in the route table of the entry chunk the
 * sidebar boots with.
 */
/**
 * The two panels under the sidebar's card (公海, 商机), loaded together after the card has painted:
 * one chunk and one stylesheet rather than two of each.
 */
const CARD_PANELS = /h5[\\/]src[\\/]components[\\/]business[\\/](?:PoolActions|OpportunitiesPanel)\.vue/;

const KIT = /h5[\\/]src[\\/](?:components[\\/]kit[\\/]|composables[\\/]usePagedList\.ts)/;

const serverOrigin = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig(({ mode }) => ({
  // The JS-SDK dev shim (demo mode in a plain browser) is left out of live builds entirely.
  define: { __WECOM_DEV_SHIM__: JSON.stringify(mode !== 'live') },
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [
    vue(),
    dropVantIconCdn(),
    vantIconFile(),
    sidebarPage({ live: mode === 'live' }),
    precompress(),
    // Vant components are imported on demand, with their styles, as templates use them.
    Components({ resolvers: [VantResolver()], dts: false }),
  ],
  resolve: {
    alias: {
      '@shared': fileURLToPath(new URL('../shared', import.meta.url)),
      '@': fileURLToPath(new URL('./src', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Read by `npm run bench` to size each route's initial JS.
    manifest: true,
    target: 'es2020',
    chunkSizeWarningLimit: 300,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'vendor', test: VENDOR_CORE, priority: 10 },
            { name: 'app', test: APP_CORE, priority: 5 },
            { name: 'kit', test: KIT, priority: 4 },
            { name: 'card-panels', test: CARD_PANELS, priority: 3 },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': serverOrigin,
      '/__wecom': serverOrigin,
      '/healthz': serverOrigin,
    },
  },
}));
