/**
 * The trade ledger (server/README.md#the-trade-ledger): every purchase, redemption, dividend,
 * maturity and correction of a customer's position in a product is one trade. Holdings, 销售额,
 * AUM and every dashboard figure are read from trades; nothing else records money.
 *
 * Units: money in fen and shares in hundredths of a share (integers, so sums are exact); a NAV
 * is a number with at most four decimals.
 */
import { z } from 'zod';
import { optionalLongText, pastDate, positiveId, longText } from './fields';
import { fromHundredths, yuan } from './money';
import { suitabilityOverrideSchema } from './suitability';

export const TRADE_KINDS = {
  buy: '申购',
  redeem: '赎回',
  dividend_cash: '现金分红',
  dividend_reinvest: '红利再投资',
  maturity: '到期兑付',
  adjust: '调整',
} as const;
export type TradeKind = keyof typeof TRADE_KINDS;

export const TRADE_CHANNELS = { direct: '直销', consignment: '代销' } as const;
export type TradeChannel = keyof typeof TRADE_CHANNELS;

/**
 * A product with no NAV on file is valued at par: one share is one yuan (面值 1 元, how bank
 * wealth products and money funds are quoted). Its shares then equal the yuan bought.
 */
export const PAR_NAV = 1;

/** A unit NAV: positive, at most four decimals. */
export const navValue = z
  .number()
  .positive('净值必须大于 0')
  .max(1e6, '净值过大')
  .refine((n) => Math.abs(n * 1e4 - Math.round(n * 1e4)) < 1e-6, '净值最多四位小数');

/** Shares from a confirmation slip: positive, at most two decimals. */
export const sharesValue = z
  .number()
  .positive('份额必须大于 0')
  .max(1e12, '份额过大')
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, '份额最多两位小数');

const signedShares = z
  .number()
  .min(-1e12, '份额过大')
  .max(1e12, '份额过大')
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, '份额最多两位小数');
const signedAmount = z
  .number()
  .min(-1e11, '金额过大')
  .max(1e11, '金额过大')
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, '金额最多两位小数');

/** Who the trade is credited to: 销售人员 defaults to the customer's owner; a manager may record on a rep's behalf. */
const credit = {
  repUserId: positiveId.optional(),
  departmentId: positiveId.optional(),
  channel: z.enum(['direct', 'consignment']).default('direct'),
  partnerId: positiveId.nullable().optional(),
};
const common = {
  customerId: positiveId,
  productId: positiveId,
  tradedOn: pastDate,
  /** A fund's confirmation date (T+1 …), when the slip gives one. */
  confirmedOn: pastDate.nullable().optional(),
  notes: optionalLongText(512),
  ...credit,
};

/** Each kind's fields (objects without refinements, so a door can omit what its path gives). */
const tradeShapes = {
  buy: z.object({
    kind: z.literal('buy'),
    ...common,
    amount: yuan,
    /** From the confirmation slip; else the amount at the NAV of the trade date. */
    shares: sharesValue.optional(),
    nav: navValue.optional(),
    /** Past a suitability mismatch the investor insisted on: taken only with its permission, never changed later. */
    suitabilityOverride: suitabilityOverrideSchema.optional(),
  }),
  /** By shares (the slip) or by amount (converted at the NAV of the trade date). */
  redeem: z.object({ kind: z.literal('redeem'), ...common, shares: sharesValue.optional(), amount: yuan.optional(), nav: navValue.optional() }),
  dividend_cash: z.object({ kind: z.literal('dividend_cash'), ...common, amount: yuan }),
  dividend_reinvest: z.object({ kind: z.literal('dividend_reinvest'), ...common, amount: yuan, shares: sharesValue.optional(), nav: navValue.optional() }),
  /** A term product paid out: every share leaves, the amount paid is what came back. */
  maturity: z.object({ kind: z.literal('maturity'), ...common, amount: yuan }),
  /** A correction of shares and/or cost (reconciling with a partner's statement), always with its reason. */
  adjust: z.object({
    kind: z.literal('adjust'),
    ...common,
    shares: signedShares.optional(),
    cost: signedAmount.optional(),
    notes: longText(512).min(1, '调整必须写明原因'),
  }),
};

