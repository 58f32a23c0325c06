import { QueryTypes } from 'sequelize';
import { SYSTEM_ACTOR } from '../../server/modules/audit/service';
import type { SyncRunJson } from '@shared/sync';
import { NO_HOOKS } from '../../server/modules/wecom-mirror/hooks';
import { startExternalContactSync } from '../../server/modules/wecom-mirror/sync';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf } from '../helpers/http';
import { loggedIn } from '../helpers/session';

describe.each(databaseTargets())('external-contact sync on $label', (target) => {
  const { server } = useCrmServer(target, { syncOrg: false, perTest: true });

  const sync = async () =>
    (await startExternalContactSync({ sequelize: server.db.sequelize, wecom: server.wecom, logger: server.logger, hooks: NO_HOOKS }, SYSTEM_ACTOR)).done;
  const sim = () => server.simulator.state;
  const liveRelations = async () =>
    (
      await server.db.sequelize.query<{ external_userid: string; userid: string }>(
        'SELECT external_userid, userid FROM wecom_follow_relations WHERE deleted_at IS NULL ORDER BY external_userid, userid',
        { type: QueryTypes.SELECT },
      )
    ).map((r) => `${r.external_userid}|${r.userid}`);
  const simulatedRelations = () => [...sim().externalContacts.values()].flatMap((c) => c.follows.map((f) => `${c.contact.external_userid}|${f.userid}`)).sort();

  it('mirrors every contact and follow relation of the corp', async () => {
    const run = await sync();
    const [contacts] = await server.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM wecom_external_contacts', { type: QueryTypes.SELECT });

    expect(run.status).toBe('succeeded');
    expect(run.counts.created).toBe(simulatedRelations().length);
    expect(await liveRelations()).toEqual(simulatedRelations());
    expect(Number(contacts!.n)).toBe(sim().externalContacts.size);
  });

  it('changes nothing on a second run', async () => {
    await sync();

    const second = await sync();

    expect(second.counts).toEqual({ created: 0, updated: 0, unchanged: simulatedRelations().length, left: 0 });
  });

  it('picks up edits, new relations and relations that disappeared', async () => {
    await sync();
    const [first, second] = sim().contactsOf('rep-south-1');
    sim().editFollow(first!.contact.external_userid, 'rep-south-1', { remark: '新备注' });
    sim().removeFollow(second!.contact.external_userid, 'rep-south-1', 'customer');
    sim().addExternalContact(
      { external_userid: 'wmSYNC001', name: '新客户', type: 1 },
      { userid: 'rep-south-1', remark: '', description: '', add_way: 1, tag_ids: [] },
    );

    const run = await sync();

    expect(run.counts).toMatchObject({ created: 1, updated: 1, left: 1 });
    expect(await liveRelations()).toEqual(simulatedRelations());
  });

  it('converges despite faults on batch/get_by_user', async () => {
    server.simulator.faults.set('externalcontact/batch/get_by_user', { errorRate: 0.3, errcodes: [-1, 45033] });

    const run = await sync();

    expect(run.status).toBe('succeeded');
    expect(await liveRelations()).toEqual(simulatedRelations());
  });

  it('runs over HTTP with progress, and 409 while one runs', async () => {
    const admin = await loggedIn(server, 'admin');
    server.simulator.faults.set('externalcontact/batch/get_by_user', { latencyMs: 30 });

    const [a, b] = await Promise.all([1, 2].map(() => admin.fetch('/api/admin/sync/external-contacts', { method: 'POST' })));
    const accepted = a!.status === 202 ? a! : b!;
    const { id } = await bodyOf<{ id: number }>(accepted);
    let run = await bodyOf<SyncRunJson>(await admin.fetch(`/api/admin/sync/external-contacts/${id}`));
    while (run.status === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      run = await bodyOf<SyncRunJson>(await admin.fetch(`/api/admin/sync/external-contacts/${id}`));
    }

    expect([a!.status, b!.status].sort()).toEqual([202, 409]);
    expect(run).toMatchObject({ status: 'succeeded', progress: 100, kind: 'external_contacts' });
  });
});
