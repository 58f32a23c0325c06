import type { ConsignmentDashboard, CustomerDashboard, PipelineDashboard, PoolDashboard, SalesDashboard, TargetDashboard } from '@shared/dashboard';
import { api } from './client';

export interface DashboardFilter {
  period: string;
  departmentId?: number;
}

export const dashboardApi = {
  customers: (f: DashboardFilter) => api.get<CustomerDashboard>('/api/dashboard/customers', { ...f }),
  sales: (f: DashboardFilter) => api.get<SalesDashboard>('/api/dashboard/sales', { ...f }),
  consignment: (f: DashboardFilter) => api.get<ConsignmentDashboard>('/api/dashboard/consignment', { ...f }),
  targets: (f: DashboardFilter) => api.get<TargetDashboard>('/api/dashboard/targets', { ...f }),
  /** 商机漏斗与预测 (server/README.md#opportunities-商机). */
  pipeline: (f: DashboardFilter) => api.get<PipelineDashboard>('/api/dashboard/pipeline', { ...f }),
  /** 公海: size, entries and claims in the period, recycled per rule. */
  pool: (f: DashboardFilter) => api.get<PoolDashboard>('/api/dashboard/pool', { ...f }),
};
