/**
 * A notification that failed for good (WeCom busy through every attempt) is not left dead: an
 * admin sees it failed and sends it again, and the next sending pass delivers it. Only failed
 * messages can be sent again, and only by someone who manages the corp's settings.
 */
import { QueryTypes } from 'sequelize';
import { enqueueNotification, sendDueNotifications } from '../../server/modules/reminders/outbox';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

describe.each(databaseTargets())('a failed notification sent again on $label', (target) => {
  const { server, api } = useCrmServer(target);

  const sendDue = () =>
    sendDueNotifications({ sequelize: server.db.sequelize, wecom: server.wecom, logger: server.logger, publicUrl: server.baseUrl }, new Date());
  const statusOf = async (id: number) => {
    const [row] = await server.db.sequelize.query<{ status: string; attempts: number }>('SELECT status, attempts FROM notifications WHERE id = ?', {
      replacements: [id],
      type: QueryTypes.SELECT,
    });
    return row!;
  };
  const failedNotice = async (key: string) => {
    await enqueueNotification(
      server.db.sequelize,
      { kind: 'transfer', dedupeKey: key, userId: await api.userId('rep-east-1'), title: `通知 ${key}`, lines: [{ text: '…' }], path: '/customers' },
      new Date(),
    );
    const [row] = await server.db.sequelize.query<{ id: number }>('SELECT id FROM notifications WHERE dedupe_key = ?', {
      replacements: [key],
      type: QueryTypes.SELECT,
    });
    const id = Number(row!.id);
    // WeCom refuses the member for good (not in the app's visible range): failed at once.
    server.simulator.faults.set('message/send', { failFirst: 1, errcodes: [81013] });
    await sendDue();
    server.simulator.faults.clear('message/send');
    return id;
  };

  it('puts a failed message back in the outbox, and the next pass delivers it', async () => {
    const id = await failedNotice('retry:1');
    expect((await statusOf(id)).status).toBe('failed');

    const view = await api.send<{ status: string }>('admin', 'POST', `/api/admin/notifications/${id}/retry`, {}, 200);
    await sendDue();

    expect(view.status).toBe('pending');
    expect(await statusOf(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('refuses to send again a message that was not failed, in Chinese', async () => {
    const id = await failedNotice('retry:2');
    await api.send('admin', 'POST', `/api/admin/notifications/${id}/retry`, {}, 200);
    await sendDue();

    const res = await (await api.as('admin')).json(`/api/admin/notifications/${id}/retry`, 'POST', {});

    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('只有发送失败的消息可以重发');
  });

  it("is for those who manage the settings only, and says so by the permission's name", async () => {
    const id = await failedNotice('retry:3');

    const res = await (await api.as('rep-east-1')).json(`/api/admin/notifications/${id}/retry`, 'POST', {});

    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('没有「企业设置」权限，请联系管理员开通');
    expect((await statusOf(id)).status).toBe('failed');
  });

  it('is written to the audit trail', async () => {
    const id = await failedNotice('retry:4');
    await api.send('admin', 'POST', `/api/admin/notifications/${id}/retry`, {}, 200);

    const [entry] = await server.db.sequelize.query<{ summary: string }>(
      "SELECT summary FROM audit_logs WHERE action = 'notification.retry' AND entity_id = ?",
      {
        replacements: [String(id)],
        type: QueryTypes.SELECT,
      },
    );

    expect(entry!.summary).toBe('重发通知「通知 retry:4」');
  });
});
