/**
 * Two instances reading one contact share one `externalcontact/get` (server/modules/wecom-mirror/
 * contact-reader.ts) also when the waiting instance is slow: the one holding the lease may finish
 * between the waiter's last look at the lease and its next claim. The waiter then takes the lease
 * of a read already done — it must answer from the mirror, not read WeCom again. (A loaded machine
 * made hardening-wecom-budget's "shares one read … two instances asking at once" read twice.)
 */
import { SqlKvStore, type KvStore } from '../../server/db/kv-store';
import { ContactReader } from '../../server/modules/wecom-mirror/contact-reader';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

describe.each(databaseTargets())('one contact read shared between instances on $label', (target) => {
  const { server } = useCrmServer(target);
  const contactReads = () => server.simulator.api.callCount('externalcontact/get');

  it('answers a waiter whose next claim comes only after the other instance’s read ended from the mirror, without a second read', async () => {
    const id = 'wmLATEWAITER1';
    server.simulator.state.addExternalContact(
      { external_userid: id, name: '慢实例的客户', type: 1 },
      { userid: 'rep-east-3', remark: '', description: '', add_way: 1, tag_ids: [], remark_mobiles: [] },
    );
    server.simulator.faults.set('externalcontact/get', { latencyMs: 300 });
    const shared = new SqlKvStore(server.db.sequelize);
    const lease = `wecom:contact-read:${id}`;
    const until = async (held: boolean) => {
      while (((await shared.get(lease)) !== null) !== held) await new Promise((r) => setTimeout(r, 10));
    };
    let [claims, looks] = [0, 0];
    // The slow instance: it first claims once the other holds the lease (so it waits on that read),
    // and its second look whether WeCom knows the id returns only once that lease is gone — right
    // before it claims again.
    const slow: KvStore = {
      async claim(...args) {
        if (++claims === 1) await until(true);
        return shared.claim(...args);
      },
      set: (...args) => shared.set(...args),
      delete: (key) => shared.delete(key),
      async get(key) {
        if (key.startsWith('wecom:contact-unknown:') && ++looks === 2) await until(false);
        return shared.get(key);
      },
    };
    const reader = (store: KvStore) => new ContactReader({ sequelize: server.db.sequelize, wecom: server.wecom, store });
    const before = contactReads();

    const answers = await Promise.all([reader(shared).refresh(id), reader(slow).refresh(id)]).finally(() =>
      server.simulator.faults.clear('externalcontact/get'),
    );

    expect(answers).toEqual([true, true]);
    expect(contactReads() - before).toBe(1);
    expect(await shared.get(lease)).toBeNull();
  });
});
