import type { ApprovalStatus } from '@shared/approval-labels';

/** How a request's state is tagged: waiting orange, approved green, rejected red, the rest grey. */
export const STATUS_TAG: Record<ApprovalStatus, 'warning' | 'success' | 'danger' | 'default'> = {
  pending: 'warning',
  approved: 'success',
  rejected: 'danger',
  withdrawn: 'default',
  expired: 'default',
};