type Checked = { channel?: TradeChannel; partnerId?: number | null; kind: TradeKind; shares?: number; amount?: number; cost?: number };
/** A consignment trade names its partner, a direct one none (a patch that leaves the channel alone is not judged here). */
export const partnerMatchesChannel = (t: { channel?: TradeChannel; partnerId?: number | null }) =>
  t.channel === undefined || (t.channel === 'consignment') === (t.partnerId !== null && t.partnerId !== undefined);
export const PARTNER_RULE = { message: '代销必须选择代销机构，直销不能选择代销机构', path: ['partnerId'] };

/** The rules across fields, the same for every door. */
const withRules = <S extends z.ZodType<Checked>>(schema: S) =>
  schema
    .refine(partnerMatchesChannel, PARTNER_RULE)
    .refine((t) => t.kind !== 'redeem' || t.shares !== undefined || t.amount !== undefined, { message: '请填写赎回份额或赎回金额', path: ['shares'] })
    .refine((t) => t.kind !== 'adjust' || (t.shares ?? 0) !== 0 || (t.cost ?? 0) !== 0, { message: '请填写调整的份额或成本', path: ['shares'] });

const { buy, redeem, dividend_cash, dividend_reinvest, maturity, adjust } = tradeShapes;

/** `POST /api/trades`: one trade of any kind. */
export const tradeInputSchema = withRules(z.discriminatedUnion('kind', [buy, redeem, dividend_cash, dividend_reinvest, maturity, adjust]));
export type TradeInput = z.infer<typeof tradeInputSchema>;

/** `POST /api/customers/:id/holding-records`: a trade whose customer is the path's. */
const pathCustomer = { customerId: true } as const;
export const holdingTradeSchema = withRules(
  z.discriminatedUnion('kind', [
    buy.omit(pathCustomer),
    redeem.omit(pathCustomer),
    dividend_cash.omit(pathCustomer),
    dividend_reinvest.omit(pathCustomer),
    maturity.omit(pathCustomer),
    adjust.omit(pathCustomer),
  ]),
);
export type HoldingTradeInput = z.infer<typeof holdingTradeSchema>;

/** A position in one product, in fen and hundredths of a share. */
export interface Position {
  shares: number;
  cost: number;
  realisedGain: number;
}
export const EMPTY_POSITION: Position = { shares: 0, cost: 0, realisedGain: 0 };

/** A trade as the position sees it: its kind, the money that moved and the shares (signed only for adjust). */
export interface TradeMove {
  kind: TradeKind;
  amount: number;
  shares: number;
  /** adjust only: the cost correction in fen. */
  cost?: number;
}

export interface TradeEffect {
  position: Position;
  costDelta: number;
  realisedGain: number;
}

/** Why a trade cannot apply to the position (Chinese, for the person who entered it). */
export class PositionProblem extends Error {
  constructor(
    readonly field: 'shares' | 'amount' | 'cost',
    message: string,
  ) {
    super(message);
  }
}

const sharesText = (hundredths: number) => `${fromHundredths(hundredths).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 份`;

/**
 * What one trade does to a position. Cost is average cost: a redemption takes out its shares'
 * share of the cost (all of it when the position empties), and its realised gain is the amount
 * received less that cost. A cash dividend is realised gain; a reinvested one is too, and it buys
 * shares at its cost. Throws a PositionProblem when the position would go below zero.
 */
