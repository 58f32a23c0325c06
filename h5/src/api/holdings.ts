import type { PageOf } from '@shared/http';
import type { HoldingRecordInput, HoldingRecordView, HoldingView } from '@shared/products';
import { api } from './client';

/** A customer's holdings; every change is a record (申购 / 赎回 / 调整), never an edit. */
export const holdingsApi = {
  list: (customerId: number, includeClosed = false) =>
    api.get<HoldingView[]>(`/api/customers/${customerId}/holdings`, includeClosed ? { includeClosed: 'true' } : undefined),
  records: (customerId: number, holdingId: number, page = 1) =>
    api.get<PageOf<HoldingRecordView>>(`/api/customers/${customerId}/holdings/${holdingId}/records`, { page, pageSize: 50 }),
  addRecord: (customerId: number, input: HoldingRecordInput) =>
    api.post<{ holding: HoldingView; record: HoldingRecordView }>(`/api/customers/${customerId}/holding-records`, input),
};
