import type { Colleague, DepartmentOption } from '@shared/org';
import { api } from './client';

export const orgApi = {
  /** Departments inside the caller's data scope (pickers). */
  departments: () => api.get<{ items: DepartmentOption[] }>('/api/org/departments'),
  /** Active colleagues in the caller's scope whose name or userid contains `keyword` (at most `limit`, ≤ 100). */
  colleagues: (keyword: string, limit?: number) => api.get<{ items: Colleague[] }>('/api/org/users', { keyword, limit }),
};
