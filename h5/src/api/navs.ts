import type { PageOf } from '@shared/http';
import type { NavDayView, NavEntry, NavSaved, StaleNavProductView } from '@shared/products';
import { api } from './client';

/** A product's NAVs: everyone with product.read reads them, `product.manage` adds and corrects a day. */
export const navsApi = {
  /** Newest first: a page, optionally within days `from` … `to`. */
  history: (productId: number, query: { from?: string; to?: string; page?: number; pageSize?: number }) =>
    api.get<PageOf<NavDayView>>(`/api/products/${productId}/navs`, query),
  /** Adds the day, or corrects it when it is on file (the answer says which, and what it was). */
  save: (productId: number, entry: NavEntry) => api.post<NavSaved>(`/api/products/${productId}/navs`, entry),
  /** Products whose NAV is overdue, longest first. */
  stale: () => api.get<{ items: StaleNavProductView[]; total: number }>('/api/products/stale-navs'),
};
