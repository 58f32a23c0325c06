import type { PageOf } from '@shared/http';
import type { HoldingTradeInput, HoldingView, TradeView } from '@shared/ledger';
import { api } from './client';

/** A customer's holdings: positions of the trade ledger; every change is a trade (申购, 赎回, 分红, 到期兑付, 调整), never an edit. */
export const holdingsApi = {
  list: (customerId: number, includeClosed = false) =>
    api.get<HoldingView[]>(`/api/customers/${customerId}/holdings`, includeClosed ? { includeClosed: 'true' } : undefined),
  /** The trades of one holding, newest first. */
  records: (customerId: number, holdingId: number, page = 1) =>
    api.get<PageOf<TradeView>>(`/api/customers/${customerId}/holdings/${holdingId}/records`, { page, pageSize: 50 }),
  /** One trade on the customer's position in a product (a buy also needs `sales.write`). */
  addRecord: (customerId: number, input: HoldingTradeInput) =>
    api.post<{ holding: HoldingView; trade: TradeView }>(`/api/customers/${customerId}/holding-records`, input),
};
