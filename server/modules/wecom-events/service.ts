import { QueryTypes, type Sequelize } from 'sequelize';
import type { PageOf } from '@shared/http';
import { DurableQueue } from '../../jobs/queue';
import { conflict, notFound } from '../../errors';
import { parseCallbackXml } from '../../wecom/xml';
import { audit, type Actor } from '../audit/service';
import { INBOX_QUEUE } from './inbox';
import { explainStoredError } from '../../wecom/errors';
import { employeeNamesByWecomIds } from '../org/reads';
import { contactNames, groupChatNames } from '../wecom-mirror/reads';

export const EVENT_STATUSES = ['pending', 'processing', 'done', 'dead', 'ignored'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export interface EventSummary {
  id: number;
  eventType: string;
  changeType: string | null;
  entityKey: string;
  status: EventStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  /** Who the event is about, by name: 客户「张晨娜」 · 成员「李娜」, 成员「王强」, 客户群「…」 (null: nothing to name). */
  subject: string | null;
}

interface EventRow {
  id: number;
  event_type: string;
  change_type: string | null;
  entity_key: string;
  status: EventStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  received_at: Date;
  processed_at: Date | null;
  payload?: string;
}

const SUMMARY_COLUMNS = 'id, event_type, change_type, entity_key, status, attempts, next_attempt_at, last_error, received_at, processed_at';

function summary(r: EventRow): EventSummary {
  return {
    id: Number(r.id),
    eventType: r.event_type,
    changeType: r.change_type,
    entityKey: r.entity_key,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: new Date(r.next_attempt_at),
    lastError: explainStoredError(r.last_error),
    receivedAt: new Date(r.received_at),
    processedAt: r.processed_at ? new Date(r.processed_at) : null,
    subject: null,
  };
}

/** The events with who they are about, named from the mirror and the org (one lookup of each for the page). */
async function withSubjects(sequelize: Sequelize, rows: EventRow[]): Promise<EventSummary[]> {
  const parsed = rows.map((r) => {
    let fields: Record<string, unknown> = {};
    try {
      fields = r.payload ? (parseCallbackXml(r.payload) as Record<string, unknown>) : {};
    } catch {
      // An unreadable payload names nobody.
    }
    const text = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string) : '');
    return { external: text('ExternalUserID'), userid: text('UserID'), chat: text('ChatId') };
  });
  const [contacts, employees, chats] = await Promise.all([
    contactNames(sequelize, [...new Set(parsed.map((p) => p.external).filter(Boolean))]),
    employeeNamesByWecomIds(
      sequelize,
      parsed.map((p) => p.userid),
    ),
    groupChatNames(sequelize, [...new Set(parsed.map((p) => p.chat).filter(Boolean))]),
  ]);
  return rows.map((r, i) => {
    const p = parsed[i]!;
    const parts = [
      p.external ? `客户「${contacts.get(p.external) ?? '未同步的联系人'}」` : null,
      p.userid ? `成员「${employees.get(p.userid) ?? '未同步的成员'}」` : null,
      p.chat ? `客户群「${chats.get(p.chat) ?? '未命名群'}」` : null,
    ].filter(Boolean);
    return { ...summary(r), subject: parts.length ? parts.join(' · ') : null };
  });
}

export async function listEvents(
  sequelize: Sequelize,
  query: { status?: EventStatus; type?: string; page: number; pageSize: number },
): Promise<PageOf<EventSummary>> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    where.push('status = ?');
    params.push(query.status);
  }
  if (query.type) {
    where.push('(event_type = ? OR change_type = ?)');
    params.push(query.type, query.type);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM wecom_events ${clause}`, { replacements: params, type: QueryTypes.SELECT });
  const rows = await sequelize.query<EventRow>(`SELECT ${SUMMARY_COLUMNS}, payload FROM wecom_events ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`, {
    replacements: [...params, query.pageSize, (query.page - 1) * query.pageSize],
    type: QueryTypes.SELECT,
  });
  return { items: await withSubjects(sequelize, rows), total: Number(count?.n ?? 0), page: query.page, pageSize: query.pageSize };
}

export async function getEvent(sequelize: Sequelize, id: number): Promise<EventSummary & { payload: string; fields: unknown }> {
  const [row] = await sequelize.query<EventRow>(`SELECT ${SUMMARY_COLUMNS}, payload FROM wecom_events WHERE id = ?`, {
    replacements: [id],
    type: QueryTypes.SELECT,
  });
  if (!row) throw notFound('事件不存在');
  const [named] = await withSubjects(sequelize, [row]);
  return { ...named!, payload: row.payload!, fields: parseCallbackXml(row.payload!) };
}

/** Counts by status, every status present (0 when none), for the admin health badge. */
export async function eventCounts(sequelize: Sequelize): Promise<Record<EventStatus, number>> {
  const rows = await sequelize.query<{ status: EventStatus; n: number }>('SELECT status, COUNT(*) AS n FROM wecom_events GROUP BY status', {
    type: QueryTypes.SELECT,
  });
  const counts = Object.fromEntries(EVENT_STATUSES.map((s) => [s, 0])) as Record<EventStatus, number>;
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** Puts a dead event back in the queue with a fresh attempt budget. */
export async function retryEvent(sequelize: Sequelize, actor: Actor, id: number): Promise<EventSummary> {
  const event = await getEvent(sequelize, id);
  // A dead event starts over; one waiting out its backoff after a failure runs now.
  if (event.status === 'dead') await inbox(sequelize).retryDead([id]);
  else if (event.status === 'pending' && event.attempts > 0) await inbox(sequelize).dueNow([id]);
  else throw conflict(`只有处理失败的事件可以重试，这个事件${EVENT_STATUS_TEXT[event.status] ?? '状态不允许重试'}`);
  await audit(sequelize, actor, {
    action: 'event.retry',
    entity: 'wecom_event',
    entityId: id,
    summary: `重试回调事件 ${event.eventType}/${event.changeType ?? ''}`,
  });
  return summary({ ...(await rowOf(sequelize, id)) });
}

export async function retryDeadEvents(sequelize: Sequelize, actor: Actor): Promise<number> {
  const n = await inbox(sequelize).retryDead();
  await audit(sequelize, actor, { action: 'event.retry', entity: 'wecom_event', summary: `重试全部失败事件（${n} 条）` });
  return n;
}

const EVENT_STATUS_TEXT: Record<string, string> = { pending: '正在等待处理', processing: '正在处理', done: '已处理完成', ignored: '无需处理' };

/** The inbox's queue, for the admin's retry (the worker's retry policy does not matter here). */
const inbox = (sequelize: Sequelize) => new DurableQueue(sequelize, INBOX_QUEUE, { maxAttempts: 1, baseMs: 0, capMs: 0 });

async function rowOf(sequelize: Sequelize, id: number): Promise<EventRow> {
  const [row] = await sequelize.query<EventRow>(`SELECT ${SUMMARY_COLUMNS} FROM wecom_events WHERE id = ?`, { replacements: [id], type: QueryTypes.SELECT });
  return row!;
}
