/**
 * The Chinese name of what an audit entry is about (its `entity` + `entity_id`), so the log never
 * shows a key (`contact_way:2`, `department:2`, `customer_level:vip`): 渠道活码「12月财富沙龙」,
 * 部门「华东销售部」, 客户等级「VIP」. A record since removed reads 「已删除」 with its kind.
 */
// Raw SQL on other modules' tables, on purpose: the audit module is the lowest layer and names the
// records of every other one; one lookup per kind for a page of the log.
import { QueryTypes, type Sequelize } from 'sequelize';
import { DICTIONARY_TYPES, type DictionaryType } from '@shared/dictionaries';
import { TARGET_METRICS, type TargetMetric } from '@shared/labels';
import { assertIdentifier, sqlList } from '../../db/dialect';

/** Kinds whose id is a row with a name: table and the column that names it. */
const NAMED: Record<string, { table: string; column: string }> = {
  customer: { table: 'customers', column: 'name' },
  partner: { table: 'consignment_partners', column: 'name' },
  product: { table: 'products', column: 'name' },
  user: { table: 'users', column: 'name' },
  department: { table: 'departments', column: 'name' },
  role: { table: 'roles', column: 'name' },
  contact_way: { table: 'contact_ways', column: 'name' },
  quick_reply: { table: 'quick_replies', column: 'title' },
  opportunity: { table: 'opportunities', column: 'name' },
};

async function namesIn(sequelize: Sequelize, table: string, column: string, ids: number[]): Promise<Map<number, string>> {
  assertIdentifier(table);
  assertIdentifier(column);
  if (!ids.length) return new Map();
  const rows = await sequelize.query<{ id: number; name: string }>(`SELECT id, ${column} AS name FROM ${table} WHERE id IN (${sqlList(ids)})`, {
    replacements: ids,
    type: QueryTypes.SELECT,
  });
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** `entity:entity_id` → its Chinese name, for the entries given (null: nothing to name, or a kind without names). */
export async function auditSubjects(sequelize: Sequelize, entries: { entity: string | null; entity_id: string | null }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const byKind = new Map<string, Set<string>>();
  for (const e of entries) if (e.entity && e.entity_id) byKind.set(e.entity, (byKind.get(e.entity) ?? new Set()).add(e.entity_id));
  const departments = new Set<number>();
  const users = new Set<number>();
  for (const [kind, keys] of byKind) {
    const named = NAMED[kind];
    if (named) {
      const ids = [...keys].filter((k) => /^\d+$/.test(k)).map(Number);
      const names = await namesIn(sequelize, named.table, named.column, ids);
      for (const id of ids) out.set(`${kind}:${id}`, names.has(id) ? `「${names.get(id)}」` : '（已删除）');
    } else if (kind === 'dictionary') {
      for (const key of keys) {
        const [type, code] = key.split(':') as [DictionaryType, string];
        const [row] = await sequelize.query<{ label: string }>('SELECT label FROM dictionaries WHERE type = ? AND code = ?', {
          replacements: [type, code ?? ''],
          type: QueryTypes.SELECT,
        });
        out.set(`dictionary:${key}`, `${DICTIONARY_TYPES[type] ?? '字典'}「${row?.label ?? '已删除的项'}」`);
      }
    } else if (kind === 'target') {
      for (const key of keys) {
        const [, scopeType, scopeId] = key.split(':');
        if (scopeId) (scopeType === 'department' ? departments : users).add(Number(scopeId));
      }
    }
  }
  if (byKind.has('target')) {
    const [deptNames, userNames] = await Promise.all([
      namesIn(sequelize, 'departments', 'name', [...departments]),
      namesIn(sequelize, 'users', 'name', [...users]),
    ]);
    for (const key of byKind.get('target')!) {
      const [period, scopeType, scopeId, metric] = key.split(':');
      if (!metric) continue; // an older entry keyed by the row's id
      const whose = (scopeType === 'department' ? deptNames : userNames).get(Number(scopeId)) ?? '';
      out.set(`target:${key}`, `${whose} ${period} ${TARGET_METRICS[metric as TargetMetric] ?? ''}`.trim());
    }
  }
  return out;
}
