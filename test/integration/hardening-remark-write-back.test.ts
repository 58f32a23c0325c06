/**
 * Write-backs to WeCom are ordered (issue 29, hardening): a customer's phone edits reach the
 * owner's remark mobiles one at a time and in order, the CRM's phone as it is when the write-back
 * runs wins, the numbers the CRM wrote before and no longer holds come out, and the numbers a rep
 * typed in WeCom stay. `externalcontact/remark` replaces the whole list with what it is sent
 * (developer.work.weixin.qq.com/document/path/96317), so two write-backs side by side overwrite
 * each other. Every test here failed on the code before the fix.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { deliverCallbacks } from '../helpers/server';

describe.each(databaseTargets())('remark write-back order on $label', (target) => {
  const { server, api } = useCrmServer(target, { settings: { autoCreateLeads: false, remarkWriteBack: true } });
  let seq = 0;
  const sim = () => server.simulator;
  const REP_OWN = '13700007777';

  /** Every queued write-back runs now, as the worker would, until none is due. */
  const runJobs = () => server.services.jobs.drain();
  const remarkMobiles = (externalUserid: string) => sim().state.requireFollow(externalUserid, 'rep-east-1').remark_mobiles;
  const phone = (n: number) => `1398800${String(n).padStart(4, '0')}`;

  /** A customer of rep-east-1 linked to their contact, whose remark mobiles hold the phone and a number of the rep's own. */
  const linkedCustomer = async (name: string) => {
    const first = phone(++seq * 10);
    const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name, phone: first });
    const externalUserid = `wmORDER${String(seq).padStart(4, '0')}`;
    sim().state.addExternalContact(
      { external_userid: externalUserid, name, type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [], remark_mobiles: [first, REP_OWN] },
    );
    await deliverCallbacks(server);
    await runJobs();
    return { customer: await api.get<CustomerView>('rep-east-1', `/api/customers/${c.id}`), externalUserid, first };
  };
  /** A phone edit through the API (not yet written back). */
  const editPhone = async (customer: CustomerView, to: string) =>
    api.send<CustomerView>('rep-east-1', 'PATCH', `/api/customers/${customer.id}`, { phone: to, version: customer.version }, 200);

  afterEach(() => sim().faults.clear());

  it('leaves only the latest of three quick phone edits (and the rep’s own number) in the remark mobiles', async () => {
    const { customer, externalUserid } = await linkedCustomer('三次改号');
    // WeCom answering slowly (as under load) widens the window in which write-backs side by side overwrite each other.
    sim().faults.set('externalcontact/remark', { latencyMs: 150 });

    let c = await editPhone(customer, phone(seq * 10 + 1));
    c = await editPhone(c, phone(seq * 10 + 2));
    await editPhone(c, phone(seq * 10 + 3));
    await runJobs();

    expect(remarkMobiles(externalUserid)).toEqual([phone(seq * 10 + 3), REP_OWN]);
  });

  it('runs one customer’s write-backs one at a time, never side by side', async () => {
    const { customer } = await linkedCustomer('依次回写');
    let c = await editPhone(customer, phone(seq * 10 + 1));
    c = await editPhone(c, phone(seq * 10 + 2));
    await editPhone(c, phone(seq * 10 + 3));
    // Each write-back first reads the relation from WeCom; slow reads would overlap if two ran at once.
    sim().faults.set('externalcontact/get', { latencyMs: 100 });
    const read = server.wecom.getExternalContact.bind(server.wecom);
    let reading = 0;
    let mostAtOnce = 0;
    const spy = jest.spyOn(server.wecom, 'getExternalContact').mockImplementation(async (...args) => {
      mostAtOnce = Math.max(mostAtOnce, ++reading);
      try {
        return await read(...args);
      } finally {
        reading--;
      }
    });

    try {
      await runJobs();
    } finally {
      spy.mockRestore();
    }

    expect(mostAtOnce).toBe(1);
  });

  it('takes out a number the CRM wrote earlier even when the edit that replaced it was never written back', async () => {
    const { customer, externalUserid } = await linkedCustomer('漏写的旧号');
    let c = await editPhone(customer, phone(seq * 10 + 1));
    await runJobs(); // the CRM writes the first new number
    await api.send('admin', 'PATCH', '/api/admin/settings', { remarkWriteBack: false }, 200);
    c = await editPhone(c, phone(seq * 10 + 2));
    await runJobs(); // switched off: not written
    await api.send('admin', 'PATCH', '/api/admin/settings', { remarkWriteBack: true }, 200);

    await editPhone(c, phone(seq * 10 + 3));
    await runJobs();

    expect(remarkMobiles(externalUserid)).toEqual([phone(seq * 10 + 3), REP_OWN]);
  });

  it('keeps a number the rep typed into the remark mobiles after the CRM last wrote them', async () => {
    const { customer, externalUserid } = await linkedCustomer('销售手填号码');
    const c = await editPhone(customer, phone(seq * 10 + 1));
    await runJobs();
    // The rep adds a number in the WeCom client (WeCom sends no callback for a mobile-only edit, 96361).
    sim().state.editFollow(externalUserid, 'rep-east-1', { remark_mobiles: [...remarkMobiles(externalUserid)!, '13600006666'] });

    await editPhone(c, phone(seq * 10 + 2));
    await runJobs();

    expect(remarkMobiles(externalUserid)).toEqual([phone(seq * 10 + 2), REP_OWN, '13600006666']);
  });

  it('remembers per relation which numbers the CRM wrote', async () => {
    const { customer, externalUserid } = await linkedCustomer('记住写入的号码');

    await editPhone(customer, phone(seq * 10 + 1));
    await runJobs();

    expect(
      await server.db.sequelize.query('SELECT userid, mobiles FROM crm_remark_mobiles WHERE external_userid = ?', {
        replacements: [externalUserid],
        type: QueryTypes.SELECT,
      }),
    ).toEqual([{ userid: 'rep-east-1', mobiles: JSON.stringify([phone(seq * 10 + 1)]) }]);
  });
});
