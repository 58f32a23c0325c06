/** WeCom messages to employees (reminders, event notices) as the admin API lists them. */
export type NotificationKind = 'digest' | 'lead_created' | 'contact_linked' | 'transfer';
export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface NotificationView {
  id: number;
  kind: NotificationKind;
  user: { id: number; name: string };
  title: string;
  path: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  sentAt: string | null;
  createdAt: string;
}
