import { EVENT_TYPE_LABELS } from './events';

/** The audit log as the API returns it (管理 → 审计日志). */
export interface AuditLogView {
  id: number;
  /** `label` is the user's WeCom userid, or `system` for the CLI, workers and start-up; `name` the person's name. */
  actor: { userId: number | null; label: string; name: string | null };
  action: string;
  /** The action in Chinese (AUDIT_ACTION_LABELS). */
  actionLabel: string;
  entity: string | null;
  /** The record kind in Chinese ('' without one). */
  entityLabel: string;
  entityId: string | null;
  /** What the entry is about, in Chinese (「华东销售部」, 客户等级「VIP」); null when there is nothing to name. Never show `entityId`. */
  subject: string | null;
  summary: string;
  diff: unknown;
  /** The Chinese names of the record's fields the diff names (`id_number` → 证件号码). */
  fieldLabels: Record<string, string>;
  ip: string | null;
  at: string;
}

/**
 * Chinese names of the audited record kinds, for filters and the log itself: every `entity` the
 * server writes has one (test/unit/audit-labels.test.ts scans server/ and fails on one without).
 */
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
  department: '部门',
  dictionary: '字典',
  settings: '设置',
  sync_run: '同步',
  import_job: '导入',
  wecom_event: '回调事件',
  wecom_contact: '企业微信客户',
  job: '后台任务',
  notification: '通知',
  approval: '审批',
  mass_message: '客户群发',
  mass_segment: '群发人群',
  approval_rule: '审批规则',
  export: '导出',
  contact_way: '渠道活码',
  corp_tag: '客户标签',
  quick_reply: '话术',
  welcome_template: '欢迎语',
  opportunity: '商机',
  customer_pool: '公海',
  follow_up: '跟进记录',
  partner_follow_up: '代销机构跟进记录',
};

/**
 * Chinese names of the audited actions (the log shows these, the filter offers them): every
 * `action` the server writes has one — test/unit/audit-labels.test.ts scans server/ and fails on
 * one without — and so do the actions of earlier versions still in the log (`sale.create`,
 * `holding.*`, `sale.suitability_override`).
 */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'auth.login': '登录',
  'auth.logout': '退出登录',
  'customer.create': '新建客户',
  'customer.update': '修改客户资料',
  'customer.stage_change': '客户阶段变更',
  'customer.delete': '删除客户',
  'customer.merge': '合并客户',
  'customer.transfer': '转移客户',
  'customer.transfer.keep': '转接失败后保留',
  'customer.transfer.retry': '重试客户转接',
  'customer.transfer.reassign': '改派客户转接',
  'customer.export': '导出客户',
  // 风险测评问卷 (server/modules/risk-questionnaire): a rep sends a link, the customer answers it, 合规 corrects a level.
  'risk_assessment.link': '发送风险测评',
  'risk_assessment.complete': '客户完成风险测评',
  'risk_questionnaire.publish': '发布风险测评问卷',
  'customer.risk_correct': '更正风险等级',
  'customer.qualification': '合格投资者认定',
  'customer.reveal': '查看完整手机号或证件号',
  'follow_up.update': '修改跟进记录',
  'follow_up.delete': '删除跟进记录',
  'contact.create': '新增联系人',
  'contact.update': '修改联系人',
  'contact.delete': '删除联系人',
  'holding.buy': '申购',
  'holding.redeem': '赎回',
  'holding.adjust': '持仓调整',
  'sale.create': '录入销售',
  'sale.update': '修改销售',
  'sale.delete': '删除销售',
  'sale.suitability_override': '适当性例外',
  // The trade ledger (shared/ledger.ts TRADE_KINDS): one action per kind, a void, an exception to suitability.
  'trade.buy': '申购',
  'trade.redeem': '赎回',
  'trade.dividend_cash': '现金分红',
  'trade.dividend_reinvest': '红利再投资',
  'trade.maturity': '到期兑付',
  'trade.adjust': '持仓调整',
  'trade.void': '作废交易',
  'trade.cancel': '客户撤销申购',
  'trade.callback': '回访',
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
  'target.set': '设置目标',
  'target.delete': '删除目标',
  'role.create': '新建角色',
  'role.update': '修改角色',
  'role.department_default': '设置新成员默认角色',
  'user.roles': '分配角色',
  'dictionary.add': '新增字典项',
  'dictionary.update': '修改字典项',
  'settings.update': '修改设置',
  'import.customers': '导入客户',
  'import.partners': '导入代销机构',
  'import.sales': '导入销售记录',
  'import.holding_records': '导入持仓交易',
  'import.follow_ups': '导入跟进记录',
  'import.navs': '导入产品净值',
  'import.opportunities': '导入商机',
  'import.pool_assignments': '导入公海分配',
  'sync.org.start': '发起通讯录同步',
  'sync.external_contacts.start': '发起客户联系同步',
  'event.retry': '重试回调事件',
  'job.retry': '重试后台任务',
  'notification.retry': '重发通知',
  'wecom_link.link': '关联企业微信联系人',
  'wecom_link.relink': '改为关联企业微信联系人',
  'wecom_link.unlink': '解除企业微信关联',
  'wecom_link.create_customer': '从企业微信联系人建客户',
  'wecom.contact.delete': '客户删除了销售（流失）',
  'welcome.save': '保存欢迎语',
  'welcome.delete': '删除欢迎语',
  'contact_way.create': '新建渠道活码',
  'contact_way.update': '修改渠道活码',
  'contact_way.delete': '删除渠道活码',
  'corp_tag.create': '新建客户标签',
  'corp_tag.rename': '重命名客户标签',
  'corp_tag.delete': '删除客户标签',
  'quick_reply.create': '新建话术',
  'quick_reply.update': '修改话术',
  'quick_reply.delete': '删除话术',
  'quick_reply.submit': '提交话术审核',
  // 商机 (shared/opportunities.ts).
  // 公海 (shared/customer-pool.ts).
  'customer.release': '释放到公海',
  'customer.recycle': '回收到公海',
  'customer.claim': '从公海领取',
  'customer.assign': '从公海分配',
  'customer_pool.rules': '设置公海规则',
  'opportunity.create': '新建商机',
  'opportunity.update': '修改商机',
  'opportunity.stage': '商机阶段变更',
  'opportunity.won': '商机成交',
  'opportunity.lost': '商机输单',
  'opportunity.export': '导出商机',
  'approval.request': '提交审批',
  'approval.approve': '审批同意',
  'approval.reject': '审批驳回',
  'approval.withdraw': '撤回审批',
  'approval.expire': '审批过期',
  'approval.rule': '修改审批规则',
  'compliance.export_suitability': '导出适当性台账',
  'compliance.export_audit': '导出审计日志',
  'mass_message.create': '提交客户群发',
  'mass_message.dispatch': '创建群发任务',
  'mass_message.cancel': '取消客户群发',
  'mass_message.remind': '提醒成员群发',
  'mass_segment.save': '保存群发人群',
  'mass_segment.delete': '删除群发人群',
};

