/**
 * 商机 (opportunities, server/README.md#opportunities-商机): a customer (and optionally a consignment
 * partner) with the products discussed, the expected amount and date, a stage, the next step and an
 * owner. The stages are the `opportunity_stage` dictionary (each with its probability); `won` and
 * `lost` close an opportunity: 成交 books the buy through the trade ledger, 输单 names a reason from
 * the `opportunity_loss_reason` dictionary.
 */
import { z } from 'zod';
import { code, dateOnly, optionalText, pastDate, positiveId, text } from './fields';
import { yuan } from './money';
import { declareFields, schemaShape, type ViewOf } from './record-fields';
import { suitabilityOverrideSchema } from './suitability';

/** The closing stages' codes: fixed, whatever the dictionary calls them. */
// In labels.ts (no zod) for the sidebar card's 商机 panel; re-exported here for everyone else.
import { LOST_STAGE, WON_STAGE, isClosedStage } from './labels';

export { LOST_STAGE, WON_STAGE, isClosedStage };

/** The default stages (migration 0036 seeds them; 字典 may rename, add, reorder or disable open ones) and their probability in percent. */
export const DEFAULT_OPPORTUNITY_STAGES: [code: string, label: string, probability: number][] = [
  ['initial', '初步沟通', 10],
  ['needs', '需求确认', 30],
  ['proposal', '方案推荐', 50],
  ['pending_payment', '待打款', 80],
  [WON_STAGE, '成交', 100],
  [LOST_STAGE, '输单', 0],
];

export const DEFAULT_LOSS_REASONS: [code: string, label: string][] = [
  ['yield', '收益或费率不满意'],
  ['competitor', '选择了其他机构'],
  ['risk', '风险偏好不匹配'],
  ['liquidity', '资金安排变化'],
  ['no_response', '客户失联'],
  ['other', '其他'],
];

/** Every field of an opportunity, once (shared/record-fields.ts). */
export const OPPORTUNITY_FIELDS = declareFields({
  name: {
    column: 'name',
    rule: text(100).min(1, '请填写商机名称'),
    label: '商机名称',
    import: { aliases: ['商机', '名称', 'name', 'opportunity'], required: true, type: 'text', sample: '稳健理财追加' },
  },
  customerId: { column: 'customer_id', rule: positiveId, label: '客户', mapped: false },
  partnerId: { column: 'partner_id', rule: positiveId.nullable().optional(), label: '代销机构' },
  /** The products discussed (the first is the one 成交 books unless the trade names another). */
  productIds: {
    column: 'product_ids',
    rule: z.array(positiveId).min(1, '请至少选择一个产品').max(10, '最多 10 个产品'),
    label: '产品',
    mapped: false,
    view: 'none',
  },
  /** Kept in fen (`expected_amount_fen`), shown in yuan. */
  expectedAmount: { column: 'expected_amount_fen', rule: yuan, label: '预计金额', mapped: false, view: 'none' },
  stage: { column: 'stage', rule: code.optional(), label: '阶段', dictionary: 'opportunity_stage', initial: 'initial' },
  expectedOn: {
    column: 'expected_on',
    rule: dateOnly,
    label: '预计成交日期',
    view: 'date',
    import: { aliases: ['预计日期', '预计成交', 'expected date'], required: true, type: 'date', sample: '2026-12-31' },
  },
  nextStep: {
    column: 'next_step',
    rule: optionalText(255),
    label: '下一步',
    import: { aliases: ['下一步计划', 'next step'], type: 'text', sample: '周五前发送产品说明书' },
  },
  ownerUserId: { column: 'owner_user_id', rule: positiveId.optional(), label: '负责人', mapped: false, view: 'none' },
});

export const opportunityCreateSchema = z.object(schemaShape(OPPORTUNITY_FIELDS));
export type OpportunityCreateInput = z.infer<typeof opportunityCreateSchema>;

/** The buy 成交 books: every field optional, defaulted from the opportunity (its first product, expected amount, partner; today). */
export const wonTradeSchema = z.object({
  productId: positiveId.optional(),
  amount: yuan.optional(),
  tradedOn: pastDate.optional(),
  channel: z.enum(['direct', 'consignment']).optional(),
  partnerId: positiveId.nullable().optional(),
  suitabilityOverride: suitabilityOverrideSchema.optional(),
});

/**
 * `PATCH /api/opportunities/:id`: the fields to change and/or the stage to move to; 输单 needs
 * `lossReason`, 成交 takes the trade's fields (`wonTradeSchema`).
 */
export const opportunityPatchSchema = z
  .object({
    name: OPPORTUNITY_FIELDS.name.rule.optional(),
    partnerId: OPPORTUNITY_FIELDS.partnerId.rule,
    productIds: OPPORTUNITY_FIELDS.productIds.rule.optional(),
    expectedAmount: yuan.optional(),
    expectedOn: dateOnly.optional(),
    nextStep: OPPORTUNITY_FIELDS.nextStep.rule,
    stage: code.optional(),
    lossReason: code.optional(),
    lossNote: optionalText(255),
  })
  .extend(wonTradeSchema.shape)
  .refine((p) => Object.values(p).some((v) => v !== undefined), '至少修改一项')
  .refine((p) => p.stage !== LOST_STAGE || p.lossReason !== undefined, { message: '输单请选择原因', path: ['lossReason'] });
export type OpportunityPatch = z.infer<typeof opportunityPatchSchema>;

export interface OpportunityView extends ViewOf<typeof OPPORTUNITY_FIELDS> {
  id: number;
  customer: { id: number; name: string };
  partner: { id: number; name: string } | null;
  products: { id: number; name: string }[];
  expectedAmount: number;
  stage: string;
  stageLabel: string;
  /** The stage's probability in percent. */
  probability: number;
  /** expectedAmount × probability. */
  weightedAmount: number;
  owner: { id: number; name: string };
  departmentId: number;
  lossReason: string | null;
  lossReasonLabel: string | null;
  lossNote: string | null;
  tradeId: number | null;
  stageChangedAt: string;
  closedAt: string | null;
  createdAt: string;
}

/** Weighted amount in fen: amount × probability %, rounded to the fen. */
export const weightedFen = (amountFen: number, probability: number) => Math.round((amountFen * probability) / 100);
