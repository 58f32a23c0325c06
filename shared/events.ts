/** The callback inbox as the admin API shows it (`/api/admin/events`). */
export const EVENT_STATUS_LABELS = { pending: '待处理', processing: '处理中', done: '已完成', dead: '失败', ignored: '已忽略' } as const;
export type EventStatusCode = keyof typeof EVENT_STATUS_LABELS;

/**
 * Every callback event the CRM handles (`Event/ChangeType`), in Chinese: the one list of event
 * kinds. The server's handlers are typed against it (each kind has a handler, no handler names a
 * kind not here), as are the inbox's entity keys and the welcome message's trigger.
 */
export const CALLBACK_EVENT_LABELS = {
  'change_contact/create_user': '新增成员',
  'change_contact/update_user': '成员变更',
  'change_contact/delete_user': '成员离职',
  'change_contact/create_party': '新增部门',
  'change_contact/update_party': '部门变更',
  'change_contact/delete_party': '删除部门',
  'change_contact/update_tag': '标签成员变更',
  'change_external_contact/add_external_contact': '添加客户',
  'change_external_contact/add_half_external_contact': '客户添加（待通过）',
  'change_external_contact/edit_external_contact': '编辑客户',
  'change_external_contact/del_external_contact': '成员删除客户',
  'change_external_contact/del_follow_user': '客户删除成员',
  'change_external_contact/transfer_fail': '客户接替失败',
  'change_external_chat/create': '客户群创建',
  'change_external_chat/update': '客户群变更',
  'change_external_chat/dismiss': '客户群解散',
  'change_external_tag/create': '客户标签新增',
  'change_external_tag/update': '客户标签变更',
  'change_external_tag/delete': '客户标签删除',
  'change_external_tag/shuffle': '客户标签重排',
} as const;

/** `change_external_contact/add_external_contact`, … */
export type CallbackEventKind = keyof typeof CALLBACK_EVENT_LABELS;
type EventOf<K> = K extends `${infer E}/${string}` ? E : never;
/** The `Event` of a callback: `change_contact`, `change_external_contact`, `change_external_chat`, `change_external_tag`. */
export type CallbackEventType = EventOf<CallbackEventKind>;
type ChangeOf<K, E extends string> = K extends `${E}/${infer C}` ? C : never;
/** The `ChangeType`s of one `Event`: `ChangeTypeOf<'change_external_chat'>` is `create | update | dismiss`. */
export type ChangeTypeOf<E extends CallbackEventType> = ChangeOf<CallbackEventKind, E>;

/** What a stored event is, in Chinese, looked up by its `Event/ChangeType` string (an unknown one has none). */
export const EVENT_TYPE_LABELS: Readonly<Record<string, string>> = CALLBACK_EVENT_LABELS;

/** `添加客户`, or the raw type for an event we do not know. */
export const eventTypeLabel = (eventType: string, changeType: string | null) =>
  EVENT_TYPE_LABELS[`${eventType}/${changeType ?? ''}`] ?? `${eventType}${changeType ? ` / ${changeType}` : ''}`;

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
  /** Who the event is about, by name: 客户「张晨娜」 · 成员「李娜」; null when it names nobody. */
  subject: string | null;
}
