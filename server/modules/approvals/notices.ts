/**
 * What people hear of a request in WeCom, through the notification outbox (its per-member budget
 * included): each approver of the step now waiting gets a textcard whose link opens the request
 * (`/approvals/:id`, through the silent login when there is no session); the requester hears how
 * it ended. Written in the transaction that moved the request, so a card exists exactly when the
 * change does.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { APPROVAL_TYPES, type ApprovalSubjectRow } from '@shared/approval-labels';
import { businessDate } from '@shared/time';
import { namesById } from '../../db/lookup';
import { enqueueNotification, renderCardLines, type CardLine } from '../reminders/outbox';
import type { ApprovalRequestRow, RequestStep } from './models';

/** WeCom cuts a textcard's description past 512 bytes (发送应用消息 90236, server/wecom/README.md#app-messages). */
export const CARD_DESCRIPTION_BYTES = 512;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Shortens the longest lines (with …) until the rendered description fits WeCom's 512 bytes, so nothing is cut mid-tag. */
export function fitCardLines(lines: CardLine[]): CardLine[] {
  const fitted = lines.map((l) => ({ ...l }));
  while (bytes(renderCardLines(fitted)) > CARD_DESCRIPTION_BYTES) {
    const longest = fitted.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    if (longest.text.length <= 8) break;
    longest.text = `${longest.text.slice(0, Math.max(8, longest.text.length - 10))}…`;
  }
  return fitted;
}

export const approvalPath = (id: number) => `/approvals/${id}`;

/** Each approver of the step now waiting: 待你审批. */
export async function notifyApprovers(
  sequelize: Sequelize,
  request: ApprovalRequestRow,
  approverIds: readonly number[],
  highlight: ApprovalSubjectRow | undefined,
  transaction: Transaction,
): Promise<void> {
  const steps = JSON.parse(request.steps) as RequestStep[];
  const requester = (await namesById(sequelize, 'users', [request.requester_user_id], transaction)).get(request.requester_user_id) ?? '';
  const lines: CardLine[] = [{ text: `${requester} 提交：${request.title}` }];
  if (highlight) lines.push({ tone: 'highlight', text: highlight.value });
  lines.push({ tone: 'gray', text: `原因：${request.reason}` });
  lines.push({
    tone: 'gray',
    text: `${steps.length > 1 ? `第 ${request.current_step}/${steps.length} 步「${steps[request.current_step - 1]!.name}」· ` : ''}${businessDate(new Date(request.expires_at))} 前未审批将过期`,
  });
  for (const userId of approverIds) {
    await enqueueNotification(
      sequelize,
      {
        kind: 'approval',
        dedupeKey: `approval:${request.id}:${request.current_step}:${userId}`,
        userId,
        title: `待你审批：${APPROVAL_TYPES[request.type]}`,
        lines: fitCardLines(lines),
        path: approvalPath(request.id),
      },
      new Date(),
      transaction,
    );
  }
}

const OUTCOME_TITLES = { approved: '审批已通过', rejected: '审批被驳回', expired: '审批已过期' } as const;

/** The requester hears how their request ended (never of their own withdrawal). */
export async function notifyRequester(
  sequelize: Sequelize,
  request: ApprovalRequestRow,
  outcome: keyof typeof OUTCOME_TITLES,
  detail: string,
  transaction: Transaction,
): Promise<void> {
  await enqueueNotification(
    sequelize,
    {
      kind: 'approval_result',
      dedupeKey: `approval:${request.id}:outcome`,
      userId: request.requester_user_id,
      title: `${OUTCOME_TITLES[outcome]}：${APPROVAL_TYPES[request.type]}`,
      lines: fitCardLines([{ text: request.title }, { tone: outcome === 'approved' ? 'highlight' : 'gray', text: detail }]),
      path: approvalPath(request.id),
    },
    new Date(),
    transaction,
  );
}

/** The approvers of the step that was waiting: the request they were asked to decide was withdrawn. */
export async function notifyWithdrawn(
  sequelize: Sequelize,
  request: ApprovalRequestRow,
  approverIds: readonly number[],
  transaction: Transaction,
): Promise<void> {
  const requester = (await namesById(sequelize, 'users', [request.requester_user_id], transaction)).get(request.requester_user_id) ?? '';
  for (const userId of approverIds) {
    await enqueueNotification(
      sequelize,
      {
        kind: 'approval_result',
        dedupeKey: `approval:${request.id}:withdrawn:${userId}`,
        userId,
        title: `申请已撤回：${APPROVAL_TYPES[request.type]}`,
        lines: fitCardLines([{ text: request.title }, { tone: 'gray', text: `${requester} 已撤回，无需审批` }]),
        path: approvalPath(request.id),
      },
      new Date(),
      transaction,
    );
  }
}
