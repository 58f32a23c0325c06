import type { CallbackInput, CallbackItem } from '@shared/cooling-off';
import type { ApprovalListItem, ApprovalStatus } from '@shared/approval-labels';
import type { AssessmentState, ComplianceSummary, LapsingAssessmentRow, SuitabilityLedgerRow, SuitabilityOutcome } from '@shared/compliance-labels';
import type { DataQuality } from '@shared/dashboard';
import type { PageOf } from '@shared/http';
import { api, withQuery } from './client';

export interface LedgerFilter {
  from?: string;
  to?: string;
  departmentId?: number;
  outcome?: SuitabilityOutcome;
}

export interface AuditExportFilter {
  entity?: string;
  since?: string;
  until?: string;
}

/** 合规工作台 (server/README.md#compliance-workspace-合规), and 运营's 数据质量. */
export const complianceApi = {
  /** Buys waiting for their 回访 (冷静期, shared/cooling-off.ts). */
  callbacks: (page: number) => api.get<PageOf<CallbackItem>>('/api/trades/callbacks', { page, pageSize: 20 }),
  recordCallback: (tradeId: number, body: CallbackInput) => api.post<void>(`/api/trades/${tradeId}/callback`, body),
  summary: () => api.get<ComplianceSummary>('/api/compliance/summary'),
  approvals: (status: ApprovalStatus, page: number) => api.get<PageOf<ApprovalListItem>>('/api/compliance/approvals', { status, page, pageSize: 20 }),
  ledger: (filter: LedgerFilter, page: number) => api.get<PageOf<SuitabilityLedgerRow>>('/api/compliance/suitability', { ...filter, page, pageSize: 20 }),
  ledgerExportUrl: (filter: LedgerFilter) => withQuery('/api/compliance/suitability.xlsx', { ...filter }),
  assessments: (state: AssessmentState | undefined, page: number) =>
    api.get<PageOf<LapsingAssessmentRow>>('/api/compliance/assessments', { state, page, pageSize: 20 }),
  auditExportUrl: (filter: AuditExportFilter) => withQuery('/api/compliance/audit-logs.xlsx', { ...filter }),
  dataQuality: () => api.get<DataQuality>('/api/dashboard/data-quality'),
};
