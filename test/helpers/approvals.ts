import type { ApprovalView } from '@shared/approvals';
import type { CustomerView } from '@shared/customers';
import type { CrmClient } from './crm';

/** Every 适当性例外 decided by the rep's leader alone (the approval rule tests set before they ask). */
export const LEADER_ONLY = { steps: [{ name: '部门负责人', mode: 'any', approvers: [{ kind: 'leader', level: 1 }] }], expireDays: 7 };

/** A rep's direct sale above the customer's risk level with an override reason: the 适当性例外 request it opens. */
export async function requestException(
  api: CrmClient,
  userid: string,
  sale: { productId: number; customerId: number; amount: number; soldOn: string; reason: string },
): Promise<ApprovalView> {
  const { reason, ...rest } = sale;
  const res = await (await api.as(userid)).json('/api/sales', 'POST', { ...rest, channel: 'direct', suitabilityOverride: { reason } });
  return (await res.json()) as ApprovalView;
}

/**
 * A new C2 customer of `userid` (assessed `today`) and the rep's 100,000 buy of `productId` (an R4
 * or above) for them with a reason: the 适当性例外 request it opens, pending.
 */
export async function pendingException(
  api: CrmClient,
  userid: string,
  customer: { name: string; phone: string },
  productId: number,
  today: string,
): Promise<ApprovalView> {
  const created = await api.send<CustomerView>(userid, 'POST', '/api/customers', { type: 'individual', ...customer, riskLevel: 'C2', riskAssessedOn: today });
  return requestException(api, userid, { productId, customerId: created.id, amount: 100_000, soldOn: today, reason: '客户书面确认坚持购买' });
}
