import type { TargetInput, TargetMetric, TargetView } from '@shared/targets';
import { api } from './client';

export interface TargetFilter {
  period?: string;
  scopeType?: 'user' | 'department';
  scopeId?: number;
  metric?: TargetMetric;
}

/** 目标: one value per (period, person or department, metric); PUT replaces it. Not paginated. */
export const targetsApi = {
  list: (filter: TargetFilter = {}) => api.get<{ items: TargetView[] }>('/api/targets', { ...filter }),
  set: (input: TargetInput) => api.put<TargetView>('/api/targets', input),
  remove: (id: number) => api.delete<void>(`/api/targets/${id}`),
};
