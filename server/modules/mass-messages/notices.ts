/**
 * What a 群发's senders hear in WeCom once it is approved and its tasks exist: each gets one
 * textcard from our app (the notification outbox, its per-member budget included — the path
 * approvals use, approvals/notices.ts) saying what to confirm in 群发助手 and linking to their
 * 待发送 list in the H5. WeCom itself also notifies the member of a new 企业群发 task (92135), but
 * not what the CRM knows: which message, how many, which tasks. Written in the transaction that
 * marks the message sending, so a card exists exactly when the tasks do.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { MassKind } from '@shared/mass-messages';
import { fitCardLines } from '../approvals/notices';
import { enqueueNotification } from '../reminders/outbox';

/** The H5's 待发送 list (MassMessagesPage, tab pending). */
export const PENDING_PATH = '/mass-messages?tab=pending';

export async function notifySenders(sequelize: Sequelize, message: { id: number; title: string; kind: MassKind }, transaction: Transaction): Promise<void> {
  const table = message.kind === 'group' ? 'mass_message_groups' : 'mass_message_recipients';
  const rows = await sequelize.query<{ sender_user_id: number; tasks: number | string; n: number | string }>(
    `SELECT t.sender_user_id, COUNT(DISTINCT t.id) AS tasks, COUNT(x.id) AS n
       FROM mass_message_tasks t JOIN ${table} x ON x.task_id = t.id
      WHERE t.mass_message_id = ? AND t.status = 'created'
      GROUP BY t.sender_user_id`,
    { replacements: [message.id], type: QueryTypes.SELECT, transaction },
  );
  const unit = message.kind === 'group' ? '个客户群' : '位客户';
  for (const r of rows) {
    const tasks = Number(r.tasks);
    await enqueueNotification(
      sequelize,
      {
        kind: 'mass_message',
        dedupeKey: `mass_message:${message.id}:${r.sender_user_id}`,
        userId: Number(r.sender_user_id),
        title: '待你发送：客户群发',
        lines: fitCardLines([
          { text: `「${message.title}」已通过合规审核` },
          { tone: 'highlight', text: `发给 ${Number(r.n)} ${unit}${tasks > 1 ? `，共 ${tasks} 条（称呼不同各一条）` : ''}` },
          { tone: 'gray', text: '请在企业微信「群发助手」中确认发送' },
        ]),
        path: PENDING_PATH,
      },
      new Date(),
      transaction,
    );
  }
}
