/**
 * What the H5 costs to download, from the production build in h5/dist: the brotli files the
 * server sends (the build writes them; a file under 1 KB goes as it is).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { figure, type Row } from './harness';

const dist = resolve(__dirname, '../../h5/dist');

const sent = (file: string) => (existsSync(join(dist, `${file}.br`)) ? statSync(join(dist, `${file}.br`)) : statSync(join(dist, file))).size;

/**
 * The JS and CSS a page's HTML loads before it can run: its scripts, module preloads and
 * stylesheets — not the `disabled` links sidebar.html keeps for styles it has inlined (never
 * fetched), nor the app it lists for its first-paint script to load after the card.
 */
function initialFiles(html: string): string[] {
  const page = readFileSync(join(dist, html), 'utf8');
  const tags = [...page.matchAll(/<(?:script|link)\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !/\sdisabled\b/.test(tag));
  return [...new Set(tags.flatMap((tag) => [...(/(?:src|href)="\/((?:assets\/)?[^"]+\.(?:js|css))"/.exec(tag)?.slice(1) ?? [])]))];
}

export function h5SizeRows(): Row[] {
  if (!existsSync(join(dist, 'sidebar.html'))) throw new Error('h5/dist is not built (npm run build:h5)');
  const kb = (files: string[]) => files.reduce((sum, f) => sum + sent(f), 0) / 1024;
  const app = initialFiles('index.html');
  const sidebar = ['sidebar.html', ...initialFiles('sidebar.html')];
  const all = readdirSync(join(dist, 'assets')).filter((f) => /\.(js|css)$/.test(f));
  return [
    figure('H5 app (index.html): initial JS + CSS, brotli', kb(app), 'KB', {
      detail: `${app.length} files; all chunks ${kb(all.map((f) => `assets/${f}`)).toFixed(0)} KB`,
    }),
    figure('H5 sidebar (sidebar.html): the page + JS + CSS it loads before the card, brotli', kb(sidebar), 'KB', {
      goal: { atMost: 100 },
      detail: `${sidebar.length} files`,
    }),
  ];
}
