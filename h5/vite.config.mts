import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { VantResolver } from '@vant/auto-import-resolver';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * Vant's icon @font-face lists a CDN copy (at.alicdn.com) after the inlined woff2. Intranet
 * deployments can't reach it, the page's CSP forbids it, and we don't send users' browsers to
 * third parties: keep only the inlined font.
 */
function dropVantIconCdn(): Plugin {
  return {
    name: 'drop-vant-icon-cdn',
    transform(code, id) {
      if (!id.includes('vant') || !code.includes('at.alicdn.com')) return null;
      return { code: code.replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("[^"]*"\)/g, ''), map: null };
    },
  };
}

/**
 * Every text asset over 1 KB also as `.br` and `.gz` beside it: the server (koa-send) sends the
 * one the browser accepts, with no compression work per request and no proxy needed.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolvePath(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).map(String).filter((f) => /\.(js|css|html|svg|json|txt)$/.test(f));
      await Promise.all(
        files.map(async (file) => {
          const path = join(outDir, file);
          const body = await readFile(path);
          if (body.length < 1024) return;
          await writeFile(`${path}.br`, brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }));
          await writeFile(`${path}.gz`, gzipSync(body, { level: 9 }));
        }),
      );
    },
  };
}

const serverOrigin = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig(({ mode }) => ({
  // The JS-SDK dev shim (demo mode in a plain browser) is left out of live builds entirely.
  define: { __WECOM_DEV_SHIM__: JSON.stringify(mode !== 'live') },
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [
    vue(),
    dropVantIconCdn(),
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
