/** Products and their NAVs (server/README.md#data-model); trades and holdings are in ledger.ts. */
import { z } from 'zod';
import { PRODUCT_STATUSES, type ProductStatus } from './labels';
import { code, optionalLongText, optionalText, pastDate, text } from './fields';
import { navValue } from './ledger';
import { addDays } from './time';

/** Investor-suitability risk grades (R1 lowest … R5 highest). */
export const RISK_LEVELS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;

const productFields = {
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, '产品代码只能包含字母、数字、下划线和短横线'),
  name: text(128).min(1, '请填写产品名称'),
  category: code,
  riskLevel: z.enum(RISK_LEVELS),
  status: z.enum(Object.keys(PRODUCT_STATUSES) as [ProductStatus, ...ProductStatus[]]).default('on_sale'),
  issuer: optionalText(128),
  description: optionalLongText(4000),
  /** A fixed-term product: days from a buy to maturity (null: open-ended). */
  termDays: z.number().int('期限应为整数天').min(1, '期限至少 1 天').max(36_500, '期限过长').nullable().optional(),
  /** 仅限合格投资者 (shared/qualification.ts): a buyer needs a valid qualification. */
  qualifiedOnly: z.boolean().optional(),
  /** 最低认购金额 in 元 (null: none); 私募基金: 100 万 (私募投资基金监督管理暂行办法第十二条). */
  minSubscription: z
    .number()
    .positive('最低认购金额必须大于 0')
    .max(1e10, '最低认购金额过大')
    .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, '最低认购金额最多两位小数')
    .nullable()
    .optional(),
  /** 双录: a buy needs its recording's reference before its 回访 confirms it. */
  recordingRequired: z.boolean().optional(),
};
export const productCreateSchema = z.object(productFields);
export const productUpdateSchema = z
  .object(productFields)
  .omit({ status: true })
  .extend({ status: productFields.status.removeDefault() })
  .partial()
  .refine((p) => Object.keys(p).length > 0, '至少修改一项');
export type ProductInput = z.infer<typeof productCreateSchema>;
export type ProductPatch = z.infer<typeof productUpdateSchema>;

/** A product, with its NAV's freshness (navFreshness). */
export interface ProductView extends NavFreshness {
  id: number;
  code: string;
  name: string;
  category: string;
  riskLevel: (typeof RISK_LEVELS)[number];
  status: ProductStatus;
  issuer: string | null;
  description: string | null;
  termDays: number | null;
  /** 仅限合格投资者. */
  qualifiedOnly: boolean;
  /** 最低认购金额, 元 (null: none). */
  minSubscription: number | null;
  /** 双录 required. */
  recordingRequired: boolean;
}

/** 净值: a product's unit NAV on a day (up to four decimals), with its 累计净值 when the file or the form has one. */
export const navEntrySchema = z.object({
  date: pastDate,
  nav: navValue,
  /** Unit NAV plus the dividends paid since launch. Absent: a correction leaves the day's value as it is; null: none. */
  accumulatedNav: z
    .number()
    .positive('累计净值必须大于 0')
    .max(1e6, '累计净值过大')
    .refine((n) => Math.abs(n * 1e4 - Math.round(n * 1e4)) < 1e-6, '累计净值最多四位小数')
    .nullable()
    .optional(),
});
export type NavEntry = z.infer<typeof navEntrySchema>;
export const navsPutSchema = z.object({ items: z.array(navEntrySchema).min(1, '请至少填写一天的净值').max(5000, '一次最多 5000 条') });
export interface NavView {
  date: string;
  nav: number;
}
/** A day of NAV history: the unit NAV and its 累计净值. */
export interface NavDayView extends NavView {
  accumulatedNav: number | null;
}
/** What adding or correcting one day did (POST /api/products/:id/navs). */
export interface NavSaved {
  item: NavDayView;
  /** The day's values before a correction; null when the day is new. */
  previous: NavDayView | null;
  change: 'created' | 'corrected' | 'unchanged';
}

/**
 * When a product's NAV is overdue (净值未更新), one rule for the product page, the list and the admin
 * home. Only a product that has had a NAV is watched: one that never had any is valued at par by
 * design (PAR_NAV — money funds, bank wealth products, insurance, trusts), so its silence says
 * nothing; nor is a product 已清盘. Public funds (公募基金) are valued every trading day: more than
 * 5 calendar days since the latest NAV is more than a weekend and a holiday day (a long holiday such
 * as 国庆 shows the warning until the first NAV after it arrives). Any other product with NAVs —
 * private funds (weekly valuation), NAV-type bank wealth products — gets 10 days.
 */
export const NAV_STALE_DAYS: Readonly<Record<string, number>> = { public_fund: 5 };
export const NAV_STALE_DAYS_OTHER = 10;

export interface NavFreshness {
  /** The latest NAV's day (null: none on file). */
  lastNavDate: string | null;
  /** The first day the product counted as stale; null while it is fresh or not watched. */
  navStaleSince: string | null;
  /** The days without a NAV it may go (null: not watched). */
  navStaleAfterDays: number | null;
}

export function navFreshness(p: { category: string; status: ProductStatus; lastNavDate: string | null }, today: string): NavFreshness {
  if (p.status === 'closed' || p.lastNavDate === null) return { lastNavDate: p.lastNavDate, navStaleSince: null, navStaleAfterDays: null };
  const days = NAV_STALE_DAYS[p.category] ?? NAV_STALE_DAYS_OTHER;
  const since = addDays(p.lastNavDate, days + 1);
  return { lastNavDate: p.lastNavDate, navStaleSince: since <= today ? since : null, navStaleAfterDays: days };
}

/** A product whose NAV is overdue, for the admin home (GET /api/products/stale-navs). */
export interface StaleNavProductView {
  id: number;
  code: string;
  name: string;
  category: string;
  lastNavDate: string;
  navStaleSince: string;
  navStaleAfterDays: number;
}

export { PRODUCT_STATUSES };
export type { ProductStatus };
