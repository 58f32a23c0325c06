/**
 * `npm run import -- customers|partners file.xlsx [--dry-run] [--mode upsert] [--as admin]`:
 * the same import as 管理 → 导入, from a terminal, with a progress bar and the same summary.
 * `--as` is the WeCom userid of the person the import runs as (their data scope, the default
 * owner); without it, the first active holder of the admin role.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { QueryTypes, type Sequelize } from 'sequelize';
import { IMPORT_KINDS, type ImportJobView, type ImportKind } from '@shared/imports';
import { loadConfigFromProcess } from '../config';
import { migrateUp, openDatabase } from '../server/db';
import { createLogger } from '../server/logger';
import { getImportJob, startImport, type ImportDeps } from '../server/modules/imports/service';
import { loadAccess } from '../server/modules/roles/access';
import type { Caller } from '../server/modules/roles/ownership';
import { ProgressBar } from './progress-bar';

const USAGE = 'usage: npm run import -- customers|partners file.xlsx [--dry-run] [--mode create|upsert] [--as <wecom userid>]';

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false }, mode: { type: 'string', default: 'create' }, as: { type: 'string' } },
  });
  const [kind, path] = positionals;
  if (!kind || !(kind in IMPORT_KINDS) || !path || (values.mode !== 'create' && values.mode !== 'upsert')) throw new Error(USAGE);
  const config = loadConfigFromProcess();
  const sequelize = await openDatabase(config.database);
  await migrateUp(sequelize);
  const deps: ImportDeps = { sequelize, logger: createLogger(process.env.LOG_LEVEL ?? 'warn'), settings: config.imports };
  const caller = await callerFor(sequelize, values.as);

  const started = Date.now();
  const { job, done } = await startImport(deps, caller, {
    kind: kind as ImportKind,
    mode: values.mode,
    dryRun: values['dry-run'],
    fileName: basename(path),
    file: readFileSync(path),
  });
  process.stdout.write(`${values['dry-run'] ? '试导入' : '导入'}${IMPORT_KINDS[job.kind]}：${job.fileName}，共 ${job.total} 行数据\n`);
  if (job.unknownColumns.length) process.stdout.write(`未识别的列（已忽略）：${job.unknownColumns.join('、')}\n`);
  const bar = new ProgressBar();
  const timer = setInterval(
    () =>
      void getImportJob(deps, caller, job.id)
        .then((j) => bar.draw(j.progress, `${j.processed}/${j.total}`))
        .catch(() => {}),
    200,
  );
  const finished = await done;
  clearInterval(timer);
  bar.draw(finished.progress, `${finished.processed}/${finished.total}`);
  bar.end();
  printSummary(finished, (Date.now() - started) / 1000);
  await sequelize.close();
  return finished.status === 'succeeded' ? 0 : 1;
}

function printSummary(job: ImportJobView, seconds: number): void {
  const verb = job.dryRun ? '将' : '';
  process.stdout.write(
    `${job.status === 'succeeded' ? '完成' : '失败'}（${seconds.toFixed(1)} s）：${verb}新增 ${job.created}，${verb}更新 ${job.updated}，跳过 ${job.skipped}，失败 ${job.failed}\n`,
  );
  for (const e of job.errors.slice(0, 20)) process.stdout.write(`  第 ${e.row} 行${e.column ? `【${e.column}】` : ''}：${e.message}\n`);
  if (job.errorCount > 20) process.stdout.write(`  …共 ${job.errorCount} 条问题，完整列表见 管理 → 导入 的错误报告（任务 #${job.id}）\n`);
  if (job.error) process.stderr.write(`${job.error}\n`);
}

async function callerFor(sequelize: Sequelize, userid: string | undefined): Promise<Caller> {
  const [user] = await sequelize.query<{ id: number; wecom_userid: string; main_department_id: number | null }>(
    userid
      ? "SELECT id, wecom_userid, main_department_id FROM users WHERE wecom_userid = ? AND status = 'active'"
      : "SELECT u.id, u.wecom_userid, u.main_department_id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id WHERE r.code = 'admin' AND u.status = 'active' ORDER BY u.id LIMIT 1",
    { replacements: userid ? [userid] : [], type: QueryTypes.SELECT },
  );
  if (!user) throw new Error(userid ? `没有在职员工 ${userid}` : '没有可用的管理员：请用 --as 指定导入人（先同步组织架构）');
  const access = await loadAccess(sequelize, Number(user.id));
  if (!access.permissions.has('import.run')) throw new Error(`${user.wecom_userid} 没有导入权限（import.run）`);
  return {
    access,
    actor: { userId: Number(user.id), label: `cli:${user.wecom_userid}` },
    mainDepartmentId: user.main_department_id === null ? null : Number(user.main_department_id),
  };
}

run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
