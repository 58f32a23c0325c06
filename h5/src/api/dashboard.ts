import type { ConsignmentDashboard, CustomerDashboard, SalesDashboard, TargetDashboard } from '@shared/dashboard';
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
};
