/**
 * Export of a filtered list to .xlsx in the import's own columns, so an export edited in Excel
 * imports back (upsert) cleanly. Only what the caller may see; phones and ID numbers masked
 * (138****1234) unless the export is a full one; audited with the row count and the filter in
 * Chinese. Whether an export may go out at once or needs an approval first is the desk's
 * (export-desk.ts, server/README.md#customer-data-exports).
 */
import type { Sequelize } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { ExportKind } from '@shared/exports';
import type { PageOf } from '@shared/http';
import { IMPORT_KINDS } from '@shared/imports';
import type { PartnerView } from '@shared/partners';
import { maskIdentifier } from '@shared/record-fields';
import { businessDate } from '@shared/time';
import { namesById } from '../../db/lookup';
import { validationFailed } from '../../errors';
import { audit } from '../audit/service';
import { listCustomers, type CustomerListQuery } from '../customers/service';
import { listDictionaries } from '../dictionaries/service';
import { contactWayOf } from '../engagement/contact-ways';
import { employeesByIds } from '../org/reads';
import { listPartners, type PartnerListQuery } from '../partners/service';
import type { Caller } from '../roles/ownership';
import { corpTagNames } from '../wecom-mirror/reads';
import type { ColumnSpec } from './columns';
import { KINDS } from './kinds';
import { MAX_ROWS, buildWorkbook, type Cell } from './workbook';

const PAGE = 1000;

type Listed = (CustomerView | PartnerView) & { owner: { id: number; name: string } };

export type ExportFilter<K extends ExportKind> = K extends 'customers'
  ? Omit<CustomerListQuery, 'page' | 'pageSize'>
  : Omit<PartnerListQuery, 'page' | 'pageSize'>;

export interface ExportOptions {
  /** Phones and ID numbers whole (an approved full export); masked otherwise. */
  full?: boolean;
  /** The approval the export went out under, for the audit entry. */
  approvalId?: number;
}

const listOf = (sequelize: Sequelize, caller: Caller, kind: ExportKind, filter: ExportFilter<ExportKind>, page: number, pageSize: number) =>
  (kind === 'customers'
    ? listCustomers(sequelize, caller.access, { ...(filter as ExportFilter<'customers'>), page, pageSize })
    : listPartners(sequelize, caller.access, { ...(filter as ExportFilter<'partners'>), page, pageSize })) as Promise<PageOf<Listed>>;

/** How many records the export of this filter would hold for the caller (their scope). */
export async function exportCount(sequelize: Sequelize, caller: Caller, kind: ExportKind, filter: ExportFilter<ExportKind>): Promise<number> {
  return (await listOf(sequelize, caller, kind, filter, 1, 1)).total;
}

/** The numbers an export masks, as people call them. */
export const maskedNumbers = (kind: ExportKind) => (kind === 'customers' ? '手机号和证件号码' : '联系电话');

/** The audit entry's words for an export: what, how many, which filter, masked or whole. */
export function exportSummary(kind: ExportKind, count: number, filterText: string, options: ExportOptions): string {
  const how = options.full ? `含完整${maskedNumbers(kind)}` : `${maskedNumbers(kind)}已脱敏`;
  return `导出${IMPORT_KINDS[kind]} ${count} 条（筛选：${filterText}；${how}${options.approvalId ? `；审批 #${options.approvalId}` : ''}）`;
}

