/** Controlled value lists (server/README.md#data-model, "Dictionaries"): types and the values seeded for them. */
export const DICTIONARY_TYPES = {
  customer_type: '客户类型',
  customer_status: '客户状态',
  lifecycle_stage: '生命周期阶段',
  customer_source: '客户来源',
  customer_level: '客户等级',
  partner_type: '代销机构类型',
  partner_status: '代销机构状态',
  follow_up_channel: '跟进方式',
  product_category: '产品类别',
  /** 商机阶段 (shared/opportunities.ts): each value carries its probability; `won` and `lost` close an opportunity. */
  opportunity_stage: '商机阶段',
  opportunity_loss_reason: '输单原因',
} as const;

export type DictionaryType = keyof typeof DICTIONARY_TYPES;
export const DICTIONARY_TYPE_CODES = Object.keys(DICTIONARY_TYPES) as [DictionaryType, ...DictionaryType[]];

export interface DictionaryValue {
  code: string;
  label: string;
  sortOrder: number;
  enabled: boolean;
  /** 商机阶段 only: the probability in percent (0–100) the forecast weighs the stage's amounts by. */
  probability?: number;
}

export type DictionariesResponse = Record<DictionaryType, DictionaryValue[]>;

/**
 * The values the dictionaries migration (0004) seeds; types added later seed in their own
 * migration (product_category: 0006; opportunity_stage and opportunity_loss_reason: 0036). Lifecycle follows a wealth-management funnel: a lead
 * shows intent, becomes an opportunity (a product discussed), a customer on the first purchase,
 * repeat on the second, and lost when holdings are gone and contact has ceased.
 */
export const SEEDED_DICTIONARIES: Record<
  Exclude<DictionaryType, 'product_category' | 'opportunity_stage' | 'opportunity_loss_reason'>,
  [code: string, label: string][]
> = {
  customer_type: [
    ['individual', '个人'],
    ['institution', '机构'],
  ],
  customer_status: [
    ['active', '正常'],
    ['dormant', '休眠'],
    ['frozen', '冻结'],
    ['closed', '已销户'],
  ],
  lifecycle_stage: [
    ['lead', '线索'],
    ['intent', '意向'],
    ['opportunity', '商机'],
    ['customer', '成交客户'],
    ['repeat', '复购'],
    ['lost', '流失'],
  ],
  customer_source: [
    ['wecom', '企业微信'],
    ['website', '官网'],
    ['referral', '转介绍'],
    ['event', '活动'],
    ['phone', '电话'],
    ['import', '导入'],
  ],
  customer_level: [
    ['vip', '高净值'],
    ['important', '重要'],
    ['normal', '普通'],
    ['potential', '潜在'],
  ],
  partner_type: [
    ['bank', '银行'],
    ['securities', '证券公司'],
    ['third_party', '第三方销售机构'],
    ['insurance', '保险代理'],
  ],
  partner_status: [
    ['negotiating', '洽谈中'],
    ['signed', '已签约'],
    ['active', '合作中'],
    ['suspended', '暂停合作'],
    ['terminated', '已终止'],
  ],
  follow_up_channel: [
    ['wecom', '企微沟通'],
    ['phone', '电话'],
    ['visit', '拜访'],
    ['meeting', '会议'],
    ['email', '邮件'],
    ['other', '其他'],
  ],
};
