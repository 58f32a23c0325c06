/**
 * Export of a filtered list to .xlsx in the import's own columns, so an export edited in Excel
 * imports back (upsert) cleanly. Only what the caller may see; audited with the filters used.
 */
import type { Sequelize } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { IMPORT_KINDS, type ImportKind } from '@shared/imports';
import type { PartnerView } from '@shared/partners';
import { validationFailed } from '../../errors';
import { audit } from '../audit/service';
import { listCustomers, type CustomerListQuery } from '../customers/service';
import { listDictionaries } from '../dictionaries/service';
import { listPartners, type PartnerListQuery } from '../partners/service';
import type { Caller } from '../roles/ownership';
import { businessDate } from '@shared/time';
import type { ColumnSpec } from './columns';
import { KINDS } from './kinds';
import { MAX_ROWS, buildWorkbook, type Cell } from './workbook';
import { employeesByIds } from '../org/reads';

const PAGE = 1000;

type Listed = (CustomerView | PartnerView) & { owner: { id: number; name: string } };

export type ExportFilter<K extends ImportKind> = K extends 'customers'
  ? Omit<CustomerListQuery, 'page' | 'pageSize'>
  : Omit<PartnerListQuery, 'page' | 'pageSize'>;

export async function exportWorkbook<K extends ImportKind>(
  sequelize: Sequelize,
  caller: Caller,
  kind: K,
  filter: ExportFilter<K>,
): Promise<{ fileName: string; body: Buffer; count: number }> {
  const list = (page: number): Promise<PageOf<Listed>> =>
    kind === 'customers'
      ? listCustomers(sequelize, caller.access, { ...(filter as Omit<CustomerListQuery, 'page' | 'pageSize'>), page, pageSize: PAGE })
      : listPartners(sequelize, caller.access, { ...(filter as Omit<PartnerListQuery, 'page' | 'pageSize'>), page, pageSize: PAGE });
  const records: Listed[] = [];
  for (let page = 1; ; page++) {
    const result = await list(page);
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
  const value = (record: Listed, { key, type, dictionary, choices, exportLabel }: ColumnSpec): Cell => {
    if (key === 'owner') return record.owner.name;
    if (key === 'ownerAccount') return accounts.get(record.owner.id) ?? null;
    const raw = (record as unknown as Record<string, unknown>)[key];
    if (raw === null || raw === undefined) return null;
    if (type === 'dictionary') return dictionaries[dictionary!].find((v) => v.code === raw)?.label ?? String(raw);
    if (type === 'choice' && exportLabel) return choices![String(raw)] ?? String(raw);
    return String(raw);
  };
  const rows: Cell[][] = [spec.columns.map((c) => c.header), ...records.map((r) => spec.columns.map((c) => value(r, c)))];
  await audit(sequelize, caller.actor, {
    action: `${kind === 'customers' ? 'customer' : 'partner'}.export`,
    entity: kind === 'customers' ? 'customer' : 'partner',
    summary: `导出${IMPORT_KINDS[kind]} ${records.length} 条`,
    diff: { filter, count: records.length },
  });
  return {
    fileName: `${IMPORT_KINDS[kind]}-${businessDate(new Date())}.xlsx`,
    body: buildWorkbook([{ name: IMPORT_KINDS[kind], rows, widths: spec.columns.map((c) => Math.max(12, c.header.length * 2 + 4)) }]),
    count: records.length,
  };
}

async function userids(sequelize: Sequelize, ids: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  const rows = await employeesByIds(sequelize, unique);
  return new Map(rows.map((r) => [Number(r.id), r.wecom_userid]));
}
