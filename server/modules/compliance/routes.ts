import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { APPROVAL_STATUSES, APPROVAL_TYPE_CODES, type ApprovalStatus } from '@shared/approvals';
import { auditFilterSchema, lapsingAssessmentsQuerySchema, suitabilityLedgerQuerySchema } from '@shared/compliance';
import type { ComplianceSummary } from '@shared/compliance';
import { requirePermission } from '../../http/auth';
import { sendWorkbook } from '../../http/download';
import { pageFields, validate } from '../../http/validate';
import type { ApprovalEngine } from '../approvals/engine';
import { callerOf, crmCallerOf } from '../org/caller';
import { exportAuditLog, exportSuitabilityLedger } from './exports';
import { complianceFigures, lapsingAssessments, suitabilityLedger } from './reads';

const approvalsQuery = z.object({
  ...pageFields,
  status: z.enum(Object.keys(APPROVAL_STATUSES) as [ApprovalStatus, ...ApprovalStatus[]]).default('pending'),
  type: z.enum(APPROVAL_TYPE_CODES).optional(),
});

/**
 * 合规工作台 over HTTP (server/README.md#compliance-workspace-合规), `compliance.view`: every approval
 * of the corp by state, the suitability ledger and its export, lapsing assessments, the figures; the
 * audit log's export also needs `audit.read` (its list is `GET /api/admin/audit-logs`).
 */
export function complianceRoutes(deps: { sequelize: Sequelize; approvals: ApprovalEngine }): Router {
  const { sequelize, approvals } = deps;
  const router = new Router({ prefix: '/api/compliance' });
  router.use(requirePermission('compliance.view'));

  router.get('/summary', async (ctx) => {
    const access = callerOf(ctx).access;
    const [pending, figures] = await Promise.all([
      approvals.list(access, { all: true, status: 'pending', page: 1, pageSize: 1 }),
      complianceFigures(sequelize, access),
    ]);
    ctx.body = { pendingApprovals: pending.total, ...figures } satisfies ComplianceSummary;
  });
  router.get('/approvals', async (ctx) => {
    ctx.body = await approvals.list(callerOf(ctx).access, { ...validate(approvalsQuery, ctx.query), all: true });
  });
  router.get('/suitability', async (ctx) => {
    ctx.body = await suitabilityLedger(sequelize, callerOf(ctx).access, validate(suitabilityLedgerQuerySchema.extend(pageFields), ctx.query));
  });
  router.get('/suitability.xlsx', async (ctx) => {
    const file = await exportSuitabilityLedger(sequelize, crmCallerOf(ctx), validate(suitabilityLedgerQuerySchema, ctx.query));
    sendWorkbook(ctx, file.fileName, file.body);
  });
  router.get('/assessments', async (ctx) => {
    ctx.body = await lapsingAssessments(sequelize, callerOf(ctx).access, validate(lapsingAssessmentsQuerySchema.extend(pageFields), ctx.query));
  });
  router.get('/audit-logs.xlsx', requirePermission('audit.read'), async (ctx) => {
    const file = await exportAuditLog(sequelize, crmCallerOf(ctx), validate(auditFilterSchema, ctx.query));
    sendWorkbook(ctx, file.fileName, file.body);
  });
  return router;
}