/** An action in Chinese; one no version ever wrote reads 「其他操作」, never its code. */
export const auditActionLabel = (action: string): string => AUDIT_ACTION_LABELS[action] ?? '其他操作';
/** A record kind in Chinese; '' for none, 「其他记录」 for one nobody named. */
export const auditEntityLabel = (entity: string | null): string => (entity ? (AUDIT_ENTITY_LABELS[entity] ?? '其他记录') : '');

/** Settings keys as 提醒与通知 names them, for the summaries of settings changes. */
const SETTING_LABELS: Record<string, string> = {
  autoCreateLeads: '新联系人自动建线索',
  dailyDigest: '每日跟进提醒',
  digestTime: '提醒发送时间',
  staleDays: '久未跟进天数',
  notifyMatching: '新线索 / 联系人关联通知',
  notifyTransfer: '客户转移通知',
  notifyChurn: '客户流失提醒',
  coFollowerFollowUps: '协同跟进',
  remarkWriteBack: '客户手机号回写企业微信备注',
  remarkWriteBackName: '同时把客户名称写入备注',
  exportApprovalThreshold: '导出需审批的条数',
  quickReplyReview: '话术需合规审核',
};

/** The seed roles, for role codes earlier versions wrote into a summary (设置用户角色：compliance). */
const SEED_ROLE_NAMES: Record<string, string> = { admin: '系统管理员', manager: '部门经理', sales: '销售', operations: '运营', compliance: '合规' };

/** `scope:id` of a welcome template as earlier versions wrote it into a summary (`contact_way:2`). */
const WELCOME_SCOPE_WORDS: Record<string, string> = { department: '部门', user: '成员', contact_way: '渠道活码' };

/**
 * An entry's summary, in Chinese where the server wrote codes: a settings change names its
 * settings, an event retry its event type (`change_external_contact/edit_external_contact` → 编辑客户),
 * an older welcome message its scope (`contact_way:2` → 渠道活码 #2), an older role change the seed
 * roles' names (`compliance` → 合规).
 */
export function auditSummaryText(entry: { action: string; summary: string; diff: unknown }): string {
  if (entry.action === 'event.retry') return entry.summary.replace(/\b[a-z_]+\/[a-z_]*/g, (type) => EVENT_TYPE_LABELS[type] ?? type);
  if (entry.action === 'user.roles' || entry.action === 'role.department_default')
    return entry.summary.replace(
      /：(.+)$/,
      (_, roles: string) =>
        `：${roles
          .split('、')
          .map((code) => SEED_ROLE_NAMES[code] ?? code)
          .join('、')}`,
    );
  if (entry.action === 'welcome.save')
    return entry.summary.replace(/：(corp|([a-z_]+):(\d+))$/, (_, all: string, scope?: string, id?: string) =>
      all === 'corp' ? '：全公司' : `：${WELCOME_SCOPE_WORDS[scope!] ?? '其他'} #${id}`,
    );
  if (entry.action !== 'settings.update' || !entry.diff || typeof entry.diff !== 'object') return entry.summary;
  const changes = Object.entries(entry.diff as Record<string, unknown>).map(([key, value]) => {
    const name = SETTING_LABELS[key] ?? '其他设置';
    return typeof value === 'boolean' ? `${value ? '开启' : '关闭'}「${name}」` : `「${name}」改为 ${String(value)}`;
  });
  return changes.length ? `修改企业设置：${changes.join('、')}` : entry.summary;
}
