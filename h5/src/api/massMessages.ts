import type { PageOf } from '@shared/http';
import type {
  MassAudiencePreview,
  MassPreviewInput,
  MassMessageCreateInput,
  MassMessageListItem,
  MassMessageView,
  MassReportRow,
  PendingSendItem,
} from '@shared/mass-messages';
import { api } from './client';

/** 客户群发 (server/README.md#客户群发). */
export const massMessagesApi = {
  list: (page: number) => api.get<PageOf<MassMessageListItem>>('/api/mass-messages', { page, pageSize: 20 }),
  preview: (body: Partial<MassPreviewInput>) => api.post<MassAudiencePreview>('/api/mass-messages/preview', body),
  /** An image (JPG / PNG) or a document (PDF / Office) for an attachment. */
  uploadMedia: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.upload<{ id: number; name: string; url: string; kind: 'image' | 'file' }>('/api/mass-messages/media', form);
  },
  create: (body: MassMessageCreateInput) => api.post<MassMessageView>('/api/mass-messages', body),
  detail: (id: number) => api.get<MassMessageView>(`/api/mass-messages/${id}`, { refresh: '1' }),
  cancel: (id: number) => api.post<MassMessageView>(`/api/mass-messages/${id}/cancel`, {}),
  remind: (id: number) => api.post<{ reminded: number }>(`/api/mass-messages/${id}/remind`, {}),
  pending: () => api.get<{ items: PendingSendItem[] }>('/api/mass-messages/pending'),
  report: () => api.get<{ items: MassReportRow[] }>('/api/mass-messages/report'),
};
