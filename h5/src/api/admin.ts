import type { AuditLogView } from '@shared/audit';
import type { EventStatusCode, EventSummaryJson } from '@shared/events';
import type { JobStatusCode, JobView } from '@shared/jobs';
import type { DictionaryType, DictionaryValue } from '@shared/dictionaries';
import type { PageOf } from '@shared/http';
import type { DepartmentRoleView, UserWithRoles } from '@shared/org';
import type { DataScopeKind, RoleView } from '@shared/permissions';
import { api } from './client';

export interface RoleChanges {
  name?: string;
  dataScope?: DataScopeKind;
  permissions?: string[];
}

export interface NewRole {
  /** Made by the server from the name when absent. */
  code?: string;
  name: string;
  dataScope: DataScopeKind;
  permissions: string[];
}

export interface AuditFilter {
  entity?: string;
  action?: string;
  actorUserId?: number;
  /** ISO instants: from (inclusive) and until (exclusive). */
  since?: string;
  until?: string;
}

/** 管理 → 回调事件: the callback inbox. */
export const eventsApi = {
  list: (status: EventStatusCode | '', page: number) =>
    api.get<PageOf<EventSummaryJson>>('/api/admin/events', { status: status || undefined, page, pageSize: 20 }),
  stats: () => api.get<Record<EventStatusCode, number>>('/api/admin/events/stats'),
  get: (id: number) => api.get<EventSummaryJson & { fields: unknown }>(`/api/admin/events/${id}`),
  retry: (id: number) => api.post<EventSummaryJson>(`/api/admin/events/${id}/retry`),
  /** Every dead event back in the queue; how many. */
  retryDead: () => api.post<{ retried: number }>('/api/admin/events/retry-dead'),
};

/** 管理 → 后台任务: transfers to WeCom, remark write-backs, tagging… (every kind of the job queue). */
export const jobsApi = {
  list: (status: JobStatusCode | '', page: number) => api.get<PageOf<JobView>>('/api/admin/jobs', { status: status || undefined, page, pageSize: 20 }),
  stats: () => api.get<Record<JobStatusCode, number>>('/api/admin/jobs/stats'),
  retry: (id: number) => api.post<JobView>(`/api/admin/jobs/${id}/retry`),
  /** Every dead job back in the queue; how many. */
  retryDead: () => api.post<{ retried: number }>('/api/admin/jobs/retry-dead'),
};

/** 管理: roles and who holds them, dictionaries, the audit log. */
export const adminApi = {
  roles: () => api.get<{ items: RoleView[] }>('/api/admin/roles'),
  createRole: (role: NewRole) => api.post<RoleView>('/api/admin/roles', role),
  updateRole: (id: number, changes: RoleChanges) => api.patch<RoleView>(`/api/admin/roles/${id}`, changes),
  /** 新成员默认角色: the role a first-time member of a department (or a subdepartment) gets. */
  departmentRoles: () => api.get<{ items: DepartmentRoleView[] }>('/api/admin/department-roles'),
  /** `null` removes the mapping (members fall back to the nearest mapped parent, else 销售). */
  setDepartmentRole: (departmentId: number, roleCode: string | null) =>
    api.put<{ items: DepartmentRoleView[] }>(`/api/admin/department-roles/${departmentId}`, { roleCode }),
  users: (keyword: string, page: number) => api.get<PageOf<UserWithRoles>>('/api/admin/users', { keyword, page, pageSize: 20 }),
  setUserRoles: (userId: number, roles: string[]) => api.put<{ items: RoleView[] }>(`/api/admin/users/${userId}/roles`, { roles }),
  addDictionaryValue: (type: DictionaryType, value: { label: string }) => api.post<DictionaryValue>(`/api/admin/dictionaries/${type}`, value),
  updateDictionaryValue: (type: DictionaryType, code: string, changes: { label?: string; enabled?: boolean }) =>
    api.patch<DictionaryValue>(`/api/admin/dictionaries/${type}/${encodeURIComponent(code)}`, changes),
  auditLogs: (filter: AuditFilter, page: number) => api.get<PageOf<AuditLogView>>('/api/admin/audit-logs', { ...filter, page, pageSize: 20 }),
};
