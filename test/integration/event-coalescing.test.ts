import { QueryTypes } from 'sequelize';
import type { CallbackCrypto } from '../../server/wecom/callback-crypto';
import { buildCallbackXml } from '../../server/wecom/xml';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { callbackCryptoOf } from '../helpers/server';

/**
 * Events of one contact claimed together: a run of re-reads costs one externalcontact/get and one
 * transaction; events with their own meaning (a delete) split runs and keep their place.
 */
describe.each(databaseTargets())('coalesced callback events on $label', (target) => {
  const { server } = useCrmServer(target, { worker: { maxAttempts: 3 }, perTest: true });
  let crypto: CallbackCrypto;
  let createTime = 1_760_000_000;

  beforeEach(async () => {
    crypto = callbackCryptoOf(server);
    await server.simulator.events.flush();
    await server.worker.drain();
    await server.db.sequelize.query('DELETE FROM wecom_events');
  });

  const sim = () => server.simulator.state;
  const reads = () => server.simulator.api.callCount('externalcontact/get');
  /** A contact of the demo corp (in WeCom, not yet mirrored) and its first follower. */
  const demoContact = (n = 0) => {
    const c = [...sim().externalContacts.values()][n]!;
    return { externalUserid: c.contact.external_userid, userid: c.follows[0]!.userid };
  };
  /** Each call is a distinct event (its own CreateTime), stored before the worker runs. */
  const post = async (ChangeType: string, UserID: string, ExternalUserID: string) => {
    const { query, body } = crypto.seal(
      buildCallbackXml({
        ToUserName: server.config.wecom.corpId,
        FromUserName: 'sys',
        MsgType: 'event',
        CreateTime: createTime++,
        Event: 'change_external_contact',
        ChangeType,
        UserID,
        ExternalUserID,
      }),
    );
    const res = await fetch(`${server.baseUrl}/api/wecom/callback?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
    });
    expect(await res.text()).toBe('success');
  };
  const rows = <T extends object>(sql: string, params: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT });
  const events = () =>
    rows<{ change_type: string; status: string; attempts: number; last_error: string | null; next_attempt_at: Date }>(
      'SELECT change_type, status, attempts, last_error, next_attempt_at FROM wecom_events ORDER BY id',
    );
  const relation = async (externalUserid: string, userid: string) =>
    (
      await rows<{ remark: string | null; deleted_at: unknown; delete_reason: string | null }>(
        'SELECT remark, deleted_at, delete_reason FROM wecom_follow_relations WHERE external_userid = ? AND userid = ?',
        [externalUserid, userid],
      )
    )[0];

  it('applies a burst of 30 edits of one contact with one externalcontact/get, all 30 done', async () => {
    const { externalUserid, userid } = demoContact();
    sim().requireFollow(externalUserid, userid).remark = '最新备注';
    for (let i = 0; i < 30; i++) await post('edit_external_contact', userid, externalUserid);
    const before = reads();

    const handled = await server.worker.runOnce();

    expect(handled).toBe(30);
    expect(reads() - before).toBe(1);
    expect((await events()).map((e) => [e.status, Number(e.attempts)])).toEqual(Array.from({ length: 30 }, () => ['done', 1]));
    expect((await relation(externalUserid, userid))?.remark).toBe('最新备注');
  });

  it('reads each contact once when a burst edits many contacts, whatever the interleaving', async () => {
    const contacts = [0, 1, 2, 3, 4].map(demoContact);
    for (let round = 0; round < 4; round++) for (const c of contacts) await post('edit_external_contact', c.userid, c.externalUserid);
    const before = reads();

    expect(await server.worker.drain()).toBe(20);

    expect(reads() - before).toBe(5);
    expect((await events()).every((e) => e.status === 'done')).toBe(true);
  });

  it('applies an add, edits, a delete and a new add of one contact in order', async () => {
    const { externalUserid, userid } = demoContact();
    sim().requireFollow(externalUserid, userid).remark = 'v3';
    // The customer deletes the rep and adds them again: WeCom's final state has the relation.
    await post('add_external_contact', userid, externalUserid);
    await post('edit_external_contact', userid, externalUserid);
    await post('del_follow_user', userid, externalUserid);
    await post('add_external_contact', userid, externalUserid);
    await post('edit_external_contact', userid, externalUserid);
    const before = reads();

    const handled = await server.worker.runOnce();

    expect(handled).toBe(5);
    expect(reads() - before).toBe(2); // add + edit, then (after the delete) add + edit
    expect((await events()).map((e) => e.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    // Applied after the delete, the second add brought the relation back.
    expect(await relation(externalUserid, userid)).toMatchObject({ remark: 'v3', deleted_at: null, delete_reason: null });
    // The add kept its meaning (a lead for the rep), the delete its own (the contact lost, once).
    const links = await rows<{ customer_id: number }>('SELECT customer_id FROM customer_wecom_links WHERE external_userid = ?', [externalUserid]);
    const linkEvents = await rows<{ event: string }>('SELECT event FROM customer_wecom_link_events WHERE external_userid = ? ORDER BY id', [externalUserid]);
    expect(links).toHaveLength(1);
    expect(linkEvents.filter((e) => e.event === 'lost')).toHaveLength(1);
  });

  it('retries every event of a run whose read failed, together, and holds back what came after', async () => {
    const { externalUserid, userid } = demoContact();
    sim().requireFollow(externalUserid, userid).remark = '重试后';
    for (let i = 0; i < 3; i++) await post('edit_external_contact', userid, externalUserid);
    await post('del_external_contact', userid, externalUserid);
    server.simulator.faults.set('externalcontact/get', { failFirst: 1, errcodes: [60011] });
    const before = reads();

    await server.worker.runOnce();
    const failed = await events();
    await server.worker.drain();

    expect(failed.map((e) => [e.status, Number(e.attempts)])).toEqual([
      ['pending', 1],
      ['pending', 1],
      ['pending', 1],
      ['pending', 0], // given back untouched: not its failure
    ]);
    expect(failed.slice(0, 3).every((e) => e.last_error?.includes('60011'))).toBe(true);
    const due = failed.slice(0, 3).map((e) => new Date(e.next_attempt_at).getTime());
    expect(Math.max(...due) - Math.min(...due)).toBeLessThan(1000); // one backoff for the run
    expect((await events()).map((e) => [e.status, Number(e.attempts)])).toEqual([
      ['done', 2],
      ['done', 2],
      ['done', 2],
      ['done', 1],
    ]);
    expect(reads() - before).toBe(2);
    // The delete still came after the edits.
    expect(await relation(externalUserid, userid)).toMatchObject({ remark: '重试后', delete_reason: 'deleted_by_employee' });
  });

  it('makes every event of a run dead together once the attempts are spent', async () => {
    const { externalUserid, userid } = demoContact();
    for (let i = 0; i < 4; i++) await post('edit_external_contact', userid, externalUserid);
    server.simulator.faults.set('externalcontact/get', { errorRate: 1, errcodes: [60011] });
    const before = reads();

    await server.worker.drain();

    expect(reads() - before).toBe(3);
    expect((await events()).map((e) => [e.status, Number(e.attempts)])).toEqual(Array.from({ length: 4 }, () => ['dead', 3]));
  });
});
