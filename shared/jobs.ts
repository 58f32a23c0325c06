/** Background jobs as the admin API shows them (`/api/admin/jobs`): transfers, remark write-backs, tagging… */
export const JOB_STATUSES = ['queued', 'running', 'done', 'dead'] as const;
export type JobStatusCode = (typeof JOB_STATUSES)[number];
export const JOB_STATUS_LABELS: Record<JobStatusCode, string> = { queued: '排队中', running: '执行中', done: '已完成', dead: '失败' };

/**
 * Every kind of background job the server queues (server/jobs): a kind a handler runs and a job
 * is queued as, typed so that a handler and its enqueue cannot drift apart by a typo.
 */
export const JOB_KINDS = [
  'transfer.submit',
  'transfer.poll',
  'engagement.tag_new_contact',
  'customer.phone_changed',
  'customer.level_changed',
  'sync.org',
  'sync.external_contacts',
  'mass_message.poll',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobView {
  id: number;
  /** As stored: a kind an older version queued may no longer be a JobKind. */
  kind: string;
  /** What the job does, in Chinese (e.g. 提交客户转接). */
  kindLabel: string;
  status: JobStatusCode;
  attempts: number;
  /** When it runs (next), for a queued job. */
  runAt: string;
  /** Why its last attempt failed, in Chinese. */
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}
