import { Op, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { auditActionLabel, auditEntityLabel, type AuditLogView } from '@shared/audit';
import { CONTACT_FIELDS, CUSTOMER_FIELDS } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { PARTNER_FIELDS } from '@shared/partners';
import { fieldLabels, type FieldTable } from '@shared/record-fields';
import { startsWithWhere } from '../../db/dialect';
import { iso, namesById } from '../../db/lookup';
import { auditedDiff } from '../../db/record-fields';
import { auditModels, type AuditLogRow } from './models';
import { auditSubjects } from './subjects';

/** Who did it: a logged-in user, or the system itself (CLI, worker, start-up). */
export interface Actor {
  userId: number | null;
  label: string;
  ip?: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, label: 'system' };

export interface AuditEntry {
  action: string;
  entity?: string;
  entityId?: string | number;
  summary: string;
  diff?: unknown;
}

/** Records one audited action. Pass the caller's transaction so the entry commits with the change. */
export async function audit(sequelize: Sequelize, actor: Actor, entry: AuditEntry, options: { transaction?: Transaction } = {}): Promise<void> {
  const { AuditLog } = auditModels(sequelize);
  await AuditLog.create(
    {
      actor_user_id: actor.userId,
      actor_label: actor.label,
      action: entry.action,
      entity: entry.entity ?? null,
      entity_id: entry.entityId === undefined ? null : String(entry.entityId),
      summary: entry.summary.slice(0, 512),
      diff: entry.diff === undefined ? null : JSON.stringify(entry.diff),
      ip: actor.ip ?? null,
    },
    { transaction: options.transaction },
  );
}

/** What a write changes, for the audit trail: `{column: [before, after]}` of the columns that differ. */
export function fieldDiff<T extends object>(before: T, changes: Partial<T>): Record<string, [unknown, unknown]> {
  const diff: Record<string, [unknown, unknown]> = {};
  for (const [key, after] of Object.entries(changes)) {
    const was = (before as Record<string, unknown>)[key];
    const same = was instanceof Date && after instanceof Date ? was.getTime() === after.getTime() : was === after;
    if (!same) diff[key] = [was ?? null, after ?? null];
  }
  return diff;
}

export interface AuditQuery {
  action?: string;
  /** Actions starting with this (`customer.`: every customer action). */
  actionPrefix?: string;
  entity?: string;
  entityId?: string;
  actorUserId?: number;
  since?: Date;
  until?: Date;
  page: number;
  pageSize: number;
}

export async function listAuditLogs(sequelize: Sequelize, query: AuditQuery): Promise<PageOf<AuditLogView>> {
  const { AuditLog } = auditModels(sequelize);
  const where: WhereOptions<AuditLogRow> = {};
  if (query.action) Object.assign(where, { action: query.action });
  // `%` and `_` in the prefix are characters of an action, not wildcards.
  else if (query.actionPrefix) Object.assign(where, { [Op.and]: [startsWithWhere(sequelize, 'action', query.actionPrefix)] });
  if (query.entity) Object.assign(where, { entity: query.entity });
  if (query.entityId) Object.assign(where, { entity_id: query.entityId });
  if (query.actorUserId) Object.assign(where, { actor_user_id: query.actorUserId });
  if (query.since || query.until) {
    Object.assign(where, {
      created_at: {
        ...(query.since ? { [Op.gte]: query.since } : {}),
        ...(query.until ? { [Op.lt]: query.until } : {}),
      },
    });
  }
  const { rows, count } = await AuditLog.findAndCountAll({
    where,
    order: [['id', 'DESC']],
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  const [names, subjects] = await Promise.all([
    namesById(
      sequelize,
      'users',
      rows.map((r) => r.get().actor_user_id),
    ),
    auditSubjects(
      sequelize,
      rows.map((r) => r.get()),
    ),
  ]);
  return {
    items: rows.map((r) => {
      const row = r.get();
      const diff: unknown = row.diff ? JSON.parse(row.diff) : null;
      return {
        id: row.id,
        actor: { userId: row.actor_user_id, label: row.actor_label, name: row.actor_user_id === null ? null : (names.get(row.actor_user_id) ?? null) },
        action: row.action,
        actionLabel: auditActionLabel(row.action),
        entity: row.entity,
        entityLabel: auditEntityLabel(row.entity),
        entityId: row.entity_id,
        subject: row.entity && row.entity_id ? (subjects.get(`${row.entity}:${row.entity_id}`) ?? null) : null,
        summary: row.summary,
        diff,
        fieldLabels: labelsOf(row.action, diff),
        ip: row.ip,
        at: iso(row.created_at),
      };
    }),
    total: count,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/**
 * Records an edit of `before` with the columns `changes` really changes; nothing when none does.
 * With the record's `fields`, those it declares masked are kept masked.
 */
export async function auditEdit<T extends object>(
  sequelize: Sequelize,
  actor: Actor,
  entry: Omit<AuditEntry, 'diff'>,
  before: T,
  changes: Partial<T>,
  transaction?: Transaction,
  fields?: FieldTable,
): Promise<void> {
  const diff = fieldDiff(before, changes);
  if (Object.keys(diff).length) await audit(sequelize, actor, { ...entry, diff: fields ? auditedDiff(fields, diff) : diff }, { transaction });
}

/** The Chinese names of the declared fields, by the record an action is about (`contact.update` → contact). */
const FIELD_LABELS: Record<string, Record<string, string>> = {
  customer: fieldLabels(CUSTOMER_FIELDS),
  contact: fieldLabels(CONTACT_FIELDS),
  partner: fieldLabels(PARTNER_FIELDS),
  follow_up: { channel: '跟进方式', content: '跟进内容', outcome: '跟进结果', next_action: '下一步', next_follow_up_at: '下次跟进时间' },
};

/** The names of the fields a diff carries (by API key or column), for the log's reader. */
function labelsOf(action: string, diff: unknown): Record<string, string> {
  const labels = FIELD_LABELS[action.split('.')[0]!];
  if (!labels || !diff || typeof diff !== 'object') return {};
  return Object.fromEntries(Object.keys(diff).flatMap((key) => (labels[key] ? [[key, labels[key]]] : [])));
}
