import type { Colleague, DepartmentOption } from '@shared/org';
import { api } from './client';

export const orgApi = {
  /** Departments inside the caller's data scope (pickers). */
  departments: () => api.get<{ items: DepartmentOption[] }>('/api/org/departments'),
  /** Active colleagues in the caller's scope whose name or userid contains `keyword`. */
  colleagues: (keyword: string) => api.get<{ items: Colleague[] }>('/api/org/users', { keyword }),
};
