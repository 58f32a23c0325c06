/**
 * 适当性例外 as an approval type (server/README.md#approvals-审批): a rep's buy above the customer's risk
 * level, kept as a draft of the trade until approved. Approving writes it through the ledger's
 * `writeTrade` as the rep's trade, in the approval's transaction, after the same checks as any buy
 * — the customer still in the rep's scope, the product still on sale, the mismatch still one an
 * exception may cover (never C1, never without a valid assessment). Approvers hold
 * `sales.override_suitability`.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { ApprovalSubjectRow } from '@shared/approval-labels';
import { TRADE_CHANNELS, tradeInputSchema } from '@shared/ledger';
import {
  CUSTOMER_RISK_LABELS,
  PRODUCT_RISK_LABELS,
  assessmentExpiresOn,
  checkSuitability,
  type CustomerRiskLevel,
  type Suitability,
} from '@shared/suitability';
import { dateText, moneyText } from '@shared/format';
import { qualificationRefusal } from '@shared/qualification-rules';
import { businessDate } from '@shared/time';
import { namesById } from '../../db/lookup';
import { DomainError } from '../../errors';
import type { ApprovalContext, ApprovalTypeHandler } from '../approvals/types';
import { customerModels } from '../customers/models';
import { qualificationOf, riskProfileOf } from '../customers/service';
import { productModels } from '../products/models';
import type { BuyInput } from '../trades/exceptions';
import { checkTrade, productTermsOf, writeTrade } from '../trades/ledger';

/** The draft: the buy as the rep entered it, its credit resolved when submitted, with the investor's reason. */
export type ExceptionDraft = BuyInput & { repUserId: number; departmentId: number; suitabilityOverride: { reason: string } };

const levelText = (level: CustomerRiskLevel | null) => (level ? `${level} ${CUSTOMER_RISK_LABELS[level]}` : '未测评');

/**
 * What no exception covers — C1 above R1, a missing or expired assessment — is the ledger's 409
 * `suitability_mismatch` (「不能例外处理」), for the door and at approval alike.
 */
export function refuseHardLimit(verdict: Suitability): void {
  if (verdict.ok || verdict.overridable) return;
  throw new DomainError('conflict', 'suitability_mismatch', `${verdict.message}（不能例外处理）`, {
    problem: verdict.problem,
    customerLevel: verdict.customerLevel,
    productLevel: verdict.productLevel,
    overridable: false,
  });
}

/**
 * The mismatch must still be one an exception may cover; a buy that now suits the customer (the
 * level was raised meanwhile) goes through as well.
 */
async function checkDraft(ctx: ApprovalContext, draft: ExceptionDraft) {
  const checked = await checkTrade(ctx.sequelize, ctx.requester, draft, ctx.transaction);
  refuseHardLimit(checkSuitability(riskProfileOf(checked.customer), checked.product.risk_level, businessDate(new Date())));
  return checked;
}

async function loadParts(sequelize: Sequelize, draft: ExceptionDraft, transaction?: Transaction) {
  const [customer, product] = await Promise.all([
    customerModels(sequelize).Customer.findByPk(draft.customerId, { transaction }),
    productModels(sequelize).Product.findByPk(draft.productId, { transaction }),
  ]);
  return { customer: customer?.get(), product: product?.get() };
}

export function suitabilityExceptionType(): ApprovalTypeHandler<ExceptionDraft> {
  return {
    type: 'suitability_exception',
    approverPermission: 'sales.override_suitability',
    // 部门负责人 first, then 合规 (risk-1 in the demo): an exception is a compliance matter.
    defaultRule: {
      steps: [
        { name: '部门负责人', mode: 'any', approvers: [{ kind: 'leader', level: 1 }] },
        { name: '合规', mode: 'any', approvers: [{ kind: 'role', role: 'compliance' }] },
      ],
      expireDays: 7,
    },

    parse(raw) {
      const draft = tradeInputSchema.parse(raw);
      if (draft.kind !== 'buy' || !draft.suitabilityOverride || !draft.repUserId || !draft.departmentId) throw new Error('not a suitability exception draft');
      return draft as ExceptionDraft;
    },

    async title(sequelize, draft, transaction) {
      const { customer, product } = await loadParts(sequelize, draft, transaction);
      return `${customer?.name ?? '客户'} 申购 ${product?.name ?? '产品'} ${moneyText(draft.amount)}`;
    },

    async describe(sequelize, draft) {
      const { customer, product } = await loadParts(sequelize, draft);
      const names = await namesById(sequelize, 'users', [draft.repUserId]);
      const partner = draft.partnerId ? (await namesById(sequelize, 'consignment_partners', [draft.partnerId])).get(draft.partnerId) : null;
      const profile = customer ? riskProfileOf(customer) : null;
      const expires = profile ? assessmentExpiresOn(profile) : null;
      const rows: ApprovalSubjectRow[] = [
        { label: '客户', value: customer?.name ?? `#${draft.customerId}` },
        {
          label: '客户风险等级',
          value: profile ? `${levelText(profile.riskLevel)}${expires ? ` · 测评有效至${dateText(expires)}` : ''}` : '—',
        },
        { label: '产品', value: product ? `${product.name}（${product.risk_level} ${PRODUCT_RISK_LABELS[product.risk_level]}）` : `#${draft.productId}` },
        { label: '金额', value: moneyText(draft.amount) },
        { label: '渠道', value: `${TRADE_CHANNELS[draft.channel]}${partner ? ` · ${partner}` : ''}` },
        { label: '交易日期', value: dateText(draft.tradedOn) },
        { label: '销售人员', value: names.get(draft.repUserId) ?? '' },
      ];
      const verdict = profile && product ? checkSuitability(profile, product.risk_level, businessDate(new Date())) : null;
      if (product && verdict && !verdict.ok) {
        rows.push({
          label: '适当性',
          value:
            verdict.problem === 'level'
              ? `产品 ${product.risk_level}（${PRODUCT_RISK_LABELS[product.risk_level]}）高于客户 ${levelText(verdict.customerLevel)}，需例外审批`
              : verdict.message,
          tone: 'warn',
        });
      }
      // The 合格投资者 terms have no exception (server/README.md#qualified-investors-合格投资者): the
      // approved write refuses them, so the approver sees the problem before approving.
      const refusal =
        customer && product ? qualificationRefusal(qualificationOf(customer), productTermsOf(product), draft.amount, businessDate(new Date())) : null;
      if (refusal) rows.push({ label: refusal.problem === 'not_qualified' ? '合格投资者' : '最低认购金额', value: refusal.message, tone: 'warn' });
      return rows;
    },

    async validate(ctx, draft) {
      await checkDraft(ctx, draft);
    },

    async apply(ctx, draft) {
      await checkDraft(ctx, draft);
      const { trade } = await writeTrade(ctx.sequelize, ctx.requester, draft, ctx.transaction, { approvalId: ctx.approvalId });
      return { entity: 'trade', id: trade.id, path: `/customers/${draft.customerId}?tab=sales` };
    },

    resultPath: (draft) => `/customers/${draft.customerId}?tab=sales`,
  };
}
