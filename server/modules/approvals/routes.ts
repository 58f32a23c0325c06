import Router from '@koa/router';
import { z } from 'zod';
import { APPROVAL_TYPE_CODES, approvalListQuerySchema, approvalRuleSchema, approveSchema, rejectSchema } from '@shared/approvals';
import { requirePermission, requireUser } from '../../http/auth';
import { idParam, pageFields, validate } from '../../http/validate';
import { actorOf, callerOf, crmCallerOf } from '../org/caller';
import type { ApprovalEngine } from './engine';

const listQuery = approvalListQuerySchema.extend(pageFields);
const typeParam = z.object({ type: z.enum(APPROVAL_TYPE_CODES) });

/**
 * 审批 over HTTP (server/README.md#approvals-审批): anyone signed in sees what waits for them and what
 * they asked, and decides or withdraws; the engine says who may. An admin sets each type's rule.
 */
export function approvalRoutes(deps: { approvals: ApprovalEngine }): Router {
  const { approvals } = deps;
  const router = new Router();

  router.get('/api/approvals', requireUser, async (ctx) => {
    const { mine, ...query } = validate(listQuery, ctx.query);
    ctx.body = await approvals.list(callerOf(ctx).access, { ...query, mine: mine === '1' });
  });
  router.get('/api/approvals/:id', requireUser, async (ctx) => {
    ctx.body = await approvals.get(callerOf(ctx).access, validate(idParam, ctx.params).id);
  });
  router.post('/api/approvals/:id/approve', requireUser, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await approvals.approve(crmCallerOf(ctx), id, validate(approveSchema, ctx.request.body ?? {}).comment);
  });
  router.post('/api/approvals/:id/reject', requireUser, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await approvals.reject(crmCallerOf(ctx), id, validate(rejectSchema, ctx.request.body ?? {}).comment);
  });
  router.post('/api/approvals/:id/withdraw', requireUser, async (ctx) => {
    ctx.body = await approvals.withdraw(crmCallerOf(ctx), validate(idParam, ctx.params).id);
  });

  const manage = requirePermission('approval.manage');
  router.get('/api/admin/approval-rules', manage, async (ctx) => {
    ctx.body = await approvals.listRules();
  });
  router.put('/api/admin/approval-rules/:type', manage, async (ctx) => {
    const { type } = validate(typeParam, ctx.params);
    ctx.body = await approvals.saveRule(actorOf(ctx), type, validate(approvalRuleSchema, ctx.request.body));
  });
  return router;
}
