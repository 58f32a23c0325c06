import type { ApprovalView } from '@shared/approval-labels';
import type { ExportKind, ExportPolicyView } from '@shared/exports';
import { api } from './client';

let policy: Promise<ExportPolicyView> | null = null;

/** Customer-data exports (server/README.md#customer-data-exports): the corp's policy, and a request for one that needs approval. */
export const exportsApi = {
  /** Loaded once per page load: how many records an export may hold before it needs approval. */
  policy: () => {
    policy ??= api.get<ExportPolicyView>('/api/exports/policy').catch((err: unknown) => {
      policy = null;
      throw err;
    });
    return policy;
  },
  /** 202: the pending request (审批 → 我发起的 offers 下载 once approved). */
  request: (kind: ExportKind, filter: Record<string, unknown>, full: boolean, reason: string) =>
    api.post<ApprovalView>(`/api/${kind}/export-requests`, { filter, full, reason }),
};
