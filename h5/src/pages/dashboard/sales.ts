/**
 * 看板's 销售额 for one channel (`GET /api/dashboard/sales?channel=`). It belongs beside
 * `dashboardApi.sales` in api/dashboard.ts; it sits here while that file is another change's.
 */
import type { SalesChannel, SalesDashboard } from '@shared/dashboard';
import { api } from '@/api/client';
import type { DashboardFilter } from '@/api/dashboard';

export const salesOfChannel = (filter: DashboardFilter, channel: SalesChannel) => api.get<SalesDashboard>('/api/dashboard/sales', { ...filter, channel });
