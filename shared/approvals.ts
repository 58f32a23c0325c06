/**
 * 审批: the request schemas of the approval engine (server/README.md#approvals-审批) — a decision with its
 * comment, the list's filters and an admin's rule per type. Labels and views (no zod) are in
 * shared/approval-labels.ts.
 */
import { z } from 'zod';
import { APPROVAL_STATUSES, APPROVAL_TYPE_CODES, type ApprovalStatus } from './approval-labels';
import { longText, positiveId, text } from './fields';

export * from './approval-labels';

/** 同意 with an optional comment. */
export const approveSchema = z.object({ comment: longText(500).optional() });
/** 驳回 says why: the requester reads it. */
export const rejectSchema = z.object({ comment: longText(500).min(1, '请填写驳回意见') });
export type DecisionInput = z.infer<typeof approveSchema>;

/** `GET /api/approvals`: what the caller may act on, or (`mine=1`) what they asked, optionally of one status. */
export const approvalListQuerySchema = z.object({
  mine: z.enum(['0', '1']).optional(),
  status: z.enum(Object.keys(APPROVAL_STATUSES) as [ApprovalStatus, ...ApprovalStatus[]]).optional(),
  type: z.enum(APPROVAL_TYPE_CODES).optional(),
});

export const approverSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('leader'), level: z.number().int('层级应为整数').min(1, '层级从 1 开始').max(5, '最多向上 5 级') }),
  z.object({ kind: z.literal('role'), role: text(64).min(1, '请选择角色') }),
  z.object({ kind: z.literal('users'), userIds: z.array(positiveId).min(1, '请选择审批人').max(20, '一步最多指定 20 人') }),
]);

export const approvalRuleStepSchema = z.object({
  name: text(32).min(1, '请填写步骤名称'),
  mode: z.enum(['any', 'all']),
  approvers: z.array(approverSourceSchema).min(1, '每一步至少一个审批人来源').max(5, '每一步最多 5 个审批人来源'),
});

/** `PUT /api/admin/approval-rules/:type`. */
export const approvalRuleSchema = z.object({
  steps: z.array(approvalRuleStepSchema).min(1, '至少一个审批步骤').max(5, '最多 5 个审批步骤'),
  expireDays: z.number().int('天数应为整数').min(1, '至少 1 天').max(90, '最多 90 天'),
});
export type ApprovalRuleInput = z.infer<typeof approvalRuleSchema>;

/**
 * `POST /api/customers/export-requests` and `/api/partners/export-requests`: an export that needs
 * approval, with the list's filter (validated by that list's own query schema), whether phones
 * and ID numbers go out whole (`full`, always approved first), and why it is needed.
 */
export const exportRequestSchema = z.object({
  filter: z.record(z.string(), z.unknown()).default({}),
  full: z.boolean().default(false),
  reason: longText(200).min(1, '请填写导出用途'),
});
export type ExportRequestInput = z.infer<typeof exportRequestSchema>;
