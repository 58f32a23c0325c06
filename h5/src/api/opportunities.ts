import type { PageOf } from '@shared/http';
import type { OpportunityCreateInput, OpportunityPatch, OpportunityView } from '@shared/opportunities';
import { api } from './client';

export interface OpportunityFilter {
  customerId?: number;
  ownerUserId?: number;
  stage?: string;
  status?: 'open' | 'closed';
  staleDays?: number;
  expectedMonth?: string;
}

/** 商机 (server/README.md#opportunities-商机). */
export const opportunitiesApi = {
  list: (filter: OpportunityFilter, page = 1, pageSize = 20) => api.get<PageOf<OpportunityView>>('/api/opportunities', { ...filter, page, pageSize }),
  create: (input: OpportunityCreateInput) => api.post<OpportunityView>('/api/opportunities', input),
  /** `{stage}` moves it; `won` books the buy (its fields default to the opportunity's), `lost` needs `lossReason`. */
  update: (id: number, patch: OpportunityPatch) => api.patch<OpportunityView>(`/api/opportunities/${id}`, patch),
};
