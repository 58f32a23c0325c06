/**
 * 话术审核 (server/README.md#客户群发, issue 34): when an admin switches on `quickReplyReview`, a new
 * or changed 话术 is not written to the library at once; its content is submitted as a `quick_reply`
 * request of the approval engine (default rule: 合规) and written only when approved. Reps see
 * only approved content, and approved content cannot change without a new review: a change is
 * another request, and a request whose reply changed or was deleted meanwhile is refused as stale
 * (its `baseHash` is the reply's content when the change was submitted). Approvers hold
 * `mass_message.review` (合规's review of marketing content).
 */
import { createHash } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { z } from 'zod';
import type { ApprovalSubjectRow } from '@shared/approval-labels';
import { quickReplySchema, type QuickReplyInput } from '@shared/engagement';
import { DomainError } from '../../errors';
import type { ApprovalEngine } from '../approvals/engine';
import type { ApprovalTypeHandler } from '../approvals/types';
import { audit } from '../audit/service';
import type { Caller } from '../roles/ownership';
import { engagementModels, type QuickReplyRow } from './models';

const draftSchema = z.object({
  quickReplyId: z.number().int().positive().nullable(),
  input: quickReplySchema,
  baseHash: z.string().nullable(),
});
export type QuickReplyDraft = z.infer<typeof draftSchema>;

/** What a reply says (not its use count or order): what approval covers. */
export const replyHash = (r: Pick<QuickReplyRow, 'category' | 'title' | 'kind' | 'content' | 'link_url' | 'media_file_id'>) =>
  createHash('sha256')
    .update(JSON.stringify([r.category, r.title, r.kind, r.content ?? null, r.link_url ?? null, r.media_file_id ?? null]))
    .digest('hex');

const stale = (message: string) => new DomainError('conflict', 'approval_stale', message);

export function rowValues(input: QuickReplyInput) {
  return {
    category: input.category,
    title: input.title,
    kind: input.kind,
    content: input.content ?? null,
    link_url: input.kind === 'link' ? (input.linkUrl ?? null) : null,
    media_file_id: input.kind === 'image' ? (input.mediaFileId ?? null) : null,
    sort_order: input.sortOrder,
  };
}

async function liveRow(sequelize: Sequelize, id: number, transaction?: Transaction) {
  return (await engagementModels(sequelize).QuickReply.findOne({ where: { id, deleted_at: null }, transaction }))?.get() ?? null;
}

async function check(sequelize: Sequelize, draft: QuickReplyDraft, transaction?: Transaction) {
  if (draft.quickReplyId === null) return;
  const row = await liveRow(sequelize, draft.quickReplyId, transaction);
  if (!row) throw stale('这条话术已被删除');
  if (replyHash(row) !== draft.baseHash) throw stale('这条话术在提交审核后又被修改，请以最新的审核申请为准');
}

/** Submits a new reply (`id` null) or a change of reply `id` for review; the request's id. */
export async function submitQuickReply(
  deps: { sequelize: Sequelize; approvals: ApprovalEngine },
  caller: Caller,
  id: number | null,
  input: QuickReplyInput,
): Promise<number> {
  const { sequelize, approvals } = deps;
  const base = id === null ? null : await liveRow(sequelize, id);
  return sequelize.transaction(async (transaction) => {
    const draft: QuickReplyDraft = { quickReplyId: id, input, baseHash: base ? replyHash(base) : null };
    const approvalId = await approvals.submit({ type: 'quick_reply', requester: caller, subject: draft, reason: `话术审核：${input.title}` }, transaction);
    await audit(
      sequelize,
      caller.actor,
      { action: 'quick_reply.submit', entity: 'quick_reply', entityId: id ?? 0, summary: `提交话术审核：${input.title}` },
      { transaction },
    );
    return approvalId;
  });
}

export function quickReplyType(): ApprovalTypeHandler<QuickReplyDraft> {
  return {
    type: 'quick_reply',
    approverPermission: 'mass_message.review',
    // 话术 is marketing content said to customers: 合规 reviews it, like a 群发.
    defaultRule: { steps: [{ name: '合规', mode: 'any', approvers: [{ kind: 'role', role: 'compliance' }] }], expireDays: 7 },

    parse: (raw) => draftSchema.parse(raw),

    async title(_sequelize, draft) {
      return `${draft.quickReplyId === null ? '新建' : '修改'}话术「${draft.input.title}」`;
    },

    async describe(sequelize, draft): Promise<ApprovalSubjectRow[]> {
      const rows: ApprovalSubjectRow[] = [
        { label: '分类', value: draft.input.category },
        { label: '标题', value: draft.input.title },
        { label: '类型', value: ({ text: '文字', link: '链接', image: '图片' } as const)[draft.input.kind] },
        { label: '内容', value: draft.input.content || '（无文字）' },
      ];
      if (draft.input.linkUrl) rows.push({ label: '链接', value: draft.input.linkUrl });
      if (draft.quickReplyId !== null) {
        const current = await liveRow(sequelize, draft.quickReplyId);
        rows.push({ label: '修改前', value: current ? current.content || current.title : '已删除', tone: 'warn' });
      }
      return rows;
    },

    validate: (ctx, draft) => check(ctx.sequelize, draft, ctx.transaction),

    async apply(ctx, draft) {
      const { sequelize, transaction } = ctx;
      await check(sequelize, draft, transaction);
      const { QuickReply } = engagementModels(sequelize);
      let id = draft.quickReplyId;
      if (id === null) id = (await QuickReply.create(rowValues(draft.input), { transaction })).get().id;
      else await QuickReply.update(rowValues(draft.input), { where: { id }, transaction });
      await audit(
        sequelize,
        ctx.requester.actor,
        {
          action: draft.quickReplyId === null ? 'quick_reply.create' : 'quick_reply.update',
          entity: 'quick_reply',
          entityId: id,
          summary: `${draft.quickReplyId === null ? '新建' : '修改'}话术（审核通过）：${draft.input.title}`,
        },
        { transaction },
      );
      return { entity: 'quick_reply', id, path: '/admin/quick-replies' };
    },

    resultPath: () => '/admin/quick-replies',
  };
}