export function applyTrade(p: Position, t: TradeMove): TradeEffect {
  const effect = (shares: number, costDelta: number, realisedGain: number): TradeEffect => ({
    position: { shares: p.shares + shares, cost: p.cost + costDelta, realisedGain: p.realisedGain + realisedGain },
    costDelta,
    realisedGain,
  });
  switch (t.kind) {
    case 'buy':
      return effect(t.shares, t.amount, 0);
    case 'dividend_reinvest':
      if (p.shares <= 0) throw new PositionProblem('amount', '当前没有持有份额，不能登记分红');
      return effect(t.shares, t.amount, t.amount);
    case 'dividend_cash':
      if (p.shares <= 0) throw new PositionProblem('amount', '当前没有持有份额，不能登记分红');
      return effect(0, 0, t.amount);
    case 'redeem': {
      if (t.shares > p.shares) throw new PositionProblem('shares', `赎回份额超过持有份额（当时持有 ${sharesText(p.shares)}）`);
      const costOut = t.shares === p.shares ? p.cost : Math.round((p.cost * t.shares) / p.shares);
      return effect(-t.shares, -costOut, t.amount - costOut);
    }
    case 'maturity':
      if (p.shares <= 0) throw new PositionProblem('amount', '当前没有持有份额，不能登记到期兑付');
      return effect(-p.shares, -p.cost, t.amount - p.cost);
    case 'adjust': {
      const cost = t.cost ?? 0;
      if (p.shares + t.shares < 0) throw new PositionProblem('shares', `调整后持有份额不能为负（当时持有 ${sharesText(p.shares)}）`);
      if (p.cost + cost < 0) throw new PositionProblem('cost', '调整后持仓成本不能为负');
      return effect(t.shares, cost, 0);
    }
  }
}

/** Shares (hundredths) an amount (fen) buys at a NAV, rounded to the hundredth. */
export const sharesAt = (amountFen: number, nav: number): number => Math.round(amountFen / nav);
/** Fen that shares (hundredths) are worth at a NAV, rounded to the fen. */
export const valueAt = (sharesHundredths: number, nav: number): number => Math.round(sharesHundredths * nav);

export interface TradeView {
  id: number;
  kind: TradeKind;
  customer: { id: number; name: string };
  product: { id: number; code: string; name: string; riskLevel: string };
  channel: TradeChannel;
  partner: { id: number; name: string } | null;
  /** 销售人员: who the trade is credited to (null only for an adjustment). */
  rep: { id: number; name: string } | null;
  departmentId: number | null;
  /** The money of the trade in yuan: paid for a buy, received for a redemption, dividend or maturity. */
  amount: number;
  /** Shares moved (signed: out is negative). */
  shares: number;
  /** The NAV or price the trade used; null for a cash dividend. */
  nav: number | null;
  costDelta: number;
  realisedGain: number;
  tradedOn: string;
  confirmedOn: string | null;
  suitabilityOverride: string | null;
  notes: string | null;
  createdBy: { id: number; name: string } | null;
  voided: boolean;
  /** 冷静期 (shared/cooling-off.ts): when it ends for a private product's buy; null otherwise. */
  coolingOffEndsAt: string | null;
  /** 回访: pending / confirmed / cancelled / unreachable; null when none is needed. */
  callbackStatus: 'pending' | 'confirmed' | 'cancelled' | 'unreachable' | null;
  createdAt: string;
}

/** A customer's position in a product, valued at the latest NAV on or before today (par without one). */
export interface HoldingView {
  id: number;
  customerId: number;
  product: { id: number; code: string; name: string; category: string; riskLevel: string };
  shares: number;
  /** 成本: what the shares held cost (average cost). */
  cost: number;
  /** The NAV used; null when the product has none and is valued at par. */
  nav: { date: string; nav: number } | null;
  /** 市值: shares × NAV. */
  marketValue: number;
  /** 浮动盈亏: market value − cost. */
  gain: number;
  /** 已实现收益: redemptions, maturities and dividends, less the cost they took out. */
  realisedGain: number;
  status: 'holding' | 'closed';
  firstBoughtOn: string | null;
  lastChangedOn: string | null;
  /** A fixed-term product's maturity: the last buy plus the term. */
  maturesOn: string | null;
}

/** A customer holding a product, as listed on the product page. */
export interface ProductHolderView {
  customer: { id: number; name: string; owner: { id: number; name: string } };
  holdingId: number;
  shares: number;
  marketValue: number;
  lastChangedOn: string | null;
}
