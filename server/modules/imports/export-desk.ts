/**
 * Customer-data exports through the approval engine (server/README.md#customer-data-exports). An
 * export of at most the corp's threshold of records (`exportApprovalThreshold`, default 50), its
 * phones and ID numbers masked, goes out at once; a larger one, or a full one (numbers whole),
 * is an approval request of type `customer_export` whose subject is the export's filter. Once
 * approved, its requester downloads the file — built then, in their scope — for
 * EXPORT_DOWNLOAD_HOURS; after that it answers 410. Every file handed out is audited with its row
 * count and its filter in Chinese (export.ts).
 */
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import type { ApprovalSubjectRow, ApprovalView } from '@shared/approval-labels';
import { APPROVAL_STATUSES } from '@shared/approval-labels';
import { EXPORT_DOWNLOAD_HOURS, type ExportKind, type ExportNeedsApproval, type ExportPolicyView } from '@shared/exports';
import { IMPORT_KINDS, RECORD_IMPORT_KINDS } from '@shared/imports';
import type { CorpSettings } from '@shared/settings';
import { businessDateTime } from '@shared/time';
import { DomainError, forbidden, missingPermission, notFound, validationFailed } from '../../errors';
import type { ApprovalEngine } from '../approvals/engine';
import type { ApprovalContext, ApprovalTypeHandler } from '../approvals/types';
import type { Caller } from '../roles/ownership';
import { readSettings } from '../settings/service';
import { exportCount, exportFilterText, exportWorkbook, maskedNumbers, type ExportFilter } from './export';
import { MAX_ROWS } from './workbook';

const HOUR_MS = 3_600_000;

/** The draft an export request keeps: which list, its filter as the list's schema read it, whole numbers or not, who asked, how many it held then. */
const exportDraftSchema = z.object({
  kind: z.enum(RECORD_IMPORT_KINDS),
  filter: z.record(z.string(), z.unknown()),
  full: z.boolean(),
  requesterId: z.number().int().positive(),
  count: z.number().int().min(0),
});
export type ExportDraft = z.infer<typeof exportDraftSchema>;

const noun = (kind: ExportKind) => (kind === 'customers' ? '位客户' : '家代销机构');
const filterOf = (draft: ExportDraft) => draft.filter as ExportFilter<ExportKind>;

/** The requester may still export, and the filter still fits one file. */
async function checkDraft(ctx: ApprovalContext, draft: ExportDraft): Promise<number> {
  if (!ctx.requester.access.permissions.has('customer.export')) throw missingPermission('customer.export');
  const count = await exportCount(ctx.sequelize, ctx.requester, draft.kind, filterOf(draft));
  if (count > MAX_ROWS) throw validationFailed(`符合条件的记录现有 ${count} 条，超过一次导出的上限 ${MAX_ROWS}`);
  return count;
}

/** 客户数据导出 as an approval type: 合规 approves by default; approving writes nothing, it opens the download. */
export function customerExportType(): ApprovalTypeHandler<ExportDraft> {
  return {
    type: 'customer_export',
    defaultRule: { steps: [{ name: '合规', mode: 'any', approvers: [{ kind: 'role', role: 'compliance' }] }], expireDays: 3 },

    parse: (raw) => exportDraftSchema.parse(raw),

    async title(_sequelize, draft) {
      return `导出${IMPORT_KINDS[draft.kind]} ${draft.count} 条${draft.full ? `（含完整${maskedNumbers(draft.kind)}）` : ''}`;
    },

    async describe(sequelize, draft): Promise<ApprovalSubjectRow[]> {
      return [
        { label: '导出内容', value: IMPORT_KINDS[draft.kind] },
        { label: '筛选条件', value: await exportFilterText(sequelize, draft.kind, filterOf(draft)) },
        { label: '条数', value: `${draft.count} 条（提交时）` },
        draft.full
          ? { label: '号码', value: `${maskedNumbers(draft.kind)}完整导出，不脱敏`, tone: 'warn' }
          : { label: '号码', value: `${maskedNumbers(draft.kind)}脱敏（如 138****1234）` },
        { label: '下载期限', value: `通过后 ${EXPORT_DOWNLOAD_HOURS} 小时内由申请人下载` },
      ];
    },

    async validate(ctx, draft) {
      await checkDraft(ctx, draft);
    },

    async apply(ctx, draft) {
      await checkDraft(ctx, draft);
      return { entity: 'export', id: ctx.approvalId, path: null };
    },

    resultPath: () => null,

    download: (_draft, approval) => ({
      path: `/api/exports/${approval.id}.xlsx`,
      until: new Date(approval.decidedAt.getTime() + EXPORT_DOWNLOAD_HOURS * HOUR_MS),
    }),
  };
}

