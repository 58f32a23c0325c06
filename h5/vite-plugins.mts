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
 * The sidebar's first-paint script (h5/src/first-paint/main.ts) built on its own, as one classic
 * script of a few KB: it must not share chunks with the app (the `app` chunk would bring 18 KB and
 * Vue's imports with it), and it runs before any module. Shared code (formatting, labels) is
 * bundled into it from the same sources the app imports.
 */
async function buildFirstPaint(root: string, alias: Record<string, string>): Promise<string> {
  const { build } = await import('vite');
  const output = await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    resolve: { alias },
    build: {
      write: false,
      target: 'es2020',
      minify: true,
      lib: { entry: join(root, 'src/first-paint/main.ts'), formats: ['iife'], name: 'sidebarFirstPaint', fileName: () => 'first-paint.js' },
    },
  });
  const result = (Array.isArray(output) ? output[0] : output) as Rollup.RollupOutput;
  const chunk = result.output.find((o): o is OutputChunk => o.type === 'chunk');
  if (!chunk) throw new Error('sidebar-page: the first-paint build gave no script');
  return chunk.code;
}

/**
 * `sidebar.html`: index.html for the chat sidebar's route (served for `/sidebar`), which
 * - loads the first-paint script (hashed, cached for a year): it starts the one boot request and
 *   paints the card from the answer without the framework (h5/README.md#the-sidebars-first-paint),
 * - inlines every stylesheet the card needs (Vant's, the app's, the sidebar's, the first paint's),
 *   so no stylesheet request stands between the answer and the paint,
 * - lists the app's entry and its chunks for the first-paint script, which loads them after the
 *   card has painted (the app mounts hidden in `#app` and takes over),
 * - paints a skeleton at once.
 */
export function sidebarPage(options: { live: boolean }): Plugin {
  let root = '';
  let alias: Record<string, string> = {};
  return {
    name: 'sidebar-page',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      alias = Object.fromEntries(
        config.resolve.alias.filter((a): a is { find: string; replacement: string } => typeof a.find === 'string').map((a) => [a.find, a.replacement]),
      );
    },
    async writeBundle(output, bundle) {
      const index = bundle['index.html'];
      const entry = Object.values(bundle).find((c): c is OutputChunk => c.type === 'chunk' && c.isEntry);
      const page = chunkOf(bundle, '/src/pages/sidebar/SidebarPage.vue');
      const bridge = chunkOf(bundle, options.live ? '/src/wecom/jssdk-bridge.ts' : '/src/wecom/dev-shim.ts');
      const wecomSession = chunkOf(bundle, '/src/wecom/wecom-session.ts');
      if (index?.type !== 'asset' || !entry || !page || !bridge || !wecomSession)
        throw new Error('sidebar-page: index.html, the entry, the sidebar page, the bridge or the JS-SDK session chunk is missing from the bundle');
      // The first paint imports the JS-SDK session inside WeCom, so it must run nothing of the app's (Vue would start before the paint).
      const sessionImports = staticClosure(bundle, wecomSession).filter((c) => c !== wecomSession);
      if (sessionImports.length) throw new Error(`sidebar-page: the JS-SDK session chunk imports ${sessionImports.map((c) => c.fileName).join(', ')}`);
      const outDir = output.dir!;
      let html = String(index.source);
      const chunks = [
        ...new Map([...staticClosure(bundle, entry), ...staticClosure(bundle, page), ...staticClosure(bundle, bridge)].map((c) => [c.fileName, c])).values(),
      ];
      // The entry's stylesheets are linked by index.html; the page's come with its chunk (Vite's
      // preload helper adds them unless a <link> for them is in the document already).
      const linked = [...html.matchAll(/<link rel="stylesheet" crossorigin href="\/([^"]+)">/g)].map((m) => m[1]!);
      const dynamicCss = [...new Set(chunks.flatMap((c) => [...(c.viteMetadata?.importedCss ?? [])]))].filter((f) => !linked.includes(f));
      const css = await Promise.all([...linked, ...dynamicCss].map((f) => readFile(join(outDir, f), 'utf8')));
      // The card's shared parts (styles/card-parts.css) come in with the page's CSS: SidebarActions imports them.
      if (!css.some((c) => c.includes('.card-action{')))
        throw new Error("sidebar-page: styles/card-parts.css is not in the sidebar page's CSS, so the first paint would draw its actions unstyled");
      const ownCss = await readFile(join(root, 'src/first-paint/first-paint.css'), 'utf8');
      const script = await buildFirstPaint(root, alias);
      const scriptFile = `assets/first-paint-${createHash('sha256').update(script).digest('hex').slice(0, 8)}.js`;
      await writeFile(join(outDir, scriptFile), script);
      const app = {
        entry: `/${entry.fileName}`,
        preload: chunks.filter((c) => c !== entry).map((c) => `/${c.fileName}`),
        shim: !options.live,
        wecom: `/${wecomSession.fileName}`,
      };
      // The icon inline (200 bytes): one request less on every open.
      const favicon = await readFile(join(root, 'public/favicon.svg'), 'utf8');
      html = html
        .replace('href="/favicon.svg"', `href="data:image/svg+xml,${encodeURIComponent(favicon.trim())}"`)
        .replace(/\s*<script type="module" crossorigin src="[^"]+"><\/script>/, '')
        .replace(/\s*<link rel="(?:modulepreload|stylesheet)" crossorigin href="[^"]+">/g, '')
        .replace('<title>', `<script src="/${scriptFile}"></script>\n    <title>`)
        .replace(
          '</head>',
          [
            `  <style>${[...css, ownCss.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s*\n\s*/g, '')].join('\n')}</style>`,
            // Disabled: never fetched, but they tell Vite's preload helper, which adds a chunk's
            // stylesheets when the chunk loads, that these styles are in the page already.
            ...[...linked, ...dynamicCss].map((f) => `    <link rel="stylesheet" href="/${f}" disabled>`),
            `    <script type="application/json" id="sidebar-app">${JSON.stringify(app)}</script>`,
            '  </head>',
          ].join('\n'),
        )
        .replace(
          '<div id="app"></div>',
          `<div id="first-paint"><div class="fp-sidebar" aria-busy="true">${SIDEBAR_SKELETON}</div></div><div id="app" class="fp-waiting"></div>`,
        );
      await writeFile(join(outDir, 'sidebar.html'), html);
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
