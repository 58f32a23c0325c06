/**
 * Chinese names for every audited action and record kind the server writes (grep "action: '" in
 * server/), on top of shared/audit.ts — which lags behind the newer modules (客户运营, 新成员默认角色,
 * history imports, 流失). An action nobody has named yet shows as 「其他操作」 with its code.
 */
import { AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS } from '@shared/audit';
import { EVENT_TYPE_LABELS } from '@shared/events';

export const ACTION_LABELS: Record<string, string> = {
  ...AUDIT_ACTION_LABELS,
  'customer.transfer.keep': '转接失败后保留',
  'wecom.contact.delete': '客户删除了销售（流失）',
  'role.department_default': '设置新成员默认角色',
  'import.sales': '导入销售记录',
  'import.holding_records': '导入持仓交易',
  // The trade ledger (shared/ledger.ts TRADE_KINDS): one action per kind, a void, an exception to suitability.
  'trade.buy': '申购',
  'trade.redeem': '赎回',
  'trade.dividend_cash': '现金分红',
  'trade.dividend_reinvest': '红利再投资',
  'trade.maturity': '到期兑付',
  'trade.adjust': '持仓调整',
  'trade.void': '作废交易',
  'suitability.override': '适当性例外',
  'import.follow_ups': '导入跟进记录',
  'sync.external_contacts.start': '发起客户联系同步',
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
};

export const ENTITY_LABELS: Record<string, string> = {
  ...AUDIT_ENTITY_LABELS,
  department: '部门',
  trade: '交易',
  contact_way: '渠道活码',
  corp_tag: '客户标签',
  quick_reply: '话术',
  welcome_template: '欢迎语',
};

export const actionLabel = (action: string) => ACTION_LABELS[action] ?? `其他操作（${action}）`;
export const entityLabel = (entity: string | null) => (entity ? (ENTITY_LABELS[entity] ?? entity) : '');

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
};

/**
 * An entry's summary, in Chinese where the server writes codes: a settings change names its
 * settings, an event retry its event type (`change_external_contact/edit_external_contact` → 编辑客户).
 */
export function summaryOf(entry: { action: string; summary: string; diff: unknown }): string {
  if (entry.action === 'event.retry') return entry.summary.replace(/\b[a-z_]+\/[a-z_]*/g, (type) => EVENT_TYPE_LABELS[type] ?? type);
  if (entry.action !== 'settings.update' || !entry.diff || typeof entry.diff !== 'object') return entry.summary;
  const changes = Object.entries(entry.diff as Record<string, unknown>).map(([key, value]) => {
    const name = SETTING_LABELS[key] ?? key;
    return typeof value === 'boolean' ? `${value ? '开启' : '关闭'}「${name}」` : `「${name}」改为 ${String(value)}`;
  });
  return changes.length ? `修改企业设置：${changes.join('、')}` : entry.summary;
}
