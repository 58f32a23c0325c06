/**
 * 话术审核 (issue 34): with the corp setting `quickReplyReview` on, a new or changed 话术 goes
 * through 合规's approval before reps can use it, and approved content changes only through a new review.
 */
import type { ApprovalView } from '@shared/approval-labels';
import type { QuickReplyView } from '@shared/engagement';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

interface Submitted {
  status: 'pending_review';
  approvalId: number;
}

describe.each(databaseTargets())('话术审核 on $label', (target) => {
  const { api } = useCrmServer(target, { settings: { quickReplyReview: true } });
  const replies = () => api.get<{ items: QuickReplyView[] }>('rep-east-1', '/api/quick-replies').then((r) => r.items);
  const approve = (id: number) => api.send('risk-1', 'POST', `/api/approvals/${id}/approve`, { comment: '话术合规' }, 200);
  const reply = (content: string) => ({ category: '产品介绍', title: '稳健增长', kind: 'text', content });

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
  });

  it('keeps a new 话术 from reps until 合规 approves it', async () => {
    const submitted = await api.send<Submitted>('admin', 'POST', '/api/admin/quick-replies', reply('{客户称呼}您好，稳健增长本周开放申购。'), 202);

    expect(submitted.status).toBe('pending_review');
    expect((await replies()).some((r) => r.title === '稳健增长')).toBe(false);
    const request = await api.get<ApprovalView>('risk-1', `/api/approvals/${submitted.approvalId}`);
    expect(request.typeLabel).toBe('话术审核');

    await approve(submitted.approvalId);

    expect((await replies()).find((r) => r.title === '稳健增长')?.content).toBe('{客户称呼}您好，稳健增长本周开放申购。');
  });

  it('changes approved content only through a new review', async () => {
    const current = (await replies()).find((r) => r.title === '稳健增长')!;

    const change = await api.send<Submitted>('admin', 'PUT', `/api/admin/quick-replies/${current.id}`, reply('{客户称呼}您好，近一年波动较小。'), 202);

    expect((await replies()).find((r) => r.id === current.id)?.content).toBe(current.content);
    await api.send('risk-1', 'POST', `/api/approvals/${change.approvalId}/reject`, { comment: '不得暗示收益稳定' }, 200);
    expect((await replies()).find((r) => r.id === current.id)?.content).toBe(current.content);
  });

  it('refuses to approve a change whose 话术 was changed again after it was submitted', async () => {
    const current = (await replies()).find((r) => r.title === '稳健增长')!;
    const first = await api.send<Submitted>('admin', 'PUT', `/api/admin/quick-replies/${current.id}`, reply('第一次修改'), 202);
    const second = await api.send<Submitted>('admin', 'PUT', `/api/admin/quick-replies/${current.id}`, reply('第二次修改'), 202);
    await approve(second.approvalId);

    await api.send('risk-1', 'POST', `/api/approvals/${first.approvalId}/approve`, {}, 409);

    expect((await replies()).find((r) => r.id === current.id)?.content).toBe('第二次修改');
  });
});
