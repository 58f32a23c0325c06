import type { AumDashboard } from '@shared/dashboard';
import { api } from './client';

/** 资产规模 (`GET /api/dashboard/aum`, `dashboard.view`): AUM today, the period's flows and 适当性例外. */
export const aumApi = {
  get: (period: string, departmentId?: number) => api.get<AumDashboard>('/api/dashboard/aum', { period, departmentId }),
};
