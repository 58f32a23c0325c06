import type { PageOf } from '@shared/http';
import type { PartnerView } from '@shared/partners';
import type { ProductView } from '@shared/products';
import type { SaleChannel, SaleInput, SalePatch, SaleView } from '@shared/sales';
import type { TargetView } from '@shared/targets';
import { api } from './client';

export interface SaleListFilter {
  customerId?: number;
  productId?: number;
  repUserId?: number;
  channel?: SaleChannel;
  /** China calendar days `YYYY-MM-DD`, both inclusive. */
  from?: string;
  to?: string;
}

/** A page of sales plus the amount of the whole filtered set (every page). */
export type SalePage = PageOf<SaleView> & { totalAmount: number };

export const salesApi = {
  /** The caller's sales (the API keeps to the caller's data scope). */
  list: (filter: SaleListFilter, page: number, pageSize = 20) => api.get<SalePage>('/api/sales', { ...filter, page, pageSize }),
  get: (id: number) => api.get<SaleView>(`/api/sales/${id}`),
  create: (input: SaleInput) => api.post<SaleView>('/api/sales', input),
  update: (id: number, patch: SalePatch) => api.patch<SaleView>(`/api/sales/${id}`, patch),
  remove: (id: number) => api.delete<void>(`/api/sales/${id}`),
};

/** Pickers of the sale and trade forms. */
export const pickerApi = {
  /** Products whose name or code contains `keyword`. */
  products: (keyword: string) => api.get<PageOf<ProductView>>('/api/products', { keyword: keyword || undefined, pageSize: 50 }),
  /** Consignment partners the caller may see. */
  partners: (keyword: string) => api.get<PageOf<PartnerView>>('/api/partners', { keyword: keyword || undefined, pageSize: 50, sort: 'updated_desc' }),
  /** The caller's targets of a period (`2026-12`, `2026-Q4`). */
  targets: (period: string, userId: number) => api.get<{ items: TargetView[] }>('/api/targets', { period, scopeType: 'user', scopeId: userId }),
};
