import type { PageOf } from '@shared/http';
import type { PartnerDetail, PartnerFollowUpView, PartnerView } from '@shared/partners';
import type { ProductView } from '@shared/products';
import { api, withQuery } from './client';

export const partnersApi = {
  exportUrl: (filter: { keyword?: string; status?: string }) => withQuery('/api/partners/export.xlsx', { ...filter }),
  list: (filter: { keyword?: string; status?: string }, page: number) =>
    api.get<PageOf<PartnerView>>('/api/partners', { ...filter, page, pageSize: 20, sort: 'updated_desc' }),
  detail: (id: number) => api.get<PartnerDetail>(`/api/partners/${id}`),
  followUps: (id: number, page: number) => api.get<PageOf<PartnerFollowUpView>>(`/api/partners/${id}/follow-ups`, { page, pageSize: 20 }),
  products: (page: number) => api.get<PageOf<ProductView>>('/api/products', { page, pageSize: 50 }),
};
