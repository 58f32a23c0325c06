/** WeCom messages to employees (reminders, event notices) as the admin API lists them. */
/** `merged`: the summary card standing for messages over a member's WeCom budget. */
/**
 * `transfer_failed`: to the manager who handed customers over, when WeCom could not move them;
 * `churn`: a customer deleted their rep (客户流失); `co_follow_up`: a co-follower logged a follow-up
 * on the owner's customer; `approval`: a request waits for this approver (审批); `approval_result`: the
 * requester hears how theirs ended.
 */
export type NotificationKind =
  | 'digest'
  | 'lead_created'
  | 'contact_linked'
  | 'transfer'
  | 'transfer_failed'
  | 'churn'
  | 'co_follow_up'
  | 'approval'
  | 'approval_result'
  | 'merged'
  /** 客户群发: an approved 群发 waits for this sender to confirm it in WeCom (server/modules/mass-messages/notices.ts). */
  | 'mass_message'
  /** 公海: a customer will be recycled into its pool in a few days (server/modules/customer-pool/recycle.ts). */
  | 'pool_warning';

/** `merged`: over the member's WeCom budget, sent inside one summary card (its `lastError` names it). */
export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'merged', 'failed', 'skipped'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface NotificationView {
  id: number;
  kind: NotificationKind;
  user: { id: number; name: string };
  title: string;
  path: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  sentAt: string | null;
  createdAt: string;
}

/** The workbench's 近期到期: assessments expiring within 30 days, holdings maturing within 14. */
export interface UpcomingDates {
  expiringAssessments: { customerId: number; name: string; expiresOn: string }[];
  maturingHoldings: { customerId: number; customerName: string; productName: string; maturesOn: string; amount: number }[];
}
