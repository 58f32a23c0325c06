import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { api } from './client';

/** The caller's customers whose next follow-up is today or earlier, soonest first. */
export function fetchDueCustomers(pageSize = 10): Promise<PageOf<CustomerView>> {
  return api.get<PageOf<CustomerView>>('/api/customers', { followUp: 'due', sort: 'next_follow_up_asc', pageSize });
}
