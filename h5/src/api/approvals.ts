import type { ApprovalListItem, ApprovalRuleStep, ApprovalRuleView, ApprovalStatus, ApprovalType, ApprovalView } from '@shared/approval-labels';
import type { PageOf } from '@shared/http';
import { api } from './client';

/** 审批 (server/README.md#approvals-审批): what waits for me, what I asked, a request's page and its decision. */
export const approvalsApi = {
  /** What waits for my decision; `mine`: what I asked. */
  list: (filter: { mine?: boolean; status?: ApprovalStatus }, page: number, pageSize = 20) =>
    api.get<PageOf<ApprovalListItem>>('/api/approvals', { mine: filter.mine ? '1' : undefined, status: filter.status, page, pageSize }),
  get: (id: number) => api.get<ApprovalView>(`/api/approvals/${id}`),
  approve: (id: number, comment?: string) => api.post<ApprovalView>(`/api/approvals/${id}/approve`, { comment: comment || undefined }),
  reject: (id: number, comment: string) => api.post<ApprovalView>(`/api/approvals/${id}/reject`, { comment }),
  withdraw: (id: number) => api.post<ApprovalView>(`/api/approvals/${id}/withdraw`),
  /** 管理 → 审批规则. */
  rules: () => api.get<{ items: ApprovalRuleView[]; roles: { code: string; name: string }[] }>('/api/admin/approval-rules'),
  saveRule: (type: ApprovalType, rule: { steps: ApprovalRuleStep[]; expireDays: number }) =>
    api.put<ApprovalRuleView>(`/api/admin/approval-rules/${type}`, rule),
};
