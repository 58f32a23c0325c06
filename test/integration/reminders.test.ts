/**
 * Follow-up reminders as WeCom app messages, against the simulator with a fixed clock: the daily
 * digest (who gets one, what it lists, once a day across instances, only on working days after
 * the digest time), transfer notices, WeCom's per-member budget (30 a minute, 1,000 an hour:
 * over it WeCom drops messages silently), recipients WeCom refuses, people who left.
 */
import { QueryTypes } from 'sequelize';
import { openDatabase } from '../../server/db';
import { enqueueNotification, sendDueNotifications } from '../../server/modules/reminders/outbox';
import { ReminderScheduler } from '../../server/modules/reminders/scheduler';
import { settingDefaults } from '../../server/modules/settings/service';
import type { WecomClient } from '../../server/wecom/client';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { FakeClock, simulatorClient } from '../helpers/simulator';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2026-11-23, 10:00 in China. */
const MONDAY_10 = Date.UTC(2026, 10, 23, 2, 0, 0);

interface SentMessage {
  touser: string;
  msgtype: string;
  sent_at?: number;
  textcard?: { title: string; description: string; url: string };
}

describe.each(databaseTargets())('reminders on $label', (target) => {
  const clock = new FakeClock(MONDAY_10);
  const { server, api } = useCrmServer(target, { simulator: { now: clock.now } });
  const ids = new Map<string, number>();

  beforeAll(async () => {
    for (const userid of ['rep-east-1', 'rep-east-2', 'rep-east-3', 'ops-1', 'mgr-south', 'rep-south-1', 'risk-1', 'mgr-east', 'admin'])
      ids.set(userid, await api.userId(userid));
    const db = server.db.sequelize;
    const customer = async (name: string, owner: string, next: number | null, last: number | null) => {
      const at = new Date(MONDAY_10);
      await db.query(
        'INSERT INTO customers (type, name, status, lifecycle_stage, owner_user_id, department_id, next_follow_up_at, last_follow_up_at, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
        {
          replacements: [
            'individual',
            name,
            'active',
            'lead',
            ids.get(owner),
            2,
            next === null ? null : new Date(next),
            last === null ? null : new Date(last),
            at,
            at,
          ],
        },
      );
    };
    await customer('提醒今天', 'rep-east-1', MONDAY_10 + 5 * HOUR, MONDAY_10 - 2 * DAY);
    await customer('提醒逾期', 'rep-east-1', MONDAY_10 - DAY, MONDAY_10 - 3 * DAY);
    await customer('提醒安静', 'rep-east-1', null, MONDAY_10 - 40 * DAY);
    await customer('刚跟进过', 'rep-east-2', MONDAY_10 + 5 * DAY, MONDAY_10 - DAY);
    await customer('离职者的客户', 'ops-1', MONDAY_10 - DAY, null);
    await db.query("UPDATE users SET status = 'left' WHERE wecom_userid = 'ops-1'");
  });

  /** What another instance would send with: its own API client, the shared fixed clock, no backoff sleeps. */
  const senderDeps = (sequelize = server.db.sequelize) => ({
    sequelize,
    wecom: simulatorClient({ baseUrl: `${server.baseUrl}/__wecom` }, sequelize, clock),
    logger: server.logger,
    publicUrl: server.config.publicUrl,
  });
  const scheduler = (sequelize = server.db.sequelize) =>
    new ReminderScheduler({ ...senderDeps(sequelize), settingDefaults: settingDefaults(server.config), now: () => new Date(clock.now()) });
  const messages = async () => ((await (await fetch(`${server.baseUrl}/__wecom/admin/messages`)).json()) as { messages: SentMessage[] }).messages;
  const to = async (userid: string) => (await messages()).filter((m) => m.touser === userid);
  const queue = (user: string, dedupeKey: string, title: string) =>
    enqueueNotification(
      server.db.sequelize,
      { kind: 'transfer', dedupeKey, userId: ids.get(user)!, title, lines: [{ text: '…' }], path: '/customers' },
      new Date(clock.now()),
    );
  const rowsLike = (pattern: string) =>
    server.db.sequelize.query<{ id: number; status: string; attempts: number; last_error: string | null; next_attempt_at: string }>(
      'SELECT id, status, attempts, last_error, next_attempt_at FROM notifications WHERE dedupe_key LIKE ? ORDER BY id',
      { replacements: [pattern], type: QueryTypes.SELECT },
    );

  it('waits for a working day and the digest time', async () => {
    clock.ms = MONDAY_10 - 2 * DAY; // Saturday 10:00
    await scheduler().tick();
    clock.ms = MONDAY_10 - 61 * 60_000; // Monday 08:59
    await scheduler().tick();
    const runs = await server.db.sequelize.query('SELECT day FROM digest_runs', { type: QueryTypes.SELECT });
    clock.ms = MONDAY_10;

    expect(runs).toEqual([]);
    expect(await to('rep-east-1')).toEqual([]);
  });

  it('queues the day’s digest once even when two instances run at the same moment', async () => {
    // On MySQL the second instance has its own connection pool, as another server process would.
    const other = target.label === 'mysql' ? await openDatabase(server.db.config) : server.db.sequelize;
    const [first, second] = await Promise.all([scheduler().runNow(), scheduler(other).runNow()]);
    const again = await scheduler().runNow();
    if (other !== server.db.sequelize) await other.close();

    expect([first.queued, second.queued].sort()).toEqual([false, true]);
    expect(again).toMatchObject({ day: '2026-11-23', queued: false });
    expect(await to('rep-east-1')).toHaveLength(1);
  });

  it('lists the rep’s overdue, due-today and quiet customers, and opens the workbench', async () => {
    const [digest] = await to('rep-east-1');

    expect(digest!.textcard).toMatchObject({ title: '今日客户跟进提醒', url: `${server.config.publicUrl}/workbench` });
    expect(digest!.textcard!.description).toContain('已逾期 1 位：提醒逾期');
    expect(digest!.textcard!.description).toContain('今天要跟进 1 位：提醒今天');
    expect(digest!.textcard!.description).toContain('超过 30 天未跟进 1 位');
  });

  it('leaves out reps with nothing to do and people who have left', async () => {
    expect(await to('rep-east-2')).toEqual([]);
    expect(await to('ops-1')).toEqual([]);
  });

  it('tells the new owner about a transfer, with a link to the customer', async () => {
    const [customer] = await server.db.sequelize.query<{ id: number }>("SELECT id FROM customers WHERE name = '提醒安静'", { type: QueryTypes.SELECT });
    await api.send('mgr-east', 'POST', '/api/customers/transfer', { customerIds: [customer!.id], toUserId: ids.get('rep-east-3') }, 200);

    // The transfer was queued on the real clock, not the test's fixed one.
    await sendDueNotifications(senderDeps(), new Date());
    const [notice] = await to('rep-east-3');

    expect(notice!.textcard).toMatchObject({ title: '1 位客户已转给你', url: `${server.config.publicUrl}/customers/${customer!.id}` });
    expect(notice!.textcard!.description).toContain('提醒安静');
    expect(notice!.textcard!.description).toContain('由 陈建国 转移');
  });

  it('tells the new owner of a consignment partner, with a link to it', async () => {
    const partner = await api.send<{ id: number; version: number }>('mgr-east', 'POST', '/api/partners', { name: '转交银行', type: 'bank' });

    await api.send('mgr-east', 'PATCH', `/api/partners/${partner.id}`, { ownerUserId: ids.get('rep-east-1'), version: partner.version });
    const [row] = await server.db.sequelize.query<{ title: string; path: string }>(
      "SELECT title, path FROM notifications WHERE dedupe_key LIKE 'partner-transfer:%'",
      { type: QueryTypes.SELECT },
    );

    expect(row).toEqual({ title: '代销机构已转给你：转交银行', path: `/partners/${partner.id}` });
  });

  it('sends a member at most 30 messages a minute, the rest merged into one card, none lost', async () => {
    const start = clock.now();
    for (let i = 1; i <= 40; i++) {
      await queue('mgr-south', `test:burst:${i}`, `突发提醒 ${i}`);
      clock.advance(1_000);
    }

    const sent = await sendDueNotifications(senderDeps(), new Date(clock.now()));
    const rows = await rowsLike('test:burst:%');
    const [card] = await server.db.sequelize.query<{ id: number; status: string }>('SELECT id, status FROM notifications WHERE dedupe_key = ?', {
      replacements: [`merged:${rows[29]!.id}`],
      type: QueryTypes.SELECT,
    });
    const delivered = (await to('mgr-south')).filter((m) => m.sent_at! >= start && m.sent_at! < start + 60_000);
    const merged = delivered.filter((m) => m.textcard?.title === '你有 11 条新提醒');

    expect(sent).toBe(30);
    expect(delivered).toHaveLength(30);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.textcard).toMatchObject({ url: `${server.config.publicUrl}/workbench` });
    expect(merged[0]!.textcard!.description).toContain('突发提醒 30');
    expect(merged[0]!.textcard!.description).toContain('等 11 条');
    expect(rows.slice(0, 29).every((r) => r.status === 'sent')).toBe(true);
    expect(card).toMatchObject({ status: 'sent' });
    expect(rows.slice(29).map((r) => [r.status, r.last_error])).toEqual(Array(11).fill(['merged', `已合并到第 ${card!.id} 条消息「你有 11 条新提醒」发送`]));
    expect(server.simulator.api.droppedMessages).toEqual([]);
  });

  it('keeps a member’s messages waiting while the minute’s budget is spent, then sends them', async () => {
    for (let i = 1; i <= 30; i++) await queue('rep-south-1', `test:full:${i}`, `占满额度 ${i}`);
    await sendDueNotifications(senderDeps(), new Date(clock.now()));
    const fullAt = clock.now();
    await queue('rep-south-1', 'test:later:1', '稍后发送 1');
    await queue('rep-south-1', 'test:later:2', '稍后发送 2');

    const sentWhileFull = await sendDueNotifications(senderDeps(), new Date(clock.now()));
    const held = await rowsLike('test:later:%');
    clock.advance(30_000);
    const sentHalfWay = await sendDueNotifications(senderDeps(), new Date(clock.now()));
    clock.advance(35_000);
    const sentAfter = await sendDueNotifications(senderDeps(), new Date(clock.now()));
    const later = (await to('rep-south-1')).filter((m) => m.textcard?.title.startsWith('稍后发送'));

    expect(sentWhileFull).toBe(0);
    expect(held.map((r) => [r.status, Number(r.attempts)])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
    // Free when the first of the 30 is a minute old (its sent_at is rounded up to the second).
    const freesAt = new Date(held[0]!.next_attempt_at).getTime();
    expect(freesAt).toBeGreaterThan(fullAt + 60_000);
    expect(freesAt).toBeLessThanOrEqual(fullAt + 62_000);
    expect(sentHalfWay).toBe(0);
    expect(sentAfter).toBe(2);
    expect(later).toHaveLength(2);
    expect((await rowsLike('test:later:%')).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(server.simulator.api.droppedMessages).toEqual([]);
  });

  it('keeps a member’s messages waiting while the hour’s budget of 1,000 is spent', async () => {
    const now = clock.now();
    // 1,000 sends over the last hour, none in the last minute.
    const earlier = Array.from({ length: 1_000 }, (_, i) => {
      const at = new Date(now - 3_500_000 + i * 3_000);
      return {
        kind: 'transfer',
        dedupe_key: `test:hour:${i}`,
        user_id: ids.get('admin'),
        title: '早先',
        description: '',
        path: '/',
        status: 'sent',
        attempts: 1,
        next_attempt_at: at,
        sent_at: at,
        created_at: at,
        updated_at: at,
      };
    });
    await server.db.sequelize.getQueryInterface().bulkInsert('notifications', earlier);
    await queue('admin', 'test:hour-held', '小时额度');

    const sentWhileFull = await sendDueNotifications(senderDeps(), new Date(clock.now()));
    const [held] = await rowsLike('test:hour-held');
    clock.advance(101_000);
    const sentAfter = await sendDueNotifications(senderDeps(), new Date(clock.now()));

    expect(sentWhileFull).toBe(0);
    expect(held).toMatchObject({ status: 'pending', attempts: 0 });
    expect(new Date(held!.next_attempt_at).getTime()).toBe(now + 100_000);
    expect(sentAfter).toBe(1);
    expect((await to('admin')).map((m) => m.textcard?.title)).toEqual(['小时额度']);
  });

  it('fails, never sends, a message to someone WeCom does not know any more', async () => {
    server.simulator.state.deleteUser('risk-1'); // still active here: the callback is not delivered
    await queue('risk-1', 'test:deleted', '已删除的成员');

    const sent = await sendDueNotifications(senderDeps(), new Date(clock.now()));
    const [row] = await rowsLike('test:deleted');

    expect(sent).toBe(0);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.last_error).toContain('收件人不是企业成员');
    expect(await to('risk-1')).toEqual([]);
  });

  it('fails a message WeCom answered 0 for but listed the member in invaliduser or unlicenseduser', async () => {
    // As WeCom answers for a member outside the app's visible range, or without a licence.
    const wecom = {
      sendMessage: async ({ touser }: { touser: string }) => ({
        errcode: 0,
        errmsg: 'ok',
        invaliduser: touser === 'mgr-east' ? 'mgr-east' : '',
        unlicenseduser: touser === 'rep-east-2' ? 'rep-east-2' : '',
      }),
    } as unknown as WecomClient;
    await queue('mgr-east', 'test:answer:invalid', '不在可见范围');
    await queue('rep-east-2', 'test:answer:unlicensed', '没有许可');

    const sent = await sendDueNotifications({ ...senderDeps(), wecom }, new Date(clock.now()));
    const rows = await rowsLike('test:answer:%');

    expect(sent).toBe(0);
    expect(rows.map((r) => [r.status, r.last_error])).toEqual([
      ['failed', '收件人不是企业成员或不在应用可见范围'],
      ['failed', '收件人没有企业微信基础接口许可'],
    ]);
  });

  it('skips what the corp switched off, and what is addressed to someone who left', async () => {
    await api.send('admin', 'PATCH', '/api/admin/settings', { notifyTransfer: false }, 200);
    await enqueueNotification(
      server.db.sequelize,
      { kind: 'transfer', dedupeKey: 'test:muted', userId: ids.get('rep-east-1')!, title: '已关闭', lines: [{ text: '…' }], path: '/' },
      new Date(clock.now()),
    );
    await enqueueNotification(
      server.db.sequelize,
      { kind: 'digest', dedupeKey: 'test:left', userId: ids.get('ops-1')!, title: '已离职', lines: [{ text: '…' }], path: '/' },
      new Date(clock.now()),
    );

    await scheduler().tick();
    const rows = await server.db.sequelize.query<{ dedupe_key: string; status: string; last_error: string }>(
      "SELECT dedupe_key, status, last_error FROM notifications WHERE dedupe_key IN ('test:muted', 'test:left') ORDER BY dedupe_key",
      { type: QueryTypes.SELECT },
    );
    const list = await api.get<{ items: { status: string }[] }>('admin', '/api/admin/notifications?status=skipped');

    expect(rows).toEqual([
      { dedupe_key: 'test:left', status: 'skipped', last_error: '收件人已离职或停用' },
      { dedupe_key: 'test:muted', status: 'skipped', last_error: '企业已关闭此类通知' },
    ]);
    expect(list.items.length).toBeGreaterThanOrEqual(2);
  });
});
