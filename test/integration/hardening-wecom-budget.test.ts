/**
 * One person cannot burn the corp's WeCom quota (issue 29): a session asking the sidebar for
 * 9,999 ids the mirror did not know made 9,999 `externalcontact/get` calls in 55 s, WeCom blocked
 * the API for the whole corp (45009) and every rep's card failed. Now each person's calls are
 * budgeted (server/wecom/budget.ts), one read per contact is shared by concurrent requests and
 * instances, and an unknown id is remembered (server/modules/wecom-mirror/contact-reader.ts).
 */
import type { SidebarBoot, SidebarCard } from '@shared/sidebar';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { SqlKvStore } from '../../server/db/kv-store';
import { ContactReader } from '../../server/modules/wecom-mirror/contact-reader';
import { PERSON_CALLS_PER_MINUTE } from '../../server/wecom/budget';

describe.each(databaseTargets())('WeCom budgets on $label', (target) => {
  const { server, api } = useCrmServer(target, { syncExternalContacts: true });
  const contactReads = () => server.simulator.api.callCount('externalcontact/get');
  const cardOf = async (userid: string, externalUserid: string) => (await api.as(userid)).fetch(`/api/sidebar/external-contacts/${externalUserid}`);
  /** A contact WeCom has and our mirror does not (its add callback never arrived). */
  const addedWithoutCallback = (externalUserid: string, userid: string) => {
    const callbackUrl = server.simulator.events.callbackUrl;
    server.simulator.events.callbackUrl = undefined;
    server.simulator.state.addExternalContact(
      { external_userid: externalUserid, name: '回调未到的客户', type: 1 },
      { userid, remark: '', description: '', add_way: 1, tag_ids: [], remark_mobiles: [] },
    );
    server.simulator.events.callbackUrl = callbackUrl;
  };

  it('keeps a loop of unknown ids from one session within its budget and answers 429 in Chinese past it', async () => {
    const rep = await api.as('rep-east-2');
    const before = contactReads();

    const statuses: number[] = [];
    let refusal: Response | undefined;
    for (let i = 0; i < PERSON_CALLS_PER_MINUTE + 10; i++) {
      const res = await rep.fetch(`/api/sidebar/external-contacts/wmLOOP${String(i).padStart(5, '0')}`);
      statuses.push(res.status);
      if (res.status === 429) refusal = res;
      else await res.body?.cancel();
    }

    expect(contactReads() - before).toBe(PERSON_CALLS_PER_MINUTE);
    expect(statuses.filter((s) => s === 404)).toHaveLength(PERSON_CALLS_PER_MINUTE);
    expect(statuses.slice(PERSON_CALLS_PER_MINUTE)).toEqual(Array(10).fill(429));
    expect(Number(refusal!.headers.get('retry-after'))).toBeGreaterThan(0);
    const { message } = await errorOf(refusal!);
    expect(message).toMatch(/^企业微信相关操作过于频繁，请约 \d+ 秒后再试$/);
  });

  it('still answers another rep whose card needs a WeCom read while that session is over its budget', async () => {
    addedWithoutCallback('wmBUDGETOTHER1', 'rep-east-1');
    const before = contactReads();

    const res = await cardOf('rep-east-1', 'wmBUDGETOTHER1');

    expect(res.status).toBe(200);
    expect((await bodyOf<SidebarCard>(res)).contact.name).toBe('回调未到的客户');
    expect(contactReads() - before).toBe(1);
  });

  it('refuses the over-budget session on every path that reads WeCom for it, the boot request included', async () => {
    const before = contactReads();

    const boot = await bodyOf<SidebarBoot>(await (await api.as('rep-east-2')).fetch('/api/sidebar/boot?contact=wmLOOPBOOT1'));
    const use = await (await api.as('rep-east-2')).json('/api/sidebar/external-contacts/wmLOOPTAGS1/tags', 'POST', { add: [], remove: ['x'] });

    expect(boot.card).toMatchObject({ ok: false, status: 429 });
    expect(use.status).toBe(429);
    expect(contactReads()).toBe(before);
  });

  it('makes one WeCom call for concurrent requests about one unknown id, from several reps', async () => {
    server.simulator.faults.set('externalcontact/get', { latencyMs: 200 });
    const reps = ['rep-south-1', 'mgr-south', 'admin'];
    await Promise.all(reps.map((userid) => api.as(userid)));
    const before = contactReads();

    const statuses = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const res = await cardOf(reps[i % reps.length]!, 'wmSAMEUNKNOWN1');
        await res.body?.cancel();
        return res.status;
      }),
    ).finally(() => server.simulator.faults.clear('externalcontact/get'));

    expect(statuses).toEqual(Array(6).fill(404));
    expect(contactReads() - before).toBe(1);
  });

  it('makes no call for an unknown id asked again within the window, by anyone', async () => {
    expect((await cardOf('rep-east-3', 'wmASKEDTWICE1')).status).toBe(404);
    const before = contactReads();

    const again = await cardOf('rep-east-3', 'wmASKEDTWICE1');
    const byColleague = await cardOf('mgr-east', 'wmASKEDTWICE1');

    expect([again.status, byColleague.status]).toEqual([404, 404]);
    expect(contactReads()).toBe(before);
  });

  it('shares one read of a contact between two instances asking at once', async () => {
    addedWithoutCallback('wmTWOINSTANCES1', 'rep-east-3');
    // WeCom's answer takes long enough for the second instance to reach its claim while the first
    // still holds the lease: with 300 ms a loaded machine once started it after the first had
    // finished (a new read, seen in a baseline run of the old code).
    server.simulator.faults.set('externalcontact/get', { latencyMs: 1500 });
    const instance = () => new ContactReader({ sequelize: server.db.sequelize, wecom: server.wecom, store: new SqlKvStore(server.db.sequelize) });
    const before = contactReads();

    const answers = await Promise.all([instance().refresh('wmTWOINSTANCES1'), instance().refresh('wmTWOINSTANCES1')]).finally(() =>
      server.simulator.faults.clear('externalcontact/get'),
    );

    expect(answers).toEqual([true, true]);
    expect(contactReads() - before).toBe(1);
  });
});
