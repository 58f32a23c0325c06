import type { PageOf } from '@shared/http';
import type { CorpSettings } from '@shared/settings';
import { api } from './client';

export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface NotificationView {
  id: number;
  kind: 'digest' | 'lead_created' | 'contact_linked' | 'transfer';
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

export const remindersApi = {
  settings: () => api.get<CorpSettings>('/api/admin/settings'),
  updateSettings: (patch: Partial<CorpSettings>) => api.patch<CorpSettings>('/api/admin/settings', patch),
  runToday: () => api.post<{ day: string; queued: boolean; recipients: number; sent: number }>('/api/admin/reminders/run'),
  notifications: (status: NotificationStatus | '', page: number) =>
    api.get<PageOf<NotificationView>>('/api/admin/notifications', { status: status || undefined, page, pageSize: 20 }),
};
