/**
 * 审批 as people read it: the types, states and views of the approval engine (server/README.md#approvals-审批),
 * without zod so that list pages and cards load light. The request schemas are in shared/approvals.ts.
 */

/**
 * The kinds of request the engine knows. A type is a label here and a handler on the server
 * (validate, apply, describe); 群发内容 and 话术审核 join as types of their own when [outreach] brings them.
 */
export const APPROVAL_TYPES = {
  suitability_exception: '适当性例外',
  customer_export: '客户数据导出',
  mass_message: '群发内容',
  quick_reply: '话术审核',
} as const;
export type ApprovalType = keyof typeof APPROVAL_TYPES;
export const APPROVAL_TYPE_CODES = Object.keys(APPROVAL_TYPES) as [ApprovalType, ...ApprovalType[]];

/** pending → approved / rejected / withdrawn / expired; only pending moves. */
export const APPROVAL_STATUSES = {
  pending: '待审批',
  approved: '已通过',
  rejected: '已驳回',
  withdrawn: '已撤回',
  expired: '已过期',
} as const;
export type ApprovalStatus = keyof typeof APPROVAL_STATUSES;

/** A step passes when any one of its approvers approves, or only when all of them have. */
export const APPROVAL_MODES = { any: '任一人同意', all: '全部同意' } as const;
export type ApprovalMode = keyof typeof APPROVAL_MODES;

/** Where a step's approvers come from. */
export const APPROVER_SOURCES = { leader: '部门负责人', role: '角色', users: '指定人员' } as const;
export type ApproverSourceKind = keyof typeof APPROVER_SOURCES;

export type ApproverSource =
  /** The requester's department leaders, walking up the department tree: level 1 the nearest, 2 the next above. */
  | { kind: 'leader'; level: number }
  /** Every active holder of a role (e.g. `compliance` 合规). */
  | { kind: 'role'; role: string }
  /** Named people. */
  | { kind: 'users'; userIds: number[] };

export interface ApprovalRuleStep {
  name: string;
  mode: ApprovalMode;
  approvers: ApproverSource[];
}

/** A type's rule as 管理 → 审批规则 shows it: its steps and how long a request may wait. */
export interface ApprovalRuleView {
  type: ApprovalType;
  typeLabel: string;
  steps: ApprovalRuleStep[];
  /** A pending request expires this many days after it was submitted. */
  expireDays: number;
  /** False while the type runs on its built-in default (no admin has saved a rule). */
  customised: boolean;
  /** Names of the people and roles the steps refer to, for showing the rule. */
  names: { users: Record<number, string>; roles: Record<string, string> };
  updatedAt: string | null;
}

/** One line of what a request would do, as its type describes it. */
export interface ApprovalSubjectRow {
  label: string;
  value: string;
  /** `warn`: what the request is about (a level above the customer's), shown highlighted. */
  tone?: 'warn';
}

export interface ApprovalListItem {
  id: number;
  type: ApprovalType;
  typeLabel: string;
  status: ApprovalStatus;
  /** One line: what the request would do (「张三 申购 稳健增长 10 万元」). */
  title: string;
  reason: string;
  requester: { id: number; name: string };
  /** 1-based; the step waiting (pending) or the last one reached. */
  currentStep: number;
  stepCount: number;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  /**
   * For its requester, what an approved request lets them download (an export's file) and until
   * when; `expired` once that time has passed (the file then answers 410). Null otherwise.
   */
  download: ApprovalDownload | null;
}

export interface ApprovalDownload {
  path: string;
  until: string;
  expired: boolean;
}

export interface ApprovalDecisionView {
  approver: { id: number; name: string };
  decision: 'approved' | 'rejected';
  comment: string | null;
  at: string;
}

export interface ApprovalStepView {
  no: number;
  name: string;
  mode: ApprovalMode;
  /** waiting: not reached; current: waiting for its approvers; done: passed; rejected: refused here. */
  state: 'waiting' | 'current' | 'done' | 'rejected';
  approvers: { id: number; name: string }[];
  decisions: ApprovalDecisionView[];
}

export interface ApprovalView extends ApprovalListItem {
  subject: ApprovalSubjectRow[];
  steps: ApprovalStepView[];
  /** The caller is an approver of the current step who has not decided yet. */
  canDecide: boolean;
  /** The caller asked and the request is still pending. */
  canWithdraw: boolean;
  /**
   * For a pending request: whether its subject still holds today (checked again at approval, in
   * the same transaction). `message` says why not — an assessment that expired meanwhile.
   */
  check: { ok: true } | { ok: false; message: string };
  /** Why it ended as it did, when the engine ended it (expired, refused at approval). */
  outcomeNote: string | null;
  /** What an approval created, and where to see it (`/sales?…`, a customer page). */
  result: { entity: string; id: number; path: string | null } | null;
}
