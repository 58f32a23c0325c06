/**
 * Follow-ups a person can correct (issue 36): the author edits or deletes their own within
 * FOLLOW_UP_EDIT_HOURS, a manager beyond it, each change audited in Chinese; 我的跟进 lists
 * what one wrote and what one planned.
 */
import type { AuditLogView } from '@shared/audit';
import type { CustomerDetail, CustomerView, FollowUpView } from '@shared/customers';
import type { MyFollowUpView } from '@shared/follow-ups';
import type { PageOf } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf } from '../helpers/http';

const inDays = (days: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + days * 86_400_000).toISOString();

describe.each(databaseTargets())('correcting follow-ups on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let seq = 0;
  const customer = (userid = 'rep-east-1') =>
    api.send<CustomerView>(userid, 'POST', '/api/customers', { type: 'individual', name: `更正客户${++seq}`, phone: `1360000${String(seq).padStart(4, '0')}` });
  const followUp = (customerId: number, body: Record<string, unknown> = {}, userid = 'rep-east-1') =>
    api.send<FollowUpView>(userid, 'POST', `/api/customers/${customerId}/follow-ups`, { channel: 'phone', content: '电话沟通', ...body });
  const patch = async (userid: string, customerId: number, id: number, body: unknown) =>
    (await api.as(userid)).json(`/api/customers/${customerId}/follow-ups/${id}`, 'PATCH', body);
  const remove = async (userid: string, customerId: number, id: number) =>
    (await api.as(userid)).fetch(`/api/customers/${customerId}/follow-ups/${id}`, { method: 'DELETE' });
  /** Makes a follow-up look written `hours` ago. */
  const writtenAgo = (id: number, hours: number) =>
    server.db.sequelize.query('UPDATE follow_ups SET created_at = ?, updated_at = ? WHERE id = ?', {
      replacements: [new Date(Date.now() - hours * 3_600_000), new Date(Date.now() - hours * 3_600_000), id],
    });
  const auditOf = async (action: string, id: number) =>
    (await api.get<PageOf<AuditLogView>>('admin', `/api/admin/audit-logs?action=${action}&pageSize=100`)).items.find((a) => a.entityId === String(id));

  it('lets the author correct their follow-up and shows when it was corrected', async () => {
    const c = await customer();
    const f = await followUp(c.id);

    const res = await patch('rep-east-1', c.id, f.id, { content: '电话沟通，客户要资料', nextAction: '寄送产品说明书' });
    const corrected = await bodyOf<FollowUpView>(res);

    expect(res.status).toBe(200);
    expect(corrected).toMatchObject({ content: '电话沟通，客户要资料', nextAction: '寄送产品说明书' });
  });

  it('audits a correction with the customer, the author and the Chinese field names', async () => {
    const c = await customer();
    const f = await followUp(c.id);

    await patch('rep-east-1', c.id, f.id, { content: '改过的内容' });
    const entry = await auditOf('follow_up.update', f.id);

    expect(entry).toMatchObject({ actionLabel: '修改跟进记录', entityLabel: '跟进记录', diff: { content: ['电话沟通', '改过的内容'] } });
    expect(entry!.summary).toContain(c.name);
    expect(entry!.summary).toContain('李娜');
    expect(entry!.fieldLabels).toEqual({ content: '跟进内容' });
  });

  it('moves the customer’s next follow-up when the newest entry’s next date is corrected', async () => {
    const c = await customer();
    const f = await followUp(c.id, { nextFollowUpAt: inDays(2) });

    const corrected = inDays(5); // once: a second call may fall in the next second
    await patch('rep-east-1', c.id, f.id, { nextFollowUpAt: corrected });

    expect((await api.get<CustomerDetail>('rep-east-1', `/api/customers/${c.id}`)).nextFollowUpAt).toBe(corrected);
  });

  it('refuses the author a correction or deletion after 24 hours', async () => {
    const c = await customer();
    const f = await followUp(c.id);
    await writtenAgo(f.id, 25);

    const edit = await patch('rep-east-1', c.id, f.id, { content: '太晚了' });
    const del = await remove('rep-east-1', c.id, f.id);

    expect(edit.status).toBe(403);
    expect((await bodyOf<{ error: { message: string } }>(edit)).error.message).toContain('24 小时');
    expect(del.status).toBe(403);
  });

  it('lets a manager correct and delete a rep’s follow-up after 24 hours, audited', async () => {
    const c = await customer();
    const f = await followUp(c.id);
    await writtenAgo(f.id, 48);

    const edit = await patch('mgr-east', c.id, f.id, { outcome: '主管补充：客户已签约' });
    const del = await remove('mgr-east', c.id, f.id);

    expect(edit.status).toBe(200);
    expect(del.status).toBe(204);
    expect(await auditOf('follow_up.delete', f.id)).toMatchObject({ actionLabel: '删除跟进记录', actor: { name: '陈建国' } });
  });

  it('refuses a rep another rep’s follow-up of a shared customer', async () => {
    const c = await customer('mgr-east');
    const f = await followUp(c.id, {}, 'mgr-east');

    // The rep does not see the manager's customer at all: 404, never a hint.
    expect((await patch('rep-east-1', c.id, f.id, { content: '别人的' })).status).toBe(404);
  });

  it('lists my written follow-ups and my planned ones that are still the customer’s plan', async () => {
    const c = await customer();
    await followUp(c.id, { nextFollowUpAt: inDays(3), nextAction: '约见面' });
    const other = await customer();
    await followUp(other.id, { followedAt: inDays(-2), nextFollowUpAt: inDays(4) });
    await followUp(other.id, { content: '已处理' });

    const done = await api.get<PageOf<MyFollowUpView>>('rep-east-1', `/api/follow-ups/mine?kind=done&from=${inDays(-1)}`);
    const planned = await api.get<PageOf<MyFollowUpView>>('rep-east-1', `/api/follow-ups/mine?kind=planned&from=${inDays(0)}&to=${inDays(10)}`);

    expect(done.items.map((f) => f.customer.name)).toEqual(expect.arrayContaining([c.name, other.name]));
    const ours = planned.items.filter((f) => [c.id, other.id].includes(f.customer.id));
    expect(ours.map((f) => [f.customer.name, f.nextAction])).toEqual([[c.name, '约见面']]);
  });
});
