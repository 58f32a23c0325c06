import type { PageOf } from '@shared/http';
import type { TradeChannel, TradeInput, TradeKind, TradeView } from '@shared/ledger';
import { api } from './client';

export interface TradeListFilter {
  customerId?: number;
  productId?: number;
  repUserId?: number;
  departmentId?: number;
  partnerId?: number;
  kind?: TradeKind;
  channel?: TradeChannel;
  /** China calendar days `YYYY-MM-DD`, both inclusive. */
  from?: string;
  to?: string;
}

/** A page of trades plus the amount of the whole filtered set (every page). */
export type TradePage = PageOf<TradeView> & { totalAmount: number };

/** The trade ledger: every kind of trade in the caller's scope (by the rep credited). */
export const tradesApi = {
  list: (filter: TradeListFilter, page: number, pageSize = 20) => api.get<TradePage>('/api/trades', { ...filter, page, pageSize }),
  create: (input: TradeInput) => api.post<TradeView>('/api/trades', input),
  /** Voids a trade (kept for the record, out of every figure). */
  void: (id: number) => api.post<void>(`/api/trades/${id}/void`),
};
