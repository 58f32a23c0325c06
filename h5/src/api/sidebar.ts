import type { CustomerView, FollowUpView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { sidebarCardPath, type GroupChatView, type SidebarCard } from '@shared/sidebar';
import { api } from './client';
import type { TagChange } from './engagement';

const enc = encodeURIComponent;

export const sidebarApi = {
  card: (externalUserId: string) => api.get<SidebarCard>(sidebarCardPath(externalUserId)),
  group: (chatId: string) => api.get<GroupChatView>(`/api/sidebar/group-chats/${enc(chatId)}`),
  myContacts: () => api.get<{ items: { externalUserId: string; name: string; remark: string | null; linked: boolean }[] }>('/api/sidebar/contacts'),
  myGroups: () => api.get<{ items: { chatId: string; name: string | null; memberCount: number }[] }>('/api/sidebar/group-chats'),
  link: (externalUserId: string, customerId: number) => api.post<CustomerView>('/api/wecom-links', { externalUserId, customerId }),
  createCustomer: (externalUserId: string) => api.post<CustomerView>(`/api/wecom-links/${enc(externalUserId)}/customer`, {}),
  updateCustomer: (customerId: number, patch: Record<string, unknown> & { version: number }) => api.patch<CustomerView>(`/api/customers/${customerId}`, patch),
  /** 协同跟进: a follow-up on the contact's customer, written by a co-follower (the server checks the relation). */
  coFollowUp: (externalUserId: string, entry: { channel: string; content: string; nextAction?: string }) =>
    api.post<FollowUpView>(`/api/sidebar/external-contacts/${enc(externalUserId)}/follow-ups`, entry),
  /** Tags the contact as the rep chatting with them (their own follow relation); the relation's tag ids after. */
  markTags: (externalUserId: string, change: TagChange) => api.post<{ tagIds: string[] }>(`/api/sidebar/external-contacts/${enc(externalUserId)}/tags`, change),
  searchCustomers: (keyword: string) => api.get<PageOf<CustomerView>>('/api/customers', { keyword, pageSize: 10 }),
};
