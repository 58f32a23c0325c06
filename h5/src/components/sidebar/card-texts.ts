/**
 * Texts of the sidebar card that both of its painters write: the first paint (h5/src/first-paint,
 * before the app's code has loaded) and the Vue components that take over. Pure functions, no Vue,
 * no zod, so the first-paint script stays a few KB.
 */
import type { CardTransfer } from '@shared/sidebar';
import { TRANSFER_STATUS_LABELS, isFailedTransfer } from '@shared/transfer-status';
import { dateTimeText } from '@shared/format';

/** Where the contact's handover to a colleague stands, as the card's notice says it. */
export function transferText(t: CardTransfer): string {
  const who = `${t.from ?? '原跟进人'} → ${t.to}`;
  if (t.status === 'queued') return `正在提交企业微信转接（${who}）`;
  if (t.status === 'waiting') return `转接中（${who}）：客户未拒绝的话，${t.takeoverAt ? `将于 ${dateTimeText(t.takeoverAt)} ` : ''}转到 ${t.to} 名下`;
  if (t.status === 'done') return `已转接给 ${t.to}`;
  if (t.status === 'crm_only') return `负责人已改为 ${t.to}`;
  return `转接未完成（${who}）：${TRANSFER_STATUS_LABELS[t.status]}${t.reason ? `，${t.reason}` : ''}`;
}

/** The notice's colours: red for a handover that failed, blue while it goes or once it went. */
export function transferColors(t: CardTransfer): { color: string; background: string } {
  return isFailedTransfer(t.status) ? { color: '#ee0a24', background: '#fff1f0' } : { color: '#1989fa', background: '#ecf5ff' };
}

/** What the sidebar says when the server refused the card (its status and Chinese message), and whether 重试 may help. */
export function cardErrorText(status: number, message: string): { message: string; retry: boolean } {
  if (status === 403) return { message: `${message}。只有添加了该客户的同事才能在侧边栏查看。`, retry: false };
  if (status === 404) return { message: '找不到这位客户：对方可能已删除好友，请稍后重试或联系管理员同步客户数据。', retry: true };
  return { message, retry: true };
}
