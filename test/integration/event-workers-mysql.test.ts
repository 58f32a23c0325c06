import { QueryTypes, type Transaction } from 'sequelize';
import { openDatabase } from '../../server/db';
import { createLogger } from '../../server/logger';
import { InboxWriter } from '../../server/modules/wecom-events/inbox';
import { EventWorker } from '../../server/modules/wecom-events/worker';
import { buildCallbackXml, parseCallbackXml } from '../../server/wecom/xml';
import { generateCorp } from '../../scripts/wecom-simulator/index';
import type { SimExternalContact } from '../../scripts/wecom-simulator/state';
import { createScratchDatabase, databaseTargets, type ScratchDatabase } from '../helpers/database';
import { FakeClock, simulatorClient, startSimulator, type RunningSimulator } from '../helpers/simulator';

const mysql = databaseTargets().find((t) => t.label === 'mysql');
const EVENTS = 200;

// SKIP LOCKED only exists on MySQL; SQLite runs one worker per database by design.
(mysql ? describe : describe.skip)('two workers on one MySQL inbox', () => {
  let scratch: ScratchDatabase;
  let sim: RunningSimulator;

  beforeAll(async () => {
    scratch = await createScratchDatabase(mysql!);
    sim = await startSimulator({ corp: generateCorp({ externalContacts: EVENTS }) });
  });
  afterAll(async () => {
    await sim.close();
    await scratch.drop();
  });

  /**
   * Holds each worker's first event until the other worker has one too, so both take part however
   * the machine schedules them (a loaded CI box once let one worker drain all 200 before the other's
   * first claim). The waiting worker keeps its claimed batch, so the other finds other events.
   */
  const meetingOf = (workers: number) => {
    const arrived = new Set<number>();
    return async (worker: number) => {
      arrived.add(worker);
      for (let waited = 0; arrived.size < workers && waited < 10_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    };
  };

  /**
   * Two workers, each with its own connection pool as a separate process would have, meeting in
   * their first event (meetingOf); `applied` is told the contact of each event whose transaction
   * commits (a rolled-back attempt applied nothing).
   */
  const twoWorkers = (applied: (externalUserid: string) => void, options: ConstructorParameters<typeof EventWorker>[1]) => {
    const logger = createLogger('silent');
    const meet = meetingOf(2);
    return Promise.all(
      [1, 2].map(async (n) => {
        const sequelize = await openDatabase(scratch.config);
        const wecom = simulatorClient(sim, sequelize, new FakeClock(Date.now()));
        const hooks = {
          onExternalContactChanged: async (externalUserid: string, _u: string, _c: unknown, transaction: Transaction) => {
            await meet(n);
            transaction.afterCommit(() => applied(externalUserid));
          },
          onExternalContactsSynced: async () => {},
          onRelationEnded: async () => {},
          onTransferFailed: async () => {},
        };
        return { sequelize, worker: new EventWorker({ sequelize, wecom, logger, bootstrap: { adminUserIds: [] }, hooks }, options) };
      }),
    );
  };

  /** Stores WeCom's `edit_external_contact` callback for the contact's first follower. */
  const storeEdit = async (inbox: InboxWriter, c: SimExternalContact, createTime: number) => {
    const xml = buildCallbackXml({
      ToUserName: 'corp',
      FromUserName: 'sys',
      CreateTime: createTime,
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: 'edit_external_contact',
      UserID: c.follows[0]!.userid,
      ExternalUserID: c.contact.external_userid,
    });
    await inbox.store(xml, parseCallbackXml(xml));
  };

  it('never processes the same event twice', async () => {
    const contacts = [...sim.simulator.state.externalContacts.values()];
    const inbox = new InboxWriter(scratch.sequelize);
    for (const c of contacts) await storeEdit(inbox, c, 1760000000);
    const applications = new Map<string, number>();
    const workers = await twoWorkers((contact) => void applications.set(contact, (applications.get(contact) ?? 0) + 1), { maxAttempts: 3, batchSize: 5 });

    const handled = await Promise.all(workers.map((w) => w.worker.drain()));
    for (const w of workers) await w.sequelize.close();
    const rows = await scratch.sequelize.query<{ status: string; attempts: number }>('SELECT status, attempts FROM wecom_events', { type: QueryTypes.SELECT });

    expect(handled[0]! + handled[1]!).toBe(EVENTS);
    expect(handled.every((n) => n > 0)).toBe(true); // both workers took part
    expect(rows.every((r) => r.status === 'done' && Number(r.attempts) === 1)).toBe(true);
    expect(applications.size).toBe(EVENTS);
    expect([...applications.values()].every((n) => n === 1)).toBe(true);
  });

  it('never has two workers holding events of one contact, with several events per contact', async () => {
    await scratch.sequelize.query('DELETE FROM wecom_events');
    const contacts = [...sim.simulator.state.externalContacts.values()].slice(0, 50);
    const inbox = new InboxWriter(scratch.sequelize);
    for (let round = 0; round < 4; round++) {
      for (const c of contacts) await storeEdit(inbox, c, 1760000100 + round);
    }
    const reads = () => sim.simulator.api.callCount('externalcontact/get');
    const before = reads();
    let applications = 0;
    // Two events of a contact per claim at most: its four are split across claims, and across workers.
    const workers = await twoWorkers(() => void applications++, { maxAttempts: 3, batchSize: 5, perEntity: 2 });
    // Watches the invariant while the workers run: one holder per contact at any moment.
    const overlaps: unknown[] = [];
    let running = true;
    const watch = (async () => {
      while (running) {
        overlaps.push(
          ...(await scratch.sequelize.query(
            "SELECT entity_key FROM wecom_events WHERE status = 'processing' GROUP BY entity_key HAVING COUNT(DISTINCT locked_by) > 1",
            { type: QueryTypes.SELECT },
          )),
        );
      }
    })();

    const handled = await Promise.all(workers.map((w) => w.worker.drain()));
    running = false;
    await watch;
    for (const w of workers) await w.sequelize.close();
    const rows = await scratch.sequelize.query<{ status: string; attempts: number }>('SELECT status, attempts FROM wecom_events', { type: QueryTypes.SELECT });

    expect(handled[0]! + handled[1]!).toBe(200);
    expect(handled.every((n) => n > 0)).toBe(true);
    expect(overlaps).toEqual([]);
    expect(rows.every((r) => r.status === 'done' && Number(r.attempts) === 1)).toBe(true);
    // Two events per read: each claim of a contact read it once and applied it once.
    expect(reads() - before).toBe(100);
    expect(applications).toBe(100);
  });
});
