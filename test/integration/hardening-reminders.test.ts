/**
 * The first day's reminders (issue 29): on a first start after the digest time the scheduled run
 * took the day with 0 recipients before the demo data existed, and 「立即生成并发送今日提醒」
 * answered queued:false, sent:0 with no way to send it. The admin's run now sends today's digest
 * to everyone due one who has not had it — once per person and day, however often it is pressed.
 * Real clock: the admin's run has no working-day or digest-time condition.
 */
import { QueryTypes } from 'sequelize';
import { queueDailyDigests } from '../../server/modules/reminders/digest';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const DAY = 86_400_000;

interface RunOutcome {
  queued: boolean;
  recipients: number;
  alreadyHad: number;
  sent: number;
}

describe.each(databaseTargets())('the first day’s reminders on $label', (target) => {
  const { server, api } = useCrmServer(target, { perTest: true });

  /** A customer of `owner` whose follow-up was due yesterday: its owner is due a digest today. */
  const overdueCustomer = async (name: string, owner: string) => {
    const now = new Date();
    await server.db.sequelize.query(
      `INSERT INTO customers (type, name, status, lifecycle_stage, owner_user_id, department_id, next_follow_up_at, last_follow_up_at, version, created_at, updated_at)
       VALUES ('individual', ?, 'active', 'lead', ?, 2, ?, ?, 1, ?, ?)`,
      { replacements: [name, await api.userId(owner), new Date(now.getTime() - DAY), new Date(now.getTime() - 2 * DAY), now, now] },
    );
  };
  const runToday = () => api.send<RunOutcome>('admin', 'POST', '/api/admin/reminders/run', {}, 200);
  const digestsTo = async (userid: string) => {
    const { messages } = (await (await fetch(`${server.baseUrl}/__wecom/admin/messages`)).json()) as {
      messages: { touser: string; textcard?: { title: string } }[];
    };
    return messages.filter((m) => m.touser === userid && m.textcard?.title === '今日客户跟进提醒');
  };

  beforeEach(async () => {
    // What a first start after 09:00 did: the scheduled run took the day before any customer existed.
    expect(await queueDailyDigests(server.db.sequelize, new Date(), 30)).toMatchObject({ recipients: 0 });
    expect(await server.db.sequelize.query('SELECT queued FROM digest_runs', { type: QueryTypes.SELECT })).toEqual([{ queued: 0 }]);
    await overdueCustomer('首日逾期客户', 'rep-east-1');
  });

  it('sends today’s digest to those who have not had it, after the day’s run found nobody', async () => {
    const outcome = await runToday();

    expect(outcome).toMatchObject({ queued: true, recipients: 1, sent: 1 });
    expect(await digestsTo('rep-east-1')).toHaveLength(1);
  });

  it('sends nothing twice when pressed again', async () => {
    await runToday();

    const again = await runToday();

    expect(again).toMatchObject({ queued: false, recipients: 0, alreadyHad: 1, sent: 0 });
    expect(await digestsTo('rep-east-1')).toHaveLength(1);
  });

  it('reaches only the people who joined the due list since, not those who had theirs', async () => {
    await runToday();
    await overdueCustomer('后来的客户', 'rep-east-2');
    await overdueCustomer('又一位客户', 'rep-east-1');

    const later = await runToday();

    expect(later).toMatchObject({ recipients: 1, alreadyHad: 1, sent: 1 });
    expect(await digestsTo('rep-east-2')).toHaveLength(1);
    expect(await digestsTo('rep-east-1')).toHaveLength(1);
  });

  it('sends each person one digest when two admins press it at the same moment', async () => {
    const both = await Promise.all([runToday(), runToday()]);

    expect(both.map((o) => o.recipients).sort()).toEqual([0, 1]);
    const [row] = await server.db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'digest'", { type: QueryTypes.SELECT });
    expect(Number(row!.n)).toBe(1);
  });

  it('leaves the scheduled run once a day: a second pass queues nothing', async () => {
    expect(await queueDailyDigests(server.db.sequelize, new Date(), 30)).toMatchObject({ queued: false, recipients: 0 });
  });
});
