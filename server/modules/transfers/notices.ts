/**
 * What people hear about a handover in WeCom: the new owner gets one card listing what came to
 * them; the manager who asked gets the failures — each failure once.
 */
import { createHash } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { TRANSFER_STATUS_LABELS } from '@shared/transfers';
import { namesById } from '../../db/lookup';
import type { CustomerRow } from '../customers/models';
import { enqueueNotification, type CardLine } from '../reminders/outbox';
import type { Caller } from '../roles/ownership';
import type { TransferRow } from './models';

const NAMES_SHOWN = 5;

function someNames(names: readonly string[]): string {
  return names.slice(0, NAMES_SHOWN).join('、') + (names.length > NAMES_SHOWN ? ` 等 ${names.length} 位` : '');
}

export async function notifyHandedOver(
  sequelize: Sequelize,
  h: { batchId: string; to: number; by: Caller; customers: readonly CustomerRow[]; contacts: number; groupChats: number; reason?: string | null },
  transaction: Transaction,
): Promise<void> {
  if (!h.customers.length && !h.contacts && !h.groupChats) return;
  const by = (await namesById(sequelize, 'users', [h.by.access.userId], transaction)).get(h.by.access.userId) ?? h.by.actor.label;
  const lines: CardLine[] = [];
  if (h.customers.length) lines.push({ text: `客户：${someNames(h.customers.map((c) => c.name))}` });
  if (h.contacts) lines.push({ text: `另有 ${h.contacts} 位企业微信客户` });
  if (h.groupChats) lines.push({ text: `${h.groupChats} 个客户群` });
  if (h.reason) lines.push({ text: `原因：${h.reason}` });
  lines.push({ tone: 'gray', text: `由 ${by} 转移；企业微信好友在客户确认后转到你名下（客户有 24 小时可拒绝）` });
  await enqueueNotification(
    sequelize,
    {
      kind: 'transfer',
      dedupeKey: `transfer:${h.batchId}`,
      userId: h.to,
      title: h.customers.length ? `${h.customers.length} 位客户已转给你` : '同事的企业微信客户已转给你',
      lines,
      path: h.customers.length === 1 ? `/customers/${h.customers[0]!.id}` : '/customers',
    },
    new Date(),
    transaction,
  );
}

/**
 * The previous owners are told too (one card each, the same outbox as every WeCom app message):
 * which of their customers went to whom, why and by whom — unless they did it themselves.
 */
export async function notifyPreviousOwners(
  sequelize: Sequelize,
  h: { batchId: string; to: { userId: number; name: string }; by: Caller; customers: readonly CustomerRow[]; reason: string | null },
  transaction: Transaction,
): Promise<void> {
  const byOwner = new Map<number, CustomerRow[]>();
  for (const c of h.customers)
    if (c.owner_user_id !== h.by.access.userId && c.owner_user_id !== h.to.userId) byOwner.set(c.owner_user_id, [...(byOwner.get(c.owner_user_id) ?? []), c]);
  if (!byOwner.size) return;
  const by = (await namesById(sequelize, 'users', [h.by.access.userId], transaction)).get(h.by.access.userId) ?? '管理员';
  for (const [owner, customers] of byOwner) {
    const lines: CardLine[] = [{ text: `客户：${someNames(customers.map((c) => c.name))}` }];
    if (h.reason) lines.push({ text: `原因：${h.reason}` });
    lines.push({ tone: 'gray', text: `由 ${by} 转移；这些客户的跟进记录留在客户名下，由 ${h.to.name} 继续跟进` });
    await enqueueNotification(
      sequelize,
      {
        kind: 'transfer',
        dedupeKey: `transfer-from:${h.batchId}:${owner}`,
        userId: owner,
        title: `${customers.length} 位客户已转给 ${h.to.name}`,
        lines,
        path: '/customers',
      },
      new Date(),
      transaction,
    );
  }
}

/** One card per manager for the failures of one poll or submit: who, and why. */
export async function notifyFailures(sequelize: Sequelize, failed: readonly TransferRow[], transaction: Transaction): Promise<void> {
  const byManager = new Map<number, TransferRow[]>();
  for (const row of failed) if (row.requested_by !== null) byManager.set(row.requested_by, [...(byManager.get(row.requested_by) ?? []), row]);
  if (!byManager.size) return;
  const customers = await namesById(
    sequelize,
    'customers',
    failed.map((r) => r.customer_id).filter((id): id is number => id !== null),
    transaction,
  );
  for (const [manager, rows] of byManager) {
    const lines: CardLine[] = rows.slice(0, NAMES_SHOWN).map((r) => ({
      text: `${r.customer_id !== null ? (customers.get(r.customer_id) ?? '客户') : r.chat_id ? '客户群' : '企业微信客户'}：${TRANSFER_STATUS_LABELS[r.status]}${r.reason ? `（${r.reason}）` : ''}`,
    }));
    if (rows.length > NAMES_SHOWN) lines.push({ tone: 'gray', text: `等 ${rows.length} 项` });
    lines.push({ tone: 'gray', text: '请在「客户转接」中决定：重试、保留现状或改派' });
    const key = createHash('sha256')
      .update(rows.map((r) => r.id).join(','))
      .digest('hex')
      .slice(0, 32);
    await enqueueNotification(
      sequelize,
      { kind: 'transfer_failed', dedupeKey: `transfer-failed:${key}`, userId: manager, title: `${rows.length} 项客户转接未完成`, lines, path: '/transfers' },
      new Date(),
      transaction,
    );
  }
}
