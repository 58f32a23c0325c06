import type { CustomerSort } from '@shared/customer-list';
import type { ContactView, CustomerDetail, CustomerListItem, CustomerView, FollowUpView, MergeResult, TimelineEntry } from '@shared/customers';
import type { FollowUpPatch, MyFollowUpView } from '@shared/follow-ups';
import type { PageOf } from '@shared/http';
import type { HoldingView } from '@shared/ledger';
import { api, withQuery } from './client';
import type { TagChange } from './engagement';

export interface CustomerListFilter {
  keyword?: string;
  lifecycleStage?: string;
  level?: string;
  followUp?: 'due' | 'overdue';
  /** A corp tag one of the customer's WeCom contacts carries. */
  tagId?: string;
  /** The 渠道活码 `state` the customer came through. */
  channel?: string;
  /** Managers: one owner's customers, or one department's (its subtree). */
  ownerUserId?: number;
  departmentId?: number;
  /** Drill-downs from the dashboard: a source, and customers not followed up for N days. */
  source?: string;
  noFollowUpDays?: number;
  /** Only these customers, comma-separated (the desktop table's picked rows, exported). */
  ids?: string;
  /** A risk level C1–C5 or `none`; the assessment's validity today; holders of a product. */
  riskLevel?: 'C1' | 'C2' | 'C3' | 'C4' | 'C5' | 'none';
  riskValidity?: 'valid' | 'expired' | 'missing';
  productId?: number;
  sort?: CustomerSort;
}

/** The caller's customers whose next follow-up is today or earlier, soonest first. */
export function fetchDueCustomers(pageSize = 10): Promise<PageOf<CustomerListItem>> {
  return api.get<PageOf<CustomerListItem>>('/api/customers', { followUp: 'due', sort: 'next_follow_up_asc', pageSize });
}

export const customersApi = {
  list: (filter: CustomerListFilter, page: number, pageSize = 20) =>
    api.get<PageOf<CustomerListItem>>('/api/customers', {
      ...filter,
      page,
      pageSize,
      sort: filter.sort ?? (filter.followUp ? 'next_follow_up_asc' : 'updated_desc'),
    }),
  detail: (id: number) => api.get<CustomerDetail>(`/api/customers/${id}`),
  /** Merges the duplicates `sourceIds` into customer `id` (kept); `customer.merge`. */
  merge: (id: number, sourceIds: number[]) => api.post<MergeResult>(`/api/customers/${id}/merge`, { sourceIds }),
  /** A change of some fields, based on the version shown (a stale one is refused: 409). */
  update: (id: number, patch: Record<string, unknown> & { version: number }) => api.patch<CustomerView>(`/api/customers/${id}`, patch),
  /** A masked phone or ID number whole (audited on the server). */
  reveal: (id: number, field: 'phone' | 'idNumber') => api.post<{ value: string | null }>(`/api/customers/${id}/reveal`, { field }),
  /** One of the customer's contacts' phones whole (audited). */
  revealContactPhone: (id: number, contactId: number) =>
    api.post<{ value: string | null }>(`/api/customers/${id}/reveal`, { field: 'contactPhone', contactId }),
  followUps: (id: number, page: number) => api.get<PageOf<FollowUpView>>(`/api/customers/${id}/follow-ups`, { page, pageSize: 20 }),
  /** Corrects a follow-up (the author within 24 h, a manager any time). */
  updateFollowUp: (id: number, followUpId: number, patch: FollowUpPatch) => api.patch<FollowUpView>(`/api/customers/${id}/follow-ups/${followUpId}`, patch),
  deleteFollowUp: (id: number, followUpId: number) => api.delete<void>(`/api/customers/${id}/follow-ups/${followUpId}`),
  /** 我的跟进: what I wrote (`done`) or planned (`planned`), optionally within [from, to). */
  myFollowUps: (kind: 'done' | 'planned', page: number, range: { from?: string; to?: string } = {}, pageSize = 20) =>
    api.get<PageOf<MyFollowUpView>>('/api/follow-ups/mine', { kind, page, pageSize, ...range }),
  timeline: (id: number, page: number) => api.get<PageOf<TimelineEntry>>(`/api/customers/${id}/timeline`, { page, pageSize: 20 }),
  contacts: (id: number) => api.get<ContactView[]>(`/api/customers/${id}/contacts`),
  holdings: (id: number) => api.get<HoldingView[]>(`/api/customers/${id}/holdings`),
  /** The corp tags the customer's WeCom contacts carry. */
  tags: (id: number) => api.get<{ items: { id: string; name: string }[] }>(`/api/customers/${id}/tags`),
  markTags: (id: number, change: TagChange) => api.post<{ items: { id: string; name: string }[] }>(`/api/customers/${id}/tags`, change),
  exportUrl: (filter: CustomerListFilter) => withQuery('/api/customers/export.xlsx', { ...filter }),
};
