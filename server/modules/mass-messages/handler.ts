/**
 * 群发内容 as an approval type (server/README.md#approvals-审批): the request's draft is the message
 * and the hash of its content — approval covers exactly that content, and a message whose content
 * changed (it cannot: nothing writes it after submission) or that is no longer waiting is refused.
 * Approving marks it for sending; its WeCom tasks are created once the approval commits. Approvers
 * hold `mass_message.review` (合规).
 */
import { z } from 'zod';
import type { ApprovalSubjectRow } from '@shared/approval-labels';
import { EXCLUSION_REASONS, attachmentLabel, type ExclusionReason, type MassContent } from '@shared/mass-messages';
import { PRODUCT_RISK_LABELS } from '@shared/suitability';
import { DomainError } from '../../errors';
import type { ApprovalTypeHandler } from '../approvals/types';
import { loadProduct } from '../products/service';
import { massModels } from './models';
import { audienceText, groupAudienceText, type MassMessageService } from './service';

const draftSchema = z.object({ massMessageId: z.number().int().positive(), contentHash: z.string().min(1) });
type MassDraft = z.infer<typeof draftSchema>;

const stale = (message: string) => new DomainError('conflict', 'approval_stale', message);

export function massMessageType(service: () => MassMessageService): ApprovalTypeHandler<MassDraft> {
  const load = async (sequelize: Parameters<ApprovalTypeHandler['title']>[0], draft: MassDraft, transaction?: Parameters<ApprovalTypeHandler['title']>[2]) =>
    (await massModels(sequelize).MassMessage.findByPk(draft.massMessageId, { transaction }))?.get() ?? null;

  async function check(ctx: Parameters<ApprovalTypeHandler['validate']>[0], draft: MassDraft) {
    const row = await load(ctx.sequelize, draft, ctx.transaction);
    if (!row) throw stale('这条群发已不存在');
    if (row.content_hash !== draft.contentHash) throw stale('群发内容与提交审核时不一致');
    if (row.status !== 'pending_review') throw stale('这条群发已不在待审核状态');
  }

  return {
    type: 'mass_message',
    approverPermission: 'mass_message.review',
    // Marketing content is a compliance matter: 合规 reviews it.
    defaultRule: { steps: [{ name: '合规', mode: 'any', approvers: [{ kind: 'role', role: 'compliance' }] }], expireDays: 3 },

    parse: (raw) => draftSchema.parse(raw),

    async title(sequelize, draft, transaction) {
      const row = await load(sequelize, draft, transaction);
      return `客户群发「${row?.title ?? draft.massMessageId}」`;
    },

    async describe(sequelize, draft): Promise<ApprovalSubjectRow[]> {
      const row = await load(sequelize, draft);
      if (!row) return [{ label: '群发', value: '已不存在' }];
      const content = JSON.parse(row.content) as MassContent;
      const group = row.kind === 'group';
      const { MassRecipient, MassGroup } = massModels(sequelize);
      const where = { mass_message_id: row.id };
      const recipients: { excluded: ExclusionReason | null }[] = (await (group ? MassGroup.findAll({ where }) : MassRecipient.findAll({ where }))).map(
        (r) => r.get() as { excluded: ExclusionReason | null },
      );
      const counts = new Map<ExclusionReason, number>();
      for (const r of recipients) if (r.excluded) counts.set(r.excluded, (counts.get(r.excluded) ?? 0) + 1);
      const product = row.product_id ? await loadProduct(sequelize, row.product_id).catch(() => null) : null;
      const rows: ApprovalSubjectRow[] = [
        { label: '标题', value: row.title },
        { label: '内容', value: content.text || '（无文字）' },
        {
          label: '附件',
          value: content.attachments.length ? content.attachments.map(attachmentLabel).join('、') : '无',
        },
        { label: '人群', value: group ? await groupAudienceText(sequelize, JSON.parse(row.audience)) : audienceText(JSON.parse(row.audience)) },
        { label: '触达', value: `${recipients.filter((r) => !r.excluded).length} ${group ? '个客户群' : '位客户'}` },
      ];
      if (product)
        rows.push({
          label: '关联产品',
          value: `${product.name}（${product.risk_level} ${PRODUCT_RISK_LABELS[product.risk_level]}）：只发给风险等级匹配且测评有效的客户`,
          tone: 'warn',
        });
      if (counts.size) rows.push({ label: '排除', value: [...counts].map(([reason, n]) => `${EXCLUSION_REASONS[reason]} ${n} 人`).join('，') });
      return rows;
    },

    validate: check,

    async apply(ctx, draft) {
      await check(ctx, draft);
      await service().approved(draft.massMessageId, ctx.transaction);
      return { entity: 'mass_message', id: draft.massMessageId, path: `/mass-messages/${draft.massMessageId}` };
    },

    resultPath: (draft) => `/mass-messages/${draft.massMessageId}`,
  };
}
