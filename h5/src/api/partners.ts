import type { PageOf } from '@shared/http';
import type { PartnerDetail, PartnerFollowUpView, PartnerView } from '@shared/partners';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import { api, withQuery } from './client';

/** What the partner form sends; '' clears an optional field, null an optional date. */
export interface PartnerDraft {
  name: string;
  type: string;
  status: string;
  creditCode: string | null;
  contactName: string;
  contactPhone: string;
  address: string;
  agreementSignedOn: string | null;
  info: string;
  notes: string;
  ownerUserId?: number;
}

export const partnersApi = {
  exportUrl: (filter: { keyword?: string; status?: string }) => withQuery('/api/partners/export.xlsx', { ...filter }),
  list: (filter: { keyword?: string; status?: string }, page: number) =>
    api.get<PageOf<PartnerView>>('/api/partners', { ...filter, page, pageSize: 20, sort: 'updated_desc' }),
  detail: (id: number) => api.get<PartnerDetail>(`/api/partners/${id}`),
  create: (draft: PartnerDraft) => api.post<PartnerView>('/api/partners', draft),
  update: (id: number, patch: Partial<PartnerDraft> & { version: number }) => api.patch<PartnerView>(`/api/partners/${id}`, patch),
  followUps: (id: number, page: number) => api.get<PageOf<PartnerFollowUpView>>(`/api/partners/${id}/follow-ups`, { page, pageSize: 20 }),
  /** The partner's consignment sales in the caller's scope, newest first. */
  sales: (id: number, page: number) => api.get<PageOf<SaleView>>('/api/sales', { partnerId: id, channel: 'consignment', page, pageSize: 20 }),
  products: (page: number) => api.get<PageOf<ProductView>>('/api/products', { page, pageSize: 50 }),
};
