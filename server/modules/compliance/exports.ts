/**
 * 合规's two exports (server/README.md#compliance-workspace-合规): the suitability ledger and the audit
 * log, each in Chinese columns, each audited with its row count and its filter in Chinese.
 */
import type { Sequelize } from 'sequelize';
import { auditActionLabel, auditEntityLabel, auditSummaryText } from '@shared/audit';
import { SUITABILITY_OUTCOMES, type AuditFilter, type SuitabilityLedgerQuery } from '@shared/compliance';
import { TRADE_CHANNELS } from '@shared/ledger';
import { CUSTOMER_RISK_LABELS, INVESTOR_CLASSES, PRODUCT_RISK_LABELS, type CustomerRiskLevel } from '@shared/risk-profile';
import { businessDate, businessDateTime } from '@shared/time';
import { namesById } from '../../db/lookup';
import { validationFailed } from '../../errors';
import { audit, listAuditLogs } from '../audit/service';
import { MAX_ROWS, buildWorkbook, type Cell } from '../imports/workbook';
import type { Caller } from '../roles/ownership';
import { suitabilityLedgerAll } from './reads';

const PAGE = 1000;
const tooMany = (total: number) => validationFailed(`符合条件的记录有 ${total} 条，超过一次导出的上限 ${MAX_ROWS}，请缩小筛选范围`);
const levelText = (level: CustomerRiskLevel | null) => (level ? `${level} ${CUSTOMER_RISK_LABELS[level]}` : '未测评');
const fileOf = (title: string, header: string[], rows: Cell[][]) => ({
  fileName: `${title}-${businessDate(new Date())}.xlsx`,
  body: buildWorkbook([{ name: title, rows: [header, ...rows], widths: header.map((h) => Math.max(12, h.length * 2 + 4)) }]),
});

/** A filter as people read it: 「交易日期 2026-01-01 至 2026-03-31、部门 华东销售部」, 「全部」 without one. */
function filterText(parts: [string, string | undefined | null][]): string {
  const given = parts.filter(([, v]) => v).map(([name, v]) => `${name} ${v}`);
  return given.length ? given.join('、') : '全部';
}

async function departmentName(sequelize: Sequelize, id: number | undefined): Promise<string | undefined> {
  return id ? ((await namesById(sequelize, 'departments', [id])).get(id) ?? '（已不存在的部门）') : undefined;
}

/** `GET /api/compliance/suitability.xlsx`. */
export async function exportSuitabilityLedger(
  sequelize: Sequelize,
  caller: Caller,
  query: SuitabilityLedgerQuery,
): Promise<{ fileName: string; body: Buffer }> {
  const rows = await suitabilityLedgerAll(sequelize, caller.access, query, MAX_ROWS).catch((err: unknown) => {
    throw err instanceof RangeError ? tooMany(Number(err.message)) : err;
  });
  const header = [
    '交易日期',
    '录入时间',
    '客户',
    '投资者类别',
    '交易时风险等级',
    '测评日期',
    '测评有效期至',
    '现风险等级',
    '产品',
    '产品风险等级',
    '金额（元）',
    '渠道',
    '销售人员',
    '部门',
    '适当性结果',
    '例外原因',
    '审批单号',
    '批准人',
    '录入人',
  ];
  const body = rows.map((r): Cell[] => [
    r.tradedOn,
    businessDateTime(new Date(r.bookedAt)),
    r.customer.name,
    INVESTOR_CLASSES[r.investorClass],
    r.investorClass === 'professional' ? '—' : levelText(r.customerLevel),
    r.assessedOn,
    r.assessmentExpiresOn,
    r.changedSince ? levelText(r.currentLevel) : '（未变）',
    r.product.name,
    `${r.product.riskLevel} ${PRODUCT_RISK_LABELS[r.product.riskLevel as keyof typeof PRODUCT_RISK_LABELS] ?? ''}`.trim(),
    r.amount,
    TRADE_CHANNELS[r.channel],
    r.rep?.name ?? null,
    r.department?.name ?? null,
    SUITABILITY_OUTCOMES[r.outcome],
    r.exception?.reason ?? null,
    r.exception?.approval ? `#${r.exception.approval.id}` : r.exception ? '未经审批流程' : null,
    r.exception?.approval?.approvers.join('、') ?? null,
    r.exception?.recordedBy ?? null,
  ]);
  const text = filterText([
    ['交易日期', query.from || query.to ? `${query.from ?? '最早'} 至 ${query.to ?? '今天'}` : undefined],
    ['部门', await departmentName(sequelize, query.departmentId)],
    ['结果', query.outcome && SUITABILITY_OUTCOMES[query.outcome]],
  ]);
  await audit(sequelize, caller.actor, {
    action: 'compliance.export_suitability',
    entity: 'export',
    summary: `导出适当性台账 ${rows.length} 条（筛选：${text}）`,
    diff: { filter: query, filterText: text, count: rows.length },
  });
  return fileOf('适当性台账', header, body);
}

/** `GET /api/compliance/audit-logs.xlsx`: the log under the list's own filters, newest first, every label in Chinese. */
export async function exportAuditLog(sequelize: Sequelize, caller: Caller, filter: AuditFilter): Promise<{ fileName: string; body: Buffer }> {
  const entries = [];
  for (let page = 1; ; page++) {
    const { items, total } = await listAuditLogs(sequelize, { ...filter, page, pageSize: PAGE });
    if (total > MAX_ROWS) throw tooMany(total);
    entries.push(...items);
    if (items.length < PAGE) break;
  }
  const header = ['时间', '操作人', '操作', '记录类型', '记录编号', '内容', 'IP 地址'];
  const body = entries.map((e): Cell[] => [
    businessDateTime(new Date(e.at)),
    e.actor.label === 'system' ? '系统' : (e.actor.name ?? e.actor.label),
    auditActionLabel(e.action),
    auditEntityLabel(e.entity),
    e.entityId,
    auditSummaryText(e),
    e.ip,
  ]);
  const actor = filter.actorUserId ? ((await namesById(sequelize, 'users', [filter.actorUserId])).get(filter.actorUserId) ?? '（已不存在的成员）') : undefined;
  const text = filterText([
    ['操作', filter.action && auditActionLabel(filter.action)],
    ['操作类别', filter.actionPrefix && auditEntityLabel(filter.actionPrefix.replace(/\.$/, ''))],
    ['记录类型', filter.entity && auditEntityLabel(filter.entity)],
    ['记录编号', filter.entityId],
    ['操作人', actor],
    [
      '时间',
      filter.since || filter.until
        ? `${filter.since ? businessDateTime(filter.since) : '最早'} 至 ${filter.until ? businessDateTime(filter.until) : '现在'}`
        : undefined,
    ],
  ]);
  await audit(sequelize, caller.actor, {
    action: 'compliance.export_audit',
    entity: 'export',
    summary: `导出审计日志 ${entries.length} 条（筛选：${text}）`,
    diff: { filter, filterText: text, count: entries.length },
  });
  return fileOf('审计日志', header, body);
}
