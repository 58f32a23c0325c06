/** What the H5 costs to download: gzip sizes from the production build in h5/dist. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Row } from './harness';

/** Gzip size of the JS a first visit downloads (the entry chunk and its static imports). */
export function h5BundleRow(): Row {
  const dist = resolve(__dirname, '../../h5/dist');
  try {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    const gz = initial.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0);
    const all = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
    const allGz = all.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, 'assets', f))).length, 0);
    return { workload: 'H5 initial JS (gzip)', figure: `${(gz / 1024).toFixed(1)} KB (all chunks ${(allGz / 1024).toFixed(1)} KB)` };
  } catch {
    return { workload: 'H5 initial JS (gzip)', figure: 'h5/dist missing: run npm run build:h5' };
  }
}

interface ManifestChunk {
  file: string;
  imports?: string[];
  isEntry?: boolean;
}

/**
 * What opening /sidebar downloads before it can render: the entry, the sidebar page and every
 * chunk they import statically (from Vite's manifest), gzipped; plus the JS-SDK bridge that only
 * the WeCom webview loads.
 */
export function sidebarBundleRows(): Row[] {
  const dist = resolve(__dirname, '../../h5/dist');
  try {
    const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
    const files = new Set<string>();
    const visit = (key: string) => {
      const chunk = manifest[key];
      if (!chunk || files.has(chunk.file)) return;
      files.add(chunk.file);
      chunk.imports?.forEach(visit);
    };
    visit('index.html');
    visit('src/pages/sidebar/SidebarPage.vue');
    const gz = (file: string) => gzipSync(readFileSync(join(dist, file))).length;
    const total = [...files].reduce((sum, f) => sum + gz(f), 0);
    const bridge = manifest['src/wecom/jssdk-bridge.ts'];
    return [
      {
        workload: 'H5 /sidebar initial JS (gzip)',
        figure: `${(total / 1024).toFixed(1)} KB in ${files.size} files${bridge ? ` (+ ${(gz(bridge.file) / 1024).toFixed(1)} KB JS-SDK bridge inside WeCom)` : ''}`,
      },
    ];
  } catch {
    return [{ workload: 'H5 /sidebar initial JS (gzip)', figure: 'h5/dist/.vite/manifest.json missing: run npm run build:h5' }];
  }
}
