import type { PageOf } from '@shared/http';
import type { ProductHolderView } from '@shared/ledger';
import type { ProductStatus, ProductView, RISK_LEVELS } from '@shared/products';
import type { SaleView } from '@shared/sales';
import { api } from './client';

/** What the product form sends (the server's `productCreateSchema` / `productUpdateSchema`). */
export interface ProductDraft {
  code: string;
  name: string;
  category: string;
  riskLevel: (typeof RISK_LEVELS)[number];
  status: ProductStatus;
  issuer: string;
  description: string;
  /** A fixed-term product's days from a buy to maturity; null: open-ended. */
  termDays: number | null;
  /** 仅限合格投资者. */
  qualifiedOnly: boolean;
  /** 最低认购金额, 元; null: none. */
  minSubscription: number | null;
  /** 双录. */
  recordingRequired: boolean;
}

export interface ProductFilter {
  keyword?: string;
  category?: string;
  status?: ProductStatus;
}

/** The product shelf: everyone reads it, `product.manage` keeps it. */
export const productsApi = {
  list: (filter: ProductFilter, page: number, pageSize = 30) => api.get<PageOf<ProductView>>('/api/products', { ...filter, page, pageSize }),
  get: (id: number) => api.get<ProductView>(`/api/products/${id}`),
  create: (draft: ProductDraft) => api.post<ProductView>('/api/products', draft),
  update: (id: number, patch: Partial<ProductDraft>) => api.patch<ProductView>(`/api/products/${id}`, patch),
  /** Customers in the caller's scope holding it, largest first. */
  holders: (id: number, page: number) => api.get<PageOf<ProductHolderView>>(`/api/products/${id}/holders`, { page, pageSize: 20 }),
  /** Its sales (direct and consignment) in the caller's scope, newest first. */
  sales: (id: number, page: number) => api.get<PageOf<SaleView>>('/api/sales', { productId: id, page, pageSize: 20 }),
};
