/**
 * jest globalSetup: the migrated template databases every test file's scratch databases copy
 * (template-database.ts). Made by make-templates.ts under tsx, which resolves the `@shared/` paths
 * the migrations import; the folder is passed to the workers through the environment.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RUN_ID_ENV, TEMPLATE_DIR_ENV } from './template-database';

export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'wcrm-test-template-'));
  process.env[TEMPLATE_DIR_ENV] = dir;
  process.env[RUN_ID_ENV] = randomBytes(4).toString('hex');
  const root = resolve(__dirname, '../..');
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/make-templates.ts')], { cwd: root, env: process.env, stdio: 'inherit' });
}
