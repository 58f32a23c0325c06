/**
 * Follow-up reminders as WeCom app messages, against the simulator with a fixed clock: the daily
 * digest (who gets one, what it lists, once a day across instances, only on working days after
 * the digest time), transfer notices, WeCom's per-member rate limit, people who left.
 */
import { QueryTypes } from 'sequelize';
import { SIMULATOR_DEFAULTS as d } from '../../config/simulator-defaults';
import { openDatabase } from '../../server/db';
import { SqlKvStore } from '../../server/db/kv-store';
import { enqueueNotification, sendDueNotifications } from '../../server/modules/reminders/outbox';
import { ReminderScheduler } from '../../server/modules/reminders/scheduler';
import { settingDefaults } from '../../server/modules/settings/service';
import { WecomClient } from '../../server/wecom/client';
import { crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { FakeClock } from '../helpers/simulator';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2026-11-23, 10:00 in China. */
const MONDAY_10 = Date.UTC(2026, 10, 23, 2, 0, 0);

interface SentMessage {
  touser: string;
  msgtype: string;
  textcard?: { title: string; description: string; url: string };
}

describe.each(databaseTargets())('reminders on $label', (target) => {
  const clock = new FakeClock(MONDAY_10);
  let server: TestServer;
  let api: CrmClient;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    server = await startTestServer({ target, simulator: { now: clock.now } });
    await syncOrg(server);
    api = crmClient(server);
    for (const userid of ['rep-east-1', 'rep-east-2', 'rep-east-3', 'ops-1']) ids.set(userid, await api.userId(userid));
    const db = server.db.sequelize;
    const customer = async (name: string, owner: string, next: number | null, last: number | null) => {
      const at = new Date(MONDAY_10);
      await db.query(
        'INSERT INTO customers (type, name, status, lifecycle_stage, owner_user_id, department_id, next_follow_up_at, last_follow_up_at, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
        { replacements: ['individual', name, 'active', 'lead', ids.get(owner), 2, next === null ? null : new Date(next), last === null ? null : new Date(last), at, at] },
      );
    };
    await customer('提醒今天', 'rep-east-1', MONDAY_10 + 5 * HOUR, MONDAY_10 - 2 * DAY);
    await customer('提醒逾期', 'rep-east-1', MONDAY_10 - DAY, MONDAY_10 - 3 * DAY);
    await customer('提醒安静', 'rep-east-1', null, MONDAY_10 - 40 * DAY);
    await customer('刚跟进过', 'rep-east-2', MONDAY_10 + 5 * DAY, MONDAY_10 - DAY);
    await customer('离职者的客户', 'ops-1', MONDAY_10 - DAY, null);
    await db.query("UPDATE users SET status = 'left' WHERE wecom_userid = 'ops-1'");
  });
  afterAll(() => server.close());

  /** What another instance would send with: its own API client, the shared fixed clock, no backoff sleeps. */
  const senderDeps = (sequelize = server.db.sequelize) => ({
    sequelize,
    wecom: new WecomClient({
      apiBase: `${server.baseUrl}/__wecom`,
      corpId: d.corpId,
      agentId: d.agentId,
      secrets: { agent: d.agentSecret, contact: d.contactSecret, external: d.externalSecret },
      store: new SqlKvStore(sequelize, clock.now),
      now: clock.now,
      sleep: async () => {},
    }),
    logger: server.logger,
    publicUrl: server.config.publicUrl,
  });
  const scheduler = (sequelize = server.db.sequelize) =>
    new ReminderScheduler({ ...senderDeps(sequelize), settingDefaults: settingDefaults(server.config), now: () => new Date(clock.now()) });
  const messages = async () => ((await (await fetch(`${server.baseUrl}/__wecom/admin/messages`)).json()) as { messages: SentMessage[] }).messages;
  const to = async (userid: string) => (await messages()).filter((m) => m.touser === userid);

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
    const [row] = await server.db.sequelize.query<{ title: string; path: string }>("SELECT title, path FROM notifications WHERE dedupe_key LIKE 'partner-transfer:%'", { type: QueryTypes.SELECT });

    expect(row).toEqual({ title: '代销机构已转给你：转交银行', path: `/partners/${partner.id}` });
  });

  it('holds a message WeCom refused for its per-member rate limit and sends it later, once', async () => {
    const deps = senderDeps();
    for (let i = 0; i < 30; i++) await deps.wecom.sendMessage({ touser: 'rep-east-2', msgtype: 'text', text: { content: `填满 ${i}` } });
    await enqueueNotification(server.db.sequelize, { kind: 'transfer', dedupeKey: 'test:rate-limit', userId: ids.get('rep-east-2')!, title: '限流测试', lines: [{ text: '…' }], path: '/customers' }, new Date(clock.now()));

    const sentAtFirst = await sendDueNotifications(deps, new Date(clock.now()));
    const [held] = await server.db.sequelize.query<{ status: string; attempts: number; last_error: string }>("SELECT status, attempts, last_error FROM notifications WHERE dedupe_key = 'test:rate-limit'", { type: QueryTypes.SELECT });
    clock.advance(2 * 60_000);
    const sentLater = await sendDueNotifications(deps, new Date(clock.now()));
    const delivered = (await to('rep-east-2')).filter((m) => m.textcard?.title === '限流测试');

    expect(sentAtFirst).toBe(0);
    expect(held).toMatchObject({ status: 'pending', attempts: 1 });
    expect(held!.last_error).toContain('45009');
    expect(sentLater).toBe(1);
    expect(delivered).toHaveLength(1);
  });

  it('skips what the corp switched off, and what is addressed to someone who left', async () => {
    await api.send('admin', 'PATCH', '/api/admin/settings', { notifyTransfer: false }, 200);
    await enqueueNotification(server.db.sequelize, { kind: 'transfer', dedupeKey: 'test:muted', userId: ids.get('rep-east-1')!, title: '已关闭', lines: [{ text: '…' }], path: '/' }, new Date(clock.now()));
    await enqueueNotification(server.db.sequelize, { kind: 'digest', dedupeKey: 'test:left', userId: ids.get('ops-1')!, title: '已离职', lines: [{ text: '…' }], path: '/' }, new Date(clock.now()));

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
