/**
 * `npm start`'s H5 step: builds `h5/dist` only when its inputs changed since the last build (the
 * H5 sources, the shared package, the build config and the lockfile), so a restart does not pay
 * for a rebuild. The fingerprint is kept in `h5/dist/.inputs-sha256`; `npm run build:h5` always builds.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const INPUTS = ['h5/src', 'h5/public', 'h5/index.html', 'h5/vite.config.mts', 'h5/vite-plugins.mts', 'h5/tsconfig.json', 'shared', 'package-lock.json'];
const STAMP = join(root, 'h5/dist/.inputs-sha256');

function* files(path: string): Generator<string> {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    yield path;
    return;
  }
  for (const entry of readdirSync(path).sort()) yield* files(join(path, entry));
}

function fingerprint(): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of files(join(root, input))) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const wanted = fingerprint();
const built = existsSync(STAMP) && existsSync(join(root, 'h5/dist/index.html')) ? readFileSync(STAMP, 'utf8').trim() : null;
if (built === wanted) {
  process.stdout.write('H5 unchanged since the last build: h5/dist is up to date.\n');
} else {
  const run = spawnSync('npx', ['vite', 'build', '--config', 'h5/vite.config.mts'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  writeFileSync(STAMP, `${wanted}\n`);
}
