/** Product sales, direct or through a consignment partner (server/README.md#data-model). */
import { z } from 'zod';
import { suitabilityOverrideSchema } from './suitability';
import { optionalLongText, pastDate, positiveId } from './fields';
import { yuan } from './money';

export const SALE_CHANNELS = { direct: '直销', consignment: '代销' } as const;
export type SaleChannel = keyof typeof SALE_CHANNELS;

const saleFields = {
  productId: positiveId,
  customerId: positiveId,
  /** Defaults to the caller; the sale counts for this rep and their main department. */
  repUserId: positiveId.optional(),
  departmentId: positiveId.optional(),
  amount: yuan,
  soldOn: pastDate,
  channel: z.enum(['direct', 'consignment']),
  partnerId: positiveId.nullable().optional(),
  notes: optionalLongText(512),
  /** Past a suitability mismatch the investor insisted on (permission `sales.override_suitability`). */
  suitabilityOverride: suitabilityOverrideSchema.optional(),
};

const partnerMatchesChannel = (s: { channel?: SaleChannel; partnerId?: number | null }) =>
  s.channel === undefined || (s.channel === 'consignment') === (s.partnerId !== null && s.partnerId !== undefined);
const partnerRule = { message: '代销必须选择代销机构，直销不能选择代销机构', path: ['partnerId'] };

export const saleCreateSchema = z.object(saleFields).refine(partnerMatchesChannel, partnerRule);
export const saleUpdateSchema = z
  .object(saleFields)
  .omit({ customerId: true, repUserId: true, departmentId: true })
  .partial()
  .refine((p) => Object.keys(p).length > 0, '至少修改一项')
  .refine(partnerMatchesChannel, partnerRule);
export type SaleInput = z.infer<typeof saleCreateSchema>;
export type SalePatch = z.infer<typeof saleUpdateSchema>;

export interface SaleView {
  id: number;
  product: { id: number; code: string; name: string };
  customer: { id: number; name: string };
  rep: { id: number; name: string };
  departmentId: number;
  amount: number;
  soldOn: string;
  channel: SaleChannel;
  partner: { id: number; name: string } | null;
  notes: string | null;
  suitabilityOverride: string | null;
  createdAt: string;
}
