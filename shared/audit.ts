/** The audit log as the API returns it (管理 → 审计日志). */
export interface AuditLogView {
  id: number;
  /** `label` is the user's name, or `system` for the CLI, workers and start-up. */
  actor: { userId: number | null; label: string };
  action: string;
  entity: string | null;
  entityId: string | null;
  summary: string;
  diff: unknown;
  ip: string | null;
  at: string;
}

/** Chinese names of the audited record kinds, for filters and the log itself. */
export const AUDIT_ENTITY_LABELS: Record<string, string> = {
  customer: '客户',
  sale: '销售',
  partner: '代销机构',
  product: '产品',
  target: '目标',
  role: '角色',
  user: '人员',
  dictionary: '字典',
  settings: '设置',
  sync_run: '同步',
  wecom_event: '回调事件',
};
