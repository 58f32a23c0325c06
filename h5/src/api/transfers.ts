import type { TransferBatchView, TransferResolveInput, TransferView, UnassignedQueue } from '@shared/transfers';
import { api } from './client';

export type TransferFilter = 'active' | 'failed' | undefined;

/** 客户继承: hand customers (or a member's whole book) to a colleague, follow the WeCom side, decide on failures. */
export const transfersApi = {
  transfer: (customerIds: number[], toUserId: number, message?: string, reason?: string) =>
    api.post<TransferBatchView>('/api/transfers', { customerIds, toUserId, message: message || undefined, reason: reason || undefined }),
  book: (fromUserId: number, toUserId: number, message?: string, reason?: string) =>
    api.post<TransferBatchView>('/api/transfers/book', { fromUserId, toUserId, message: message || undefined, reason: reason || undefined }),
  list: (status: TransferFilter) => api.get<{ items: TransferView[] }>('/api/transfers', { status }),
  ofCustomer: (customerId: number) => api.get<{ items: TransferView[] }>(`/api/customers/${customerId}/transfers`),
  unassigned: () => api.get<UnassignedQueue>('/api/transfers/unassigned'),
  resolve: (id: number, decision: TransferResolveInput) => api.post<{ items: TransferView[] }>(`/api/transfers/${id}/resolve`, decision),
};