export interface ExportDesk {
  /** `GET /api/exports/policy`. */
  policy(): Promise<ExportPolicyView>;
  /** `GET /api/{customers,partners}/export.xlsx`: the file at once, or 409 `export_needs_approval`. */
  exportNow<K extends ExportKind>(caller: Caller, kind: K, filter: ExportFilter<K>, full: boolean): Promise<{ fileName: string; body: Buffer }>;
  /** `POST /api/{customers,partners}/export-requests`: the approval request (202). */
  request(caller: Caller, kind: ExportKind, filter: ExportFilter<ExportKind>, full: boolean, reason: string): Promise<ApprovalView>;
  /** `GET /api/exports/:approvalId.xlsx`: an approved export's file, for its requester, within its window (410 after). */
  download(caller: Caller, approvalId: number): Promise<{ fileName: string; body: Buffer }>;
}

export function exportDesk(deps: { sequelize: Sequelize; approvals: ApprovalEngine; settingDefaults: CorpSettings; now?: () => Date }): ExportDesk {
  const { sequelize, approvals } = deps;
  const now = deps.now ?? (() => new Date());
  const policy = async (): Promise<ExportPolicyView> => ({
    threshold: (await readSettings(sequelize, deps.settingDefaults)).exportApprovalThreshold,
    downloadHours: EXPORT_DOWNLOAD_HOURS,
  });

  return {
    policy,

    async exportNow(caller, kind, filter, full) {
      const { threshold } = await policy();
      const count = await exportCount(sequelize, caller, kind, filter);
      if (full || count > threshold) {
        const why = full ? `导出完整${maskedNumbers(kind)}需要审批` : `符合条件的${IMPORT_KINDS[kind]}有 ${count} 条，超过 ${threshold} 条的导出需要审批`;
        throw new DomainError('conflict', 'export_needs_approval', `${why}：请在列表上点「导出需审批」，填写用途后提交`, {
          count,
          threshold,
          full,
        } satisfies ExportNeedsApproval);
      }
      return exportWorkbook(sequelize, caller, kind, filter);
    },

    async request(caller, kind, filter, full, reason) {
      const { threshold } = await policy();
      const count = await exportCount(sequelize, caller, kind, filter);
      if (count === 0) throw validationFailed(`没有符合条件的${IMPORT_KINDS[kind]}可以导出`);
      if (count > MAX_ROWS) throw validationFailed(`符合条件的记录有 ${count} 条，超过一次导出的上限 ${MAX_ROWS}，请缩小筛选范围`);
      if (!full && count <= threshold)
        throw new DomainError('conflict', 'export_no_approval_needed', `符合条件的只有 ${count} ${noun(kind)}，不超过 ${threshold} 条，可以直接导出，无需审批`);
      const draft: ExportDraft = { kind, filter, full, requesterId: caller.access.userId, count };
      const id = await sequelize.transaction((transaction) =>
        approvals.submit({ type: 'customer_export', requester: caller, subject: draft, reason }, transaction),
      );
      return approvals.get(caller.access, id);
    },

    async download(caller, approvalId) {
      const { row, subject } = await approvals.draftOf(caller.access, approvalId);
      if (row.type !== 'customer_export') throw notFound('导出申请不存在');
      if (row.requester_user_id !== caller.access.userId) throw forbidden('只有申请人可以下载这份导出');
      if (row.status !== 'approved' || !row.decided_at)
        throw new DomainError(
          'conflict',
          'export_not_ready',
          row.status === 'pending' ? '这份导出还在审批中，通过后才能下载' : `这份导出申请${APPROVAL_STATUSES[row.status]}，不能下载`,
        );
      const until = new Date(new Date(row.decided_at).getTime() + EXPORT_DOWNLOAD_HOURS * HOUR_MS);
      if (now().getTime() >= until.getTime())
        throw new DomainError(
          'gone',
          'export_expired',
          `下载期限已过：导出审批通过后 ${EXPORT_DOWNLOAD_HOURS} 小时内可以下载（已于 ${businessDateTime(until)} 截止），如仍需要请重新申请`,
        );
      if (!caller.access.permissions.has('customer.export')) throw missingPermission('customer.export');
      const draft = subject as ExportDraft;
      return exportWorkbook(sequelize, caller, draft.kind, filterOf(draft), { full: draft.full, approvalId });
    },
  };
}
