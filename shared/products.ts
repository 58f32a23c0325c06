/** Products and their NAVs (server/README.md#data-model); trades and holdings are in ledger.ts. */
import { z } from 'zod';
import { PRODUCT_STATUSES, type ProductStatus } from './labels';
import { code, optionalLongText, optionalText, pastDate, text } from './fields';

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

export interface ProductView {
  id: number;
  code: string;
  name: string;
  category: string;
  riskLevel: (typeof RISK_LEVELS)[number];
  status: ProductStatus;
  issuer: string | null;
  description: string | null;
  termDays: number | null;
}

/** 净值: a product's unit NAV on a day (up to four decimals). */
export const navEntrySchema = z.object({
  date: pastDate,
  nav: z
    .number()
    .positive('净值必须大于 0')
    .max(1e6, '净值过大')
    .refine((n) => Math.round(n * 1e4) === n * 1e4, '净值最多四位小数'),
});
export const navsPutSchema = z.object({ items: z.array(navEntrySchema).min(1, '请至少填写一天的净值').max(5000, '一次最多 5000 条') });
export interface NavView {
  date: string;
  nav: number;
}

export { PRODUCT_STATUSES };
export type { ProductStatus };
