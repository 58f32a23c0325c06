/**
 * 销售: a buy of the trade ledger (shared/ledger.ts) seen as a sale — direct or through a
 * consignment partner, credited to a rep. `POST /api/sales` records a buy; `PATCH` amends one.
 */
import { z } from 'zod';
import { suitabilityOverrideSchema } from './suitability';
import { optionalLongText, pastDate, positiveId } from './fields';
import { PARTNER_RULE, TRADE_CHANNELS, partnerMatchesChannel, navValue, sharesValue, type TradeChannel } from './ledger';
import { yuan } from './money';

export const SALE_CHANNELS = TRADE_CHANNELS;
export type SaleChannel = TradeChannel;

const saleFields = {
  productId: positiveId,
  customerId: positiveId,
  /** 销售人员: defaults to the customer's owner; the sale counts for this rep and their department. */
  repUserId: positiveId.optional(),
  departmentId: positiveId.optional(),
  amount: yuan,
  soldOn: pastDate,
  channel: z.enum(['direct', 'consignment']),
  partnerId: positiveId.nullable().optional(),
  notes: optionalLongText(512),
  /** From the confirmation slip, when there is one; else the amount at the day's NAV. */
  shares: sharesValue.optional(),
  nav: navValue.optional(),
  confirmedOn: pastDate.nullable().optional(),
  /** Past a suitability mismatch the investor insisted on (permission `sales.override_suitability`). */
  suitabilityOverride: suitabilityOverrideSchema.optional(),
};

export const saleCreateSchema = z.object(saleFields).refine(partnerMatchesChannel, PARTNER_RULE);
export const saleUpdateSchema = z
  .object(saleFields)
  .pick({ productId: true, amount: true, soldOn: true, channel: true, partnerId: true, notes: true })
  .extend({
    // An exception is decided when the sale is recorded, by someone allowed to; it is never edited afterwards.
    suitabilityOverride: z.never({ error: '适当性例外只能在录入销售时提出，不能修改' }).optional(),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, '至少修改一项')
  .refine(partnerMatchesChannel, PARTNER_RULE);
export type SaleInput = z.infer<typeof saleCreateSchema>;
export type SalePatch = z.infer<typeof saleUpdateSchema>;

export interface SaleView {
  id: number;
  product: { id: number; code: string; name: string };
  customer: { id: number; name: string };
  rep: { id: number; name: string };
  departmentId: number;
  amount: number;
  shares: number;
  nav: number | null;
  soldOn: string;
  channel: SaleChannel;
  partner: { id: number; name: string } | null;
  notes: string | null;
  suitabilityOverride: string | null;
  /** 冷静期 end of a private product's buy (null: none): the figures mark a sale still in it. */
  coolingOffEndsAt: string | null;
  /** 回访 (shared/cooling-off.ts); a sale counts as confirmed once `confirmed` (null: none needed). */
  callbackStatus: 'pending' | 'confirmed' | 'cancelled' | 'unreachable' | null;
  createdAt: string;
}
