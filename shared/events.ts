/** The callback inbox as the admin API shows it (`/api/admin/events`). */
export const EVENT_STATUS_LABELS = { pending: '待处理', processing: '处理中', done: '已完成', dead: '失败', ignored: '已忽略' } as const;
export type EventStatusCode = keyof typeof EVENT_STATUS_LABELS;

export interface EventSummaryJson {
  id: number;
  eventType: string;
  changeType: string | null;
  entityKey: string;
  status: EventStatusCode;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  receivedAt: string;
  processedAt: string | null;
}
