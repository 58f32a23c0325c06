import type { ContactInput, ContactPatch, ContactView } from '@shared/customers';
import { api } from './client';

/** A customer's contacts (联系人); the first becomes primary, deleting the primary promotes the oldest. */
export const contactsApi = {
  list: (customerId: number) => api.get<ContactView[]>(`/api/customers/${customerId}/contacts`),
  create: (customerId: number, input: ContactInput) => api.post<ContactView>(`/api/customers/${customerId}/contacts`, input),
  update: (customerId: number, contactId: number, patch: ContactPatch) => api.patch<ContactView>(`/api/customers/${customerId}/contacts/${contactId}`, patch),
  remove: (customerId: number, contactId: number) => api.delete<void>(`/api/customers/${customerId}/contacts/${contactId}`),
};
