import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { targetPeriod } from '@shared/targets';
import { requirePermission, requireUser } from '../../http/auth';
import { callerOf } from '../org/caller';
import { validate } from '../../http/validate';
import { dataQuality } from './data-quality';
import { pipelineDashboard } from './pipeline';
import { poolDashboard } from './pool';
import { aumDashboard, consignmentDashboard, customerDashboard, myPeriod, salesDashboard, targetDashboard } from './service';

const query = z.object({
  period: targetPeriod.optional(),
  departmentId: z.coerce.number().int().positive().optional(),
});
const pipelineQuery = query.extend({ staleDays: z.coerce.number().int().min(1).max(365).optional() });
/** 看板's 销售额 may be narrowed to one channel (all by default). */
const salesQuery = query.extend({ channel: z.enum(['all', 'direct', 'consignment'], '渠道应为全部、直销或代销').optional() });

/** `GET /api/dashboard/{customers,sales,consignment,targets,aum}?period=&departmentId=` (and `sales?channel=`), `…/pipeline?staleDays=`, `…/pool`, `…/data-quality` (server/README.md#http-contract, #dashboards). */
export function dashboardRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/dashboard' });
  const view = requirePermission('dashboard.view');
  const boards = { customers: customerDashboard, sales: salesDashboard, consignment: consignmentDashboard, targets: targetDashboard, aum: aumDashboard };
  for (const [name, board] of Object.entries(boards)) {
    router.get(`/${name}`, view, async (ctx) => {
      ctx.body = await board(sequelize, callerOf(ctx).access, validate(name === 'sales' ? salesQuery : query, ctx.query));
    });
  }
  // 商机漏斗与预测 (server/README.md#opportunities-商机): stale after `staleDays` without a stage change.
  router.get('/pipeline', view, async (ctx) => {
    ctx.body = await pipelineDashboard(sequelize, callerOf(ctx).access, validate(pipelineQuery, ctx.query));
  });
  // 公海: its size, entries and claims in the period, customers recycled per rule.
  router.get('/pool', view, async (ctx) => {
    ctx.body = await poolDashboard(sequelize, callerOf(ctx).access, validate(query, ctx.query));
  });
  // 数据质量 on 运营's home.
  router.get('/data-quality', view, async (ctx) => {
    ctx.body = await dataQuality(sequelize, callerOf(ctx).access);
  });
  // 我的本月 on the workbench: anyone, for themselves only.
  router.get('/mine', requireUser, async (ctx) => {
    ctx.body = await myPeriod(sequelize, callerOf(ctx).access, validate(query, ctx.query));
  });
  return router;
}
