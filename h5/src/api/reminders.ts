import type { PageOf } from '@shared/http';
import type { NotificationStatus, NotificationView } from '@shared/notifications';
import type { CorpSettings } from '@shared/settings';
import { api } from './client';

/** `POST /api/admin/reminders/run`: digests queued now (`recipients`), people who had today's already, messages sent. */
export interface DigestRunOutcome {
  day: string;
  queued: boolean;
  recipients: number;
  alreadyHad: number;
  sent: number;
}

export const remindersApi = {
  settings: () => api.get<CorpSettings>('/api/admin/settings'),
  updateSettings: (patch: Partial<CorpSettings>) => api.patch<CorpSettings>('/api/admin/settings', patch),
  runToday: () => api.post<DigestRunOutcome>('/api/admin/reminders/run'),
  notifications: (status: NotificationStatus | '', page: number) =>
    api.get<PageOf<NotificationView>>('/api/admin/notifications', { status: status || undefined, page, pageSize: 20 }),
  retryNotification: (id: number) => api.post<NotificationView>(`/api/admin/notifications/${id}/retry`),
};
