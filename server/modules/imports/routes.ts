import Router from '@koa/router';
import { z } from 'zod';
import { IMPORT_KINDS, IMPORT_MODES } from '@shared/imports';
import { requirePermission } from '../../http/auth';
import { crmCallerOf } from '../org/caller';
import { sendWorkbook } from '../../http/download';
import { readUploadedFile } from '../../http/multipart';
import { idParam, validate } from '../../http/validate';
import {
  commitDryRun,
  fileTooLarge,
  getImportJob,
  importErrorReport,
  importTemplate,
  listImportJobs,
  resumeImport,
  startImport,
  type ImportDeps,
} from './service';

const kinds = Object.keys(IMPORT_KINDS) as [keyof typeof IMPORT_KINDS, ...(keyof typeof IMPORT_KINDS)[]];
const uploadQuery = z.object({
  kind: z.enum(kinds),
  mode: z.enum(Object.keys(IMPORT_MODES) as ['create', 'upsert']).default('create'),
  dryRun: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});
const templateParams = z.object({ kind: z.enum(kinds) });

export function importRoutes(deps: ImportDeps): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/imports' });
  router.use(requirePermission('import.run'));

  router.get('/templates/:kind.xlsx', async (ctx) => {
    const { kind } = validate(templateParams, ctx.params);
    sendWorkbook(ctx, `${IMPORT_KINDS[kind]}导入模板.xlsx`, await importTemplate(sequelize, kind));
  });

  router.get('/', async (ctx) => {
    ctx.body = { items: await listImportJobs(deps, crmCallerOf(ctx)) };
  });

  router.post('/', async (ctx) => {
    const query = validate(uploadQuery, ctx.query);
    const file = await readUploadedFile(ctx, 'file', deps.settings.maxBytes, () => fileTooLarge(deps.settings.maxBytes));
    const { job } = await startImport(deps, crmCallerOf(ctx), { ...query, fileName: file.fileName, file: file.body });
    ctx.status = 202;
    ctx.body = job;
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await getImportJob(deps, crmCallerOf(ctx), validate(idParam, ctx.params).id);
  });

  router.get('/:id/errors.xlsx', async (ctx) => {
    const report = await importErrorReport(deps, crmCallerOf(ctx), validate(idParam, ctx.params).id);
    sendWorkbook(ctx, report.fileName, report.body);
  });

  router.post('/:id/commit', async (ctx) => {
    const { job } = await commitDryRun(deps, crmCallerOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 202;
    ctx.body = job;
  });

  router.post('/:id/resume', async (ctx) => {
    const { job } = await resumeImport(deps, crmCallerOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 202;
    ctx.body = job;
  });

  return router;
}
