import type {
  ChatMessage,
  ContactWayInput,
  ContactWayView,
  CorpTagGroupView,
  QuickReplyInput,
  QuickReplyView,
  WelcomeSendView,
  WelcomeTemplateInput,
  WelcomeTemplateView,
} from '@shared/engagement';
import { api } from './client';

/** Tags to put on and take off a contact (or a customer's contacts). */
export interface TagChange {
  add: string[];
  remove: string[];
}

/** 欢迎语: one template per scope (PUT is an upsert by scope), and the latest sends. */
export const welcomeApi = {
  list: () => api.get<{ items: WelcomeTemplateView[]; recentSends: WelcomeSendView[] }>('/api/admin/welcome-templates'),
  save: (input: WelcomeTemplateInput) => api.put<WelcomeTemplateView>('/api/admin/welcome-templates', input),
  remove: (id: number) => api.delete<void>(`/api/admin/welcome-templates/${id}`),
};

/** 渠道活码: 「联系我」 QR codes with the lead rules of the customers who scan them. */
export const contactWaysApi = {
  list: () => api.get<{ items: ContactWayView[] }>('/api/admin/contact-ways'),
  create: (input: ContactWayInput) => api.post<ContactWayView>('/api/admin/contact-ways', input),
  update: (id: number, input: ContactWayInput) => api.put<ContactWayView>(`/api/admin/contact-ways/${id}`, input),
  remove: (id: number) => api.delete<void>(`/api/admin/contact-ways/${id}`),
};

/** Corp tags: everyone reads them; admins add, rename and delete the ones this app created. */
export const corpTagsApi = {
  list: () => api.get<{ groups: CorpTagGroupView[] }>('/api/corp-tags'),
  create: (input: { groupId?: string; groupName?: string; names: string[] }) => api.post<{ groups: CorpTagGroupView[] }>('/api/admin/corp-tags', input),
  /** A tag's or a group's id. */
  rename: (id: string, name: string) => api.patch<{ groups: CorpTagGroupView[] }>(`/api/admin/corp-tags/${encodeURIComponent(id)}`, { name }),
  remove: (id: string) => api.delete<{ groups: CorpTagGroupView[] }>(`/api/admin/corp-tags/${encodeURIComponent(id)}`),
};

/** 话术库: reps search and send; admins keep it. */
export interface QuickReplySubmitted {
  status: 'pending_review';
  approvalId: number;
}

export const quickRepliesApi = {
  list: (query: { keyword?: string; category?: string } = {}) => api.get<{ items: QuickReplyView[] }>('/api/quick-replies', query),
  /** What to hand to `ww.sendChatMessage` for this reply in the chat with `externalUserId` (placeholders filled). */
  use: (id: number, externalUserId: string) => api.post<ChatMessage>(`/api/quick-replies/${id}/use`, { externalUserId }),
  /** With 话术审核 on, the answer is the 合规 request instead of the reply (written when approved). */
  create: (input: QuickReplyInput) => api.post<QuickReplyView | QuickReplySubmitted>('/api/admin/quick-replies', input),
  update: (id: number, input: QuickReplyInput) => api.put<QuickReplyView | QuickReplySubmitted>(`/api/admin/quick-replies/${id}`, input),
  remove: (id: number) => api.delete<void>(`/api/admin/quick-replies/${id}`),
};

export interface UploadedImage {
  id: number;
  name: string;
  url: string;
}

/** JPG / PNG up to 2 MB, for welcome attachments and image 话术. */
export const IMAGE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024;

export const mediaApi = {
  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.upload<UploadedImage>('/api/media', form);
  },
  url: (id: number) => `/api/media/${id}`,
  /** The media file behind a `/api/media/:id` URL (a 话术's `imageUrl`), for editing it. */
  idOf: (url: string | null | undefined): number | null => {
    const match = /\/api\/media\/(\d+)(?:$|[?#])/.exec(url ?? '');
    return match ? Number(match[1]) : null;
  },
};
