/**
 * Import jobs (server/README.md#import-flow). The upload is checked at once (a real .xlsx, a header row with the
 * required columns) and kept with its job; the rows are then planned and written in the
 * background, batch by batch. A batch is one transaction together with the job's counters and
 * the errors of its rows, so a crash leaves whole batches and a job that knows where to resume.
 */
import { randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { IMPORT_KINDS, type ImportJobView, type ImportKind, type ImportMode, type ImportRowError } from '@shared/imports';
import type { Config } from '../../../config';
import { retryOnDeadlock } from '../../db/dialect';
import { isConnectionLost } from '../../db/failover';
import { iso, isoOrNull } from '../../db/lookup';
import { PERMISSIONS } from '@shared/permissions';
import { conflict, DomainError, forbidden, notFound, payloadTooLarge } from '../../errors';
import { DurableQueue, queueTable } from '../../jobs/queue';
import type { Logger } from '../../logger';
import { audit } from '../audit/service';
import { listDictionaries } from '../dictionaries/service';
import type { Caller } from '../roles/ownership';
import { layoutOf } from './columns';
import { KINDS, type KindSpec } from './kinds';
import { importModels, type ImportJobRow } from './models';
import { planRows, type RowOutcome } from './rows';
import { buildWorkbook, readFirstSheetOffThread, type Cell, type SheetRow } from './workbook';

export interface ImportDeps {
  sequelize: Sequelize;
  logger: Logger;
  settings: Config['imports'];
  /** Told about each running job, so shutdown can wait for it. */
  onBackgroundTask?: (task: Promise<unknown>) => void;
}

export interface Upload {
  kind: ImportKind;
  mode: ImportMode;
  dryRun: boolean;
  fileName: string;
  file: Buffer;
}

export interface StartedImport {
  job: ImportJobView;
  /** Settles when the job has finished or failed; never rejects. */
  done: Promise<ImportJobView>;
}

const ERRORS_SHOWN = 100;

/**
 * An import writes what the API path of its kind writes, so it needs that path's permission
 * besides `import.run` (issue 29: 运营, read-only, wrote sales and customers corp-wide through
 * imports). Its rows are held to the importer's scope by the planner: owners and referenced
 * customers are found only inside it, a match outside it is an error of its row.
 */
function requireWritePermission(caller: Caller, kind: ImportKind): void {
  const permission = KINDS[kind].writePermission;
  if (!caller.access.permissions.has(permission)) {
    throw forbidden(`导入${IMPORT_KINDS[kind]}需要「${PERMISSIONS[permission]}」权限，你的角色没有`);
  }
}

/** Checks the file, stores the job and starts it; a bad file is a 400 and leaves no job. */
export async function startImport(deps: ImportDeps, caller: Caller, upload: Upload): Promise<StartedImport> {
  requireWritePermission(caller, upload.kind);
  if (upload.file.length > deps.settings.maxBytes) throw fileTooLarge(deps.settings.maxBytes);
  const spec = KINDS[upload.kind];
  const rows = await readFirstSheetOffThread(upload.file);
  const layout = layoutOf(rows, spec.columns);
  const job = await importModels(deps.sequelize).ImportJob.create({
    kind: upload.kind,
    mode: upload.mode,
    dry_run: upload.dryRun,
    status: 'queued',
    file_name: upload.fileName.slice(0, 256),
    file: upload.file,
    total: layout.dataRows.length,
    unknown_columns: JSON.stringify(layout.unknownColumns),
    created_by: caller.access.userId,
  });
  // Parsing a big sheet takes a while (~1.5 s per 50k rows): once per upload.
  return run(deps, caller, job.get().id, rows);
}

export const fileTooLarge = (maxBytes: number) => payloadTooLarge(`文件超过 ${Math.round(maxBytes / 1024 / 1024)} MB，请拆分后分批导入`);

/** Writes what a finished dry run checked, as a new job over the same file (no second upload). */
export async function commitDryRun(deps: ImportDeps, caller: Caller, dryRunId: number): Promise<StartedImport> {
  const dry = await ownJob(deps.sequelize, caller, dryRunId);
  requireWritePermission(caller, dry.kind);
  if (!dry.dry_run || dry.status !== 'succeeded') throw conflict('只能确认已完成的试导入');
  const row = await importModels(deps.sequelize).ImportJob.create({
    kind: dry.kind,
    mode: dry.mode,
    dry_run: false,
    status: 'queued',
    file_name: dry.file_name,
    file: dry.file,
    source_job_id: dry.id,
    total: dry.total,
    unknown_columns: dry.unknown_columns,
    created_by: caller.access.userId,
  });
  return run(deps, caller, row.get().id);
}

/** Carries on an import that was cut off (a restart) or failed between batches. */
export async function resumeImport(deps: ImportDeps, caller: Caller, id: number): Promise<StartedImport> {
  const job = await ownJob(deps.sequelize, caller, id);
  requireWritePermission(caller, job.kind);
  if (!viewOf(job, [], 0, deps.settings, new Date()).resumable) throw conflict('这个导入没有中断，无需继续');
  return run(deps, caller, id);
}

export async function getImportJob(deps: ImportDeps, caller: Caller, id: number): Promise<ImportJobView> {
  const job = await ownJob(deps.sequelize, caller, id);
  const { ImportError } = importModels(deps.sequelize);
  const [errors, errorCount] = await Promise.all([
    ImportError.findAll({
      where: { job_id: id },
      order: [
        ['row_number', 'ASC'],
        ['id', 'ASC'],
      ],
      limit: ERRORS_SHOWN,
    }),
    ImportError.count({ where: { job_id: id } }),
  ]);
  return viewOf(
    job,
    errors.map((e) => e.get()),
    errorCount,
    deps.settings,
    new Date(),
  );
}

/** The caller's own import jobs, newest first (without their files). */
export async function listImportJobs(deps: ImportDeps, caller: Caller, limit = 20): Promise<ImportJobView[]> {
  const rows = await importModels(deps.sequelize).ImportJob.findAll({
    where: { created_by: caller.access.userId },
    attributes: { exclude: ['file'] },
    order: [['id', 'DESC']],
    limit,
  });
  return rows.map((r) => viewOf(r.get(), [], 0, deps.settings, new Date()));
}

async function ownJob(sequelize: Sequelize, caller: Caller, id: number): Promise<ImportJobRow> {
  const job = (await importModels(sequelize).ImportJob.findOne({ where: { id, created_by: caller.access.userId } }))?.get();
  if (!job) throw notFound('导入任务不存在');
  return job;
}

function viewOf(
  job: ImportJobRow,
  errors: { row_number: number; column_name: string | null; value: string | null; message: string }[],
  errorCount: number,
  settings: Config['imports'],
  now: Date,
): ImportJobView {
  const cutOff = job.status === 'running' && (!job.heartbeat_at || now.getTime() - new Date(job.heartbeat_at).getTime() > settings.staleAfterMs);
  const status = cutOff ? 'failed' : job.status;
  const unfinished = job.processed < job.total;
  return {
    id: job.id,
    kind: job.kind,
    mode: job.mode,
    dryRun: Boolean(job.dry_run),
    status,
    fileName: job.file_name,
    total: job.total,
    processed: job.processed,
    created: job.created,
    updated: job.updated,
    skipped: job.skipped,
    failed: job.failed,
    errors: errors.map((e) => ({ row: e.row_number, column: e.column_name, value: e.value, message: e.message })),
    errorCount,
    unknownColumns: JSON.parse(job.unknown_columns) as string[],
    error: cutOff ? `导入中断（服务重启或崩溃）：已处理 ${job.processed} / ${job.total} 行，可以继续导入` : job.error,
    resumable: status === 'failed' && unfinished,
    progress: job.total ? Math.floor((job.processed / job.total) * 100) : status === 'succeeded' ? 100 : 0,
    createdAt: iso(job.created_at),
    finishedAt: isoOrNull(job.finished_at),
  };
}

/**
 * The import jobs as a queue of the one job machinery: `heartbeat_at` is the lease, `failed` the
 * end of the road (an import is not retried by itself — a person resumes it).
 */
const IMPORT_QUEUE = queueTable(
  'import_jobs',
  { column: 'status', ready: 'queued', running: 'running', dead: 'failed' },
  { dueAt: 'run_at', lockedAt: 'heartbeat_at', lastError: 'error', order: 'q.id' },
);
const importQueue = (sequelize: Sequelize) => new DurableQueue(sequelize, IMPORT_QUEUE, { maxAttempts: 1, baseMs: 0, capMs: 0 });

/** Claims the job and works it in the background; `done` lets callers (tests, the CLI) wait. */
async function run(deps: ImportDeps, caller: Caller, id: number, parsed?: SheetRow[]): Promise<StartedImport> {
  const queue = importQueue(deps.sequelize);
  const owner = `import:${randomUUID()}`;
  // Claim: a queued job, a failed one, or one whose runner went silent — never one still alive.
  await queue.reclaim(deps.settings.staleAfterMs, { sql: 'id = ?', params: [id] });
  await queue.retryDead([id]);
  if (!(await queue.claimOne(owner, id))) throw conflict('这个导入正在进行中');
  await importModels(deps.sequelize).ImportJob.update({ error: null, finished_at: null }, { where: { id } });
  const job = await getImportJob(deps, caller, id);
  const done = work(deps, caller, id, queue, owner, parsed).then(
    () => getImportJob(deps, caller, id),
    () => getImportJob(deps, caller, id),
  );
  deps.onBackgroundTask?.(done);
  return { job, done };
}

/** Counts of one batch, added to the job in the batch's transaction. */
interface Tally {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

async function work(deps: ImportDeps, caller: Caller, id: number, queue: DurableQueue, owner: string, parsed?: SheetRow[]): Promise<void> {
  const { sequelize, logger, settings } = deps;
  const { ImportJob } = importModels(sequelize);
  const heartbeat = setInterval(() => void queue.heartbeat(owner, [id]).catch(() => undefined), Math.max(200, settings.staleAfterMs / 3));
  try {
    const job = (await ImportJob.findByPk(id))!.get();
    const spec = KINDS[job.kind];
    const layout = layoutOf(parsed ?? (await readFirstSheetOffThread(job.file)), spec.columns);
    const plan = await planRows(sequelize, spec, layout, layout.dataRows, caller, job.mode, await listDictionaries(sequelize));
    const pending = plan.filter((o) => o.row > job.done_through_row);
    for (let i = 0; i < pending.length; i += settings.batchSize) {
      const batch = pending.slice(i, i + settings.batchSize);
      if (job.dry_run) await recordBatch(sequelize, id, batch, preview(batch));
      else await writeBatch(deps, spec, caller, id, batch);
    }
    const finished = (await ImportJob.findByPk(id))!.get();
    await queue.complete(owner, id, 'succeeded', { finished_at: new Date() });
    if (!job.dry_run) {
      await audit(sequelize, caller.actor, {
        action: `import.${job.kind}`,
        entity: 'import_job',
        entityId: id,
        summary: `导入${IMPORT_KINDS[job.kind]}（${job.file_name}）：新增 ${finished.created}，更新 ${finished.updated}，跳过 ${finished.skipped}，失败 ${finished.failed}`,
      });
    }
  } catch (err) {
    logger.error({ err, importJobId: id }, 'import job failed');
    const message = err instanceof DomainError ? err.message : isConnectionLost(err) ? '数据库连接中断，可以继续导入' : '服务器内部错误';
    await queue.fail(owner, id, 1, `导入失败：${message}`, { permanent: true }).catch(() => undefined);
    await ImportJob.update({ finished_at: new Date() }, { where: { id } }).catch(() => undefined);
  } finally {
    clearInterval(heartbeat);
  }
}

/** A dry run's counts: what committing would do. */
function preview(batch: RowOutcome[]): { tally: Tally; errors: ImportRowError[] } {
  const tally: Tally = { created: 0, updated: 0, skipped: 0, failed: 0 };
  for (const o of batch) tally[o.action === 'create' ? 'created' : o.action === 'update' ? 'updated' : o.action === 'skip' ? 'skipped' : 'failed']++;
  return { tally, errors: batch.flatMap((o) => o.errors) };
}

/**
 * One batch in one transaction with its counters and errors. If any write fails the whole batch
 * is rolled back, and its rows are reported as failed (the rows already invalid keep their reasons)
 * — unless the connection itself was lost, which ends the job resumable instead.
 */
async function writeBatch(deps: ImportDeps, spec: KindSpec, caller: Caller, id: number, batch: RowOutcome[]): Promise<void> {
  const { sequelize, logger } = deps;
  const by = caller.access.userId;
  try {
    // A deadlock or a lost Galera certification conflict (another node wrote the same rollup row) rolled all of it back: again.
    await retryOnDeadlock(() =>
      sequelize.transaction(async (transaction) => {
        const { tally, errors } = preview(batch);
        await spec.insert(
          sequelize,
          batch.filter((o) => o.action === 'create'),
          by,
          transaction,
          caller.actor,
          caller,
        );
        // Updates are counted as they land: a record edited since planning is left alone.
        tally.updated = 0;
        for (const o of batch) {
          if (o.action === 'update') {
            if (await spec.update(sequelize, o.record, o.changes, caller.actor, transaction)) tally.updated++;
            else {
              tally.failed++;
              errors.push({ row: o.row, column: null, value: null, message: `${spec.noun}在导入期间被他人修改，未更新，请重新导入这一行` });
            }
          }
        }
        await recordBatch(sequelize, id, batch, { tally, errors }, transaction);
      }),
    );
  } catch (err) {
    // The database node went away mid-batch: the rows are not at fault. The job stops where its
    // last committed batch ended (done_through_row commits with the batch) and can be resumed.
    if (isConnectionLost(err)) throw err;
    logger.warn({ err, importJobId: id, rows: [batch[0]!.row, batch.at(-1)!.row] }, 'import batch rolled back');
    const range = `第 ${batch[0]!.row}–${batch.at(-1)!.row} 行`;
    const tally: Tally = { created: 0, updated: 0, skipped: 0, failed: 0 };
    const errors: ImportRowError[] = [];
    for (const o of batch) {
      if (o.action === 'skip') tally.skipped++;
      else tally.failed++;
      errors.push(
        ...(o.action === 'create' || o.action === 'update'
          ? [{ row: o.row, column: null, value: null, message: `本批（${range}）写入失败，整批未写入：${reasonOf(err)}` }]
          : o.errors),
      );
    }
    await recordBatch(sequelize, id, batch, { tally, errors });
  }
}

/** What a failed write says to a user: a database error in one line, without SQL. */
function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split('\n')[0]!
    .replace(/^(SQLITE_\w+|ER_\w+):\s*/, '')
    .slice(0, 160);
}

async function recordBatch(
  sequelize: Sequelize,
  id: number,
  batch: RowOutcome[],
  outcome: { tally: Tally; errors: ImportRowError[] },
  transaction?: Transaction,
): Promise<void> {
  const { ImportJob, ImportError } = importModels(sequelize);
  await ImportJob.increment({ processed: batch.length, ...outcome.tally }, { where: { id }, transaction });
  await ImportJob.update({ done_through_row: batch.at(-1)!.row, heartbeat_at: new Date() }, { where: { id }, transaction });
  if (outcome.errors.length) {
    await ImportError.bulkCreate(
      outcome.errors.map((e) => ({
        job_id: id,
        row_number: e.row,
        column_name: e.column?.slice(0, 128) ?? null,
        value: e.value?.slice(0, 512) ?? null,
        message: e.message.slice(0, 512),
      })),
      { transaction },
    );
  }
}

/** The rows that have problems, as uploaded, with a 错误原因 column. */
export async function importErrorReport(deps: ImportDeps, caller: Caller, id: number): Promise<{ fileName: string; body: Buffer }> {
  const job = await ownJob(deps.sequelize, caller, id);
  const errors = (
    await importModels(deps.sequelize).ImportError.findAll({
      where: { job_id: id },
      order: [
        ['row_number', 'ASC'],
        ['id', 'ASC'],
      ],
    })
  ).map((e) => e.get());
  const rows = await readFirstSheetOffThread(job.file);
  const layout = layoutOf(rows, KINDS[job.kind].columns);
  const header = rows[layout.headerRow - 1]!.cells;
  const width = Math.max(header.length, ...layout.dataRows.map((r) => r.cells.length));
  const pad = (cells: Cell[]) => [...cells, ...Array<Cell>(Math.max(0, width - cells.length)).fill(null)];
  const reasons = new Map<number, string[]>();
  for (const e of errors) reasons.set(e.row_number, [...(reasons.get(e.row_number) ?? []), e.column_name ? `${e.column_name}：${e.message}` : e.message]);
  const out: Cell[][] = [[...pad(header), '错误原因', '原行号']];
  for (const row of layout.dataRows) {
    const why = reasons.get(row.number);
    if (why) out.push([...pad(row.cells), why.join('；'), row.number]);
  }
  const base = job.file_name.replace(/\.xlsx$/i, '');
  return { fileName: `${base}-错误报告.xlsx`, body: buildWorkbook([{ name: '错误报告', rows: out }]) };
}

/** The template: headers (required ones starred) with an example row, and the allowed values. */
export async function importTemplate(sequelize: Sequelize, kind: ImportKind): Promise<Buffer> {
  const spec = KINDS[kind];
  const dictionaries = await listDictionaries(sequelize);
  const columns = spec.columns.filter((c) => c.type !== 'id');
  const lists = columns
    .filter((c) => c.type === 'dictionary')
    .map((c) => [c.header, ...dictionaries[c.dictionary!].filter((v) => v.enabled).map((v) => v.label)]);
  const depth = Math.max(...lists.map((l) => l.length));
  const allowed: Cell[][] = Array.from({ length: depth }, (_, r) => lists.map((l) => l[r] ?? null));
  return buildWorkbook([
    {
      name: `${IMPORT_KINDS[kind]}导入`,
      rows: [columns.map((c) => (c.required ? `${c.header}*` : c.header)), columns.map((c) => c.sample || null)],
      widths: columns.map((c) => Math.max(12, c.header.length * 2 + 4)),
    },
    { name: '可选值', rows: allowed, widths: lists.map(() => 24) },
  ]);
}
