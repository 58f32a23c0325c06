import type { ClaimResult, PoolCustomerView, PoolRulesInput, PoolStatus, PoolView } from '@shared/customer-pool';
import type { PageOf } from '@shared/http';
import { api } from './client';

/** 公海 (server/README.md#customer-pool-公海). */
export const poolApi = {
  /** A pool's rules (the corp's with `departmentId: null`). */
  setRules: (rules: Partial<PoolRulesInput>) => api.put<PoolView>('/api/customer-pools', rules),
  pools: () => api.get<{ items: PoolView[] }>('/api/customer-pools'),
  customers: (page: number, poolId?: number) => api.get<PageOf<PoolCustomerView>>('/api/customer-pools/customers', { page, poolId }),
  statusOf: (customerId: number) => api.get<{ pool: PoolStatus | null }>(`/api/customers/${customerId}/pool`),
  release: (customerId: number, reason: string) => api.post<PoolStatus>(`/api/customers/${customerId}/release`, { reason }),
  claim: (customerId: number) => api.post<ClaimResult>(`/api/customers/${customerId}/claim`, {}),
  assign: (customerId: number, userId: number) => api.post<ClaimResult>(`/api/customers/${customerId}/assign`, { userId }),
};
