/**
 * `GET /api/opportunities/export.xlsx` (server/README.md#opportunities-商机): the 商机 list under its
 * own filters, in the caller's scope, in Chinese columns — the import's columns first, so an edited
 * export reads back — audited with its row count and its filter, like 合规's exports. Lives with
 * the workbooks (imports) so that opportunities, which imports import, imports nothing back.
 */
import Router from '@koa/router';
import { Op, type Sequelize } from 'sequelize';
import { businessDate } from '@shared/time';
import { requirePermission } from '../../http/auth';
import { sendWorkbook } from '../../http/download';
import { validate } from '../../http/validate';
import { validationFailed } from '../../errors';
import { audit } from '../audit/service';
import { crmCallerOf } from '../org/caller';
import { listOpportunities, type OpportunityListQuery } from '../opportunities/service';
import { opportunityListQuery } from '../opportunities/routes';
import { productModels } from '../products/models';
import type { Caller } from '../roles/ownership';
import { MAX_ROWS, buildWorkbook, type Cell } from './workbook';

const PAGE = 100;

export async function exportOpportunities(sequelize: Sequelize, caller: Caller, filter: Omit<OpportunityListQuery, 'page' | 'pageSize'>) {
  const first = await listOpportunities(sequelize, caller.access, { ...filter, page: 1, pageSize: PAGE });
  if (first.total > MAX_ROWS) throw validationFailed(`符合条件的商机有 ${first.total} 个，超过一次导出的上限 ${MAX_ROWS}，请缩小筛选范围`);
  const items = [...first.items];
  for (let page = 2; items.length < first.total; page++) {
    const next = await listOpportunities(sequelize, caller.access, { ...filter, page, pageSize: PAGE });
    if (!next.items.length) break;
    items.push(...next.items);
  }
  const header = [
    '客户名称',
    '产品代码',
    '商机名称',
    '预计金额（元）',
    '预计成交日期',
    '阶段',
    '下一步',
    '成交概率（%）',
    '加权金额（元）',
    '负责人',
    '输单原因',
    '系统编号',
  ];
  const wanted = [...new Set(items.flatMap((o) => o.products.map((p) => p.id)))];
  const products = await productModels(sequelize).Product.findAll({ where: { id: { [Op.in]: wanted } } });
  const codeOf = new Map(products.map((p) => [p.get().id, p.get().code]));
  const rows = items.map((o): Cell[] => [
    o.customer.name,
    o.products.map((p) => codeOf.get(p.id) ?? p.name).join('、'),
    o.name,
    o.expectedAmount,
    o.expectedOn,
    o.stageLabel,
    o.nextStep,
    o.probability,
    o.weightedAmount,
    o.owner.name,
    o.lossReasonLabel,
    o.id,
  ]);
  const given = Object.entries(filter).filter(([, v]) => v !== undefined);
  const filterText = given.length ? given.map(([k, v]) => `${k}=${String(v)}`).join('、') : '全部';
  await audit(sequelize, caller.actor, {
    action: 'opportunity.export',
    entity: 'export',
    summary: `导出商机 ${items.length} 个（筛选：${filterText}）`,
    diff: { filter, count: items.length },
  });
  return {
    fileName: `商机-${businessDate(new Date())}.xlsx`,
    body: buildWorkbook([{ name: '商机', rows: [header, ...rows], widths: header.map((h) => Math.max(12, h.length * 2 + 4)) }]),
  };
}

export function opportunityExportRoutes(deps: { sequelize: Sequelize }): Router {
  const router = new Router({ prefix: '/api/opportunities' });
  router.get('/export.xlsx', requirePermission('customer.export'), async (ctx) => {
    const { page: _page, pageSize: _size, ...filter } = validate(opportunityListQuery, ctx.query);
    const file = await exportOpportunities(deps.sequelize, crmCallerOf(ctx), filter);
    sendWorkbook(ctx, file.fileName, file.body);
  });
  return router;
}
