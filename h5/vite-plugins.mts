/** Build steps of our own (h5/vite.config.mts): what the H5 needs that Vite does not do by itself. */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Plugin, Rollup } from 'vite';

type OutputBundle = Rollup.OutputBundle;
type OutputChunk = Rollup.OutputChunk;

/**
 * Vant's icon @font-face lists a CDN copy (at.alicdn.com) after the inlined woff2. Intranet
 * deployments can't reach it, the page's CSP forbids it, and we don't send users' browsers to
 * third parties: keep only the inlined font.
 */
export function dropVantIconCdn(): Plugin {
  return {
    name: 'drop-vant-icon-cdn',
    transform(code, id) {
      if (!id.includes('vant') || !code.includes('at.alicdn.com')) return null;
      return { code: code.replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("[^"]*"\)/g, ''), map: null };
    },
  };
}

/**
 * The icon font (34 KB of base64 inlined in Vant's CSS) as a file of its own: the app's CSS blocks
 * the first paint, the font does not (a page without icons never downloads it), and a hashed file
 * is cached for a year on its own. Build only: `vite` dev keeps the inlined copy.
 */
export function vantIconFile(): Plugin {
  let font: { fileName: string; source: Buffer } | null = null;
  return {
    name: 'vant-icon-file',
    apply: 'build',
    transform(code, id) {
      if (!id.includes('vant')) return null;
      const inlined = /url\(["']?data:font\/woff2;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)["']?\)/.exec(code);
      if (!inlined) return null;
      const source = Buffer.from(inlined[1]!, 'base64');
      font = { fileName: `assets/vant-icon-${createHash('sha256').update(source).digest('hex').slice(0, 8)}.woff2`, source };
      return { code: code.replace(inlined[0], `url(/${font.fileName})`), map: null };
    },
    generateBundle() {
      if (font) this.emitFile({ type: 'asset', fileName: font.fileName, source: font.source });
    },
  };
}

/** Chunks `from` loads before it runs (static imports, transitively), `from` first. */
function staticClosure(bundle: OutputBundle, from: OutputChunk): OutputChunk[] {
  const seen = new Map<string, OutputChunk>();
  const visit = (chunk: OutputChunk) => {
    if (seen.has(chunk.fileName)) return;
    seen.set(chunk.fileName, chunk);
    for (const name of chunk.imports) {
      const next = bundle[name];
      if (next?.type === 'chunk') visit(next);
    }
  };
  visit(from);
  return [...seen.values()];
}

function chunkOf(bundle: OutputBundle, moduleSuffix: string): OutputChunk | undefined {
  return Object.values(bundle).find((c): c is OutputChunk => c.type === 'chunk' && (c.facadeModuleId?.endsWith(moduleSuffix) ?? false));
}

/**
 * The painted-before-JS stand-in for the sidebar's first screen (inline: the CSP allows inline
 * styles, and a stylesheet would be one more request before the first paint). Vue replaces it
 * when the app mounts.
 */
const SIDEBAR_SKELETON = `<style>
.boot-skeleton{padding:16px;background:#fff;min-height:100vh;box-sizing:border-box}
.boot-skeleton .row{height:16px;margin-top:12px;border-radius:4px;background:#f2f3f5}
.boot-skeleton .head{display:flex;gap:12px;align-items:center}
.boot-skeleton .avatar{width:32px;height:32px;border-radius:50%;background:#f2f3f5;flex:none}
.boot-skeleton .head .row{margin-top:0;width:40%}
</style><div class="boot-skeleton" aria-busy="true" aria-label="加载中"><div class="head"><div class="avatar"></div><div class="row"></div></div><div class="row"></div><div class="row" style="width:60%"></div><div class="row" style="margin-top:28px"></div><div class="row"></div><div class="row" style="width:80%"></div></div>`;

/**
 * `sidebar.html`: index.html for the chat sidebar's route (served for `/sidebar`), which
 * - starts the one boot request (`/sidebar-boot.js`) before the app's code has downloaded,
 * - preloads the sidebar page's chunks and styles and the WeCom bridge it will use, so they
 *   download beside the app's entry instead of after it has run,
 * - paints a skeleton at once.
 */
export function sidebarPage(options: { live: boolean }): Plugin {
  return {
    name: 'sidebar-page',
    apply: 'build',
    async writeBundle(output, bundle) {
      const index = bundle['index.html'];
      const page = chunkOf(bundle, '/src/pages/sidebar/SidebarPage.vue');
      const bridge = chunkOf(bundle, options.live ? '/src/wecom/jssdk-bridge.ts' : '/src/wecom/dev-shim.ts');
      if (index?.type !== 'asset' || !page || !bridge)
        throw new Error('sidebar-page: index.html, the sidebar page or the bridge chunk is missing from the bundle');
      let html = String(index.source);
      const chunks = [...staticClosure(bundle, page), ...staticClosure(bundle, bridge)].filter((c) => !html.includes(`/${c.fileName}"`));
      const css = [...new Set(chunks.flatMap((c) => [...(c.viteMetadata?.importedCss ?? [])]))].filter((f) => !html.includes(`/${f}"`));
      const preloads = [
        ...[...new Set(chunks.map((c) => c.fileName))].map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`),
        ...css.map((f) => `<link rel="stylesheet" crossorigin href="/${f}">`),
      ];
      html = html
        .replace('<title>', '<script src="/sidebar-boot.js"></script>\n    <title>')
        .replace('</head>', `  ${preloads.join('\n    ')}\n  </head>`)
        .replace('<div id="app"></div>', `<div id="app">${SIDEBAR_SKELETON}</div>`);
      await writeFile(join(output.dir!, 'sidebar.html'), html);
    },
  };
}

/**
 * Every text asset over 1 KB also as `.br` and `.gz` beside it: the server (koa-send) sends the
 * one the browser accepts, with no compression work per request and no proxy needed. Runs when
 * every file is written (sidebar.html included).
 */
export function precompress(): Plugin {
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
