/**
 * 合格投资者 (without zod: the product form and the customer card read it; the schema is in
 * shared/qualification.ts, which re-exports all of this): who may buy a product sold only to qualified investors (私募基金, 信托, 私募资管), and
 * for how much (server/README.md#qualified-investors-合格投资者). The rules in force:
 *
 * - 《私募投资基金监督管理暂行办法》(证监会令第105号, 2014) 第十二条: a qualified investor of a 私募基金
 *   invests at least 100 万元 in a single fund and is an individual with 金融资产 ≥ 300 万元 or
 *   最近三年个人年均收入 ≥ 50 万元, or an institution with 净资产 ≥ 1000 万元;
 *   《私募投资基金募集行为管理办法》(基金业协会, 2016) makes the seller verify it (合格投资者确认) before
 *   the sale. A 专业投资者 (《证券期货投资者适当性管理办法》第八条) meets higher thresholds.
 * - 《关于规范金融机构资产管理业务的指导意见》(资管新规, 银发〔2018〕106号) 第六条 for 信托 and other
 *   private 资管产品: 家庭金融净资产 ≥ 300 万元 / 家庭金融资产 ≥ 500 万元 / 近三年本人年均收入 ≥ 40 万元
 *   with 2 years of investing, or an institution with 净资产 ≥ 1000 万元; at least 30 万元 in a 固定收益类,
 *   40 万元 in a 混合类, 100 万元 in a 权益类 or 商品及金融衍生品类 product.
 *
 * The product says whether it is 仅限合格投资者 and its 最低认购金额 (the product form suggests 100 万
 * for a 私募基金); the customer's qualification is recorded with its basis, the date of its evidence
 * and until when it holds. One rule for every buy (trades/ledger.ts writeTrade, the import's dry run).
 */
export const QUALIFICATION_BASES = {
  financial_assets: '金融资产不低于 300 万元',
  income: '近三年年均收入不低于 50 万元',
  net_assets: '机构净资产不低于 1000 万元',
  professional: '专业投资者',
} as const;
export type QualificationBasis = keyof typeof QUALIFICATION_BASES;

/** The 私募基金 minimum of 私募投资基金监督管理暂行办法第十二条, in 元: what the product form suggests. */
export const PRIVATE_FUND_MIN_SUBSCRIPTION = 1_000_000;

export interface Qualification {
  basis: QualificationBasis | null;
  evidenceOn: string | null;
  validUntil: string | null;
}

/** Whether `q` holds on `today` (YYYY-MM-DD). */
export const qualificationHolds = (q: Qualification, today: string): boolean => q.basis !== null && !!q.validUntil && q.validUntil >= today;

/** What a product asks of a buyer: only qualified investors, and a minimum (元, null: none). */
export interface QualifiedProductTerms {
  qualifiedOnly: boolean;
  minSubscription: number | null;
}

/**
 * Why a buy of `amount` 元 is refused by the product's 合格投资者 terms, or null. `problem`:
 * `not_qualified` (no valid qualification) or `below_minimum`.
 */
export function qualificationRefusal(
  q: Qualification,
  terms: QualifiedProductTerms,
  amount: number,
  today: string,
): { problem: 'not_qualified' | 'below_minimum'; message: string } | null {
  if (terms.qualifiedOnly && !qualificationHolds(q, today)) {
    const lapsed = q.basis !== null && q.validUntil !== null && q.validUntil < today;
    return {
      problem: 'not_qualified',
      message: lapsed
        ? `该产品仅限合格投资者购买，客户的合格投资者认定已于 ${q.validUntil} 过期，请更新证明材料`
        : '该产品仅限合格投资者购买，客户还没有有效的合格投资者认定（金融资产、收入或净资产证明）',
    };
  }
  if (terms.minSubscription !== null && amount < terms.minSubscription) {
    return { problem: 'below_minimum', message: `该产品最低认购金额为 ${terms.minSubscription.toLocaleString('zh-CN')} 元，本次金额不足` };
  }
  return null;
}