export async function exportWorkbook<K extends ExportKind>(
  sequelize: Sequelize,
  caller: Caller,
  kind: K,
  filter: ExportFilter<K>,
  options: ExportOptions = {},
): Promise<{ fileName: string; body: Buffer; count: number }> {
  const records: Listed[] = [];
  for (let page = 1; ; page++) {
    const result = await listOf(sequelize, caller, kind, filter, page, PAGE);
    if (result.total > MAX_ROWS) throw validationFailed(`符合条件的记录有 ${result.total} 条，超过一次导出的上限 ${MAX_ROWS}，请缩小筛选范围`);
    records.push(...result.items);
    if (result.items.length < PAGE) break;
  }

  const spec = KINDS[kind];
  const dictionaries = await listDictionaries(sequelize);
  const accounts = await userids(
    sequelize,
    records.map((r) => r.owner.id),
  );
  const value = (record: Listed, { key, type, dictionary, choices, exportLabel, masked }: ColumnSpec): Cell => {
    if (key === 'owner') return record.owner.name;
    if (key === 'ownerAccount') return accounts.get(record.owner.id) ?? null;
    const raw = (record as unknown as Record<string, unknown>)[key];
    if (raw === null || raw === undefined) return null;
    if (masked && !options.full) return maskIdentifier(String(raw));
    if (type === 'dictionary') return dictionaries[dictionary!].find((v) => v.code === raw)?.label ?? String(raw);
    if (type === 'choice' && exportLabel) return choices![String(raw)] ?? String(raw);
    return String(raw);
  };
  const rows: Cell[][] = [spec.columns.map((c) => c.header), ...records.map((r) => spec.columns.map((c) => value(r, c)))];
  const filterText = await exportFilterText(sequelize, kind, filter);
  await audit(sequelize, caller.actor, {
    action: `${kind === 'customers' ? 'customer' : 'partner'}.export`,
    entity: kind === 'customers' ? 'customer' : 'partner',
    summary: exportSummary(kind, records.length, filterText, options),
    diff: { filter, filterText, count: records.length, masked: !options.full, ...(options.approvalId ? { approvalId: options.approvalId } : {}) },
  });
  return {
    fileName: `${IMPORT_KINDS[kind]}-${businessDate(new Date())}.xlsx`,
    body: buildWorkbook([{ name: IMPORT_KINDS[kind], rows, widths: spec.columns.map((c) => Math.max(12, c.header.length * 2 + 4)) }]),
    count: records.length,
  };
}

const FOLLOW_UP_FILTERS = { due: '今日及逾期待跟进', overdue: '已逾期未跟进' } as const;

/**
 * An export's filter as people read it — 「阶段 成交客户、负责人 李娜」, 「全部」 without one — for the
 * audit log, the approval request and its WeCom card: dictionary labels, names, never codes or ids.
 */
export async function exportFilterText(sequelize: Sequelize, kind: ExportKind, filter: ExportFilter<ExportKind>): Promise<string> {
  const f = filter as ExportFilter<'customers'> & ExportFilter<'partners'>;
  const dictionaries = await listDictionaries(sequelize);
  const label = (type: keyof typeof dictionaries, code: string | undefined) => code && `${dictionaries[type].find((v) => v.code === code)?.label ?? code}`;
  const [owner, department, tag, channel] = await Promise.all([
    f.ownerUserId ? namesById(sequelize, 'users', [f.ownerUserId]).then((m) => m.get(f.ownerUserId!) ?? '（已不存在的成员）') : undefined,
    f.departmentId ? namesById(sequelize, 'departments', [f.departmentId]).then((m) => m.get(f.departmentId!) ?? '（已不存在的部门）') : undefined,
    kind === 'customers' && f.tagId ? corpTagNames(sequelize, [f.tagId]).then((m) => m.get(f.tagId!) ?? '（已删除的标签）') : undefined,
    kind === 'customers' && f.channel ? contactWayOf(sequelize, f.channel).then((w) => w?.name ?? '（已删除的渠道活码）') : undefined,
  ]);
  const parts: [string, string | number | undefined | null | false][] =
    kind === 'customers'
      ? [
          ['关键词', f.keyword && `「${f.keyword}」`],
          ['负责人', owner],
          ['部门', department],
          ['阶段', label('lifecycle_stage', f.lifecycleStage)],
          ['等级', label('customer_level', f.level)],
          ['来源', label('customer_source', f.source)],
          ['跟进', f.followUp && FOLLOW_UP_FILTERS[f.followUp]],
          ['未跟进', f.noFollowUpDays && `${f.noFollowUpDays} 天以上`],
          ['标签', tag],
          ['渠道活码', channel],
          ['所选客户', f.ids && `${f.ids.split(',').length} 位`],
        ]
      : [
          ['关键词', f.keyword && `「${f.keyword}」`],
          ['类型', label('partner_type', f.type)],
          ['状态', label('partner_status', f.status)],
          ['负责人', owner],
          ['部门', department],
          ['跟进', f.followUp && FOLLOW_UP_FILTERS[f.followUp]],
        ];
  const given = parts
    .filter(([, v]) => v !== undefined && v !== null && v !== false && v !== '')
    .map(([name, v]) => `${name}${String(v).startsWith('「') ? '' : ' '}${v}`);
  return given.length ? given.join('、') : '全部';
}

async function userids(sequelize: Sequelize, ids: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  const rows = await employeesByIds(sequelize, unique);
  return new Map(rows.map((r) => [Number(r.id), r.wecom_userid]));
}
