/**
 * Label tables the H5 shows, kept apart from the zod schemas of their domain modules (which
 * re-export them) so pages that only need a label do not download zod.
 */

export const MATCHED_BY = { unionid: 'UnionID 一致', mobile: '备注手机号一致', manual: '手动关联', created: '由联系人创建' } as const;
export type MatchedBy = keyof typeof MATCHED_BY;

/** Why a customer is suggested for a contact, strongest first. */
export const SUGGESTION_REASONS = {
  unionid: 'UnionID 相同（多位客户）',
  mobile: '手机号相同（多位客户）',
  name_corp: '姓名与企业相同',
  name_remark_company: '姓名与备注企业相同',
} as const;
export type SuggestionReason = keyof typeof SUGGESTION_REASONS;

/** The 商机 stages that close one (shared/opportunities.ts re-exports them). */
export const WON_STAGE = 'won';
export const LOST_STAGE = 'lost';
export const isClosedStage = (stage: string) => stage === WON_STAGE || stage === LOST_STAGE;

/** How a customer came into 公海 (shared/customer-pool.ts re-exports it). */
export const POOL_ENTRY_KINDS = { released: '主动释放', recycled: '规则回收', owner_left: '负责人离职', assigned: '分配' } as const;

export const PRODUCT_STATUSES = { on_sale: '在售', suspended: '暂停销售', closed: '已清盘' } as const;
export type ProductStatus = keyof typeof PRODUCT_STATUSES;

export const TARGET_METRICS = { sales_amount: '销售额', new_customers: '新增客户', follow_ups: '跟进次数' } as const;
export type TargetMetric = keyof typeof TARGET_METRICS;
