/** The audit log as the API returns it (管理 → 审计日志). */
export interface AuditLogView {
  id: number;
  /** `label` is the user's WeCom userid, or `system` for the CLI, workers and start-up; `name` the person's name. */
  actor: { userId: number | null; label: string; name: string | null };
  action: string;
  entity: string | null;
  entityId: string | null;
  summary: string;
  diff: unknown;
  /** The Chinese names of the record's fields the diff names (`id_number` → 证件号码). */
  fieldLabels: Record<string, string>;
  ip: string | null;
  at: string;
}

/** Chinese names of the audited record kinds, for filters and the log itself. */
export const AUDIT_ENTITY_LABELS: Record<string, string> = {
  customer: '客户',
  sale: '销售',
  trade: '交易',
  holding: '持仓',
  partner: '代销机构',
  product: '产品',
  target: '目标',
  role: '角色',
  user: '人员',
  dictionary: '字典',
  settings: '设置',
  sync_run: '同步',
  import_job: '导入',
  wecom_event: '回调事件',
  job: '后台任务',
  approval: '审批',
  approval_rule: '审批规则',
};

/** Chinese names of the audited actions (the log shows these, the filter offers them). */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'auth.login': '登录',
  'auth.logout': '退出登录',
  'customer.create': '新建客户',
  'customer.update': '修改客户资料',
  'customer.stage_change': '客户阶段变更',
  'customer.delete': '删除客户',
  'customer.merge': '合并客户',
  'customer.transfer': '转移客户',
  'customer.export': '导出客户',
  'contact.create': '新增联系人',
  'contact.update': '修改联系人',
  'contact.delete': '删除联系人',
  'holding.buy': '申购',
  'holding.redeem': '赎回',
  'holding.adjust': '持仓调整',
  'sale.create': '录入销售',
  'sale.update': '修改销售',
  'sale.delete': '删除销售',
  'trade.buy': '申购',
  'trade.redeem': '赎回',
  'trade.dividend_cash': '现金分红',
  'trade.dividend_reinvest': '红利再投资',
  'trade.maturity': '到期兑付',
  'trade.adjust': '持仓调整',
  'trade.void': '作废交易',
  'suitability.override': '适当性例外',
  'partner.create': '新建代销机构',
  'partner.update': '修改代销机构',
  'partner.transfer': '转交代销机构',
  'partner.delete': '删除代销机构',
  'partner.export': '导出代销机构',
  'product.create': '新建产品',
  'product.update': '修改产品',
  'product.nav': '录入净值',
  'product.nav_correct': '更正净值',
  'import.navs': '导入产品净值',
  'target.set': '设置目标',
  'target.delete': '删除目标',
  'role.create': '新建角色',
  'role.update': '修改角色',
  'user.roles': '分配角色',
  'dictionary.add': '新增字典项',
  'dictionary.update': '修改字典项',
  'settings.update': '修改设置',
  'import.customers': '导入客户',
  'import.partners': '导入代销机构',
  'sync.org.start': '发起通讯录同步',
  'sync.external_contacts.start': '发起客户同步',
  'event.retry': '重试回调事件',
  'job.retry': '重试后台任务',
  'notification.retry': '重发通知',
  'wecom_link.link': '关联企业微信联系人',
  'wecom_link.relink': '改为关联企业微信联系人',
  'wecom_link.unlink': '解除企业微信关联',
  'wecom_link.create_customer': '从企业微信联系人建客户',
  'approval.request': '提交审批',
  'approval.approve': '审批同意',
  'approval.reject': '审批驳回',
  'approval.withdraw': '撤回审批',
  'approval.expire': '审批过期',
  'approval.rule': '修改审批规则',
};

export const auditActionLabel = (action: string) => AUDIT_ACTION_LABELS[action] ?? action;
