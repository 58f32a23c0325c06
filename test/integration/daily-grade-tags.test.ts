/**
 * One customer grade (issue 36): the CRM's 客户等级 drives the WeCom corp tag group 「客户等级」. A
 * change of level puts the group's tag naming it on every live relation of the customer's contacts
 * and takes the group's other tags off (mark_tag, 92118), as a job: WeCom failing never fails the save.
 * The simulator's demo corp names the group's tags 高净值 / 普通客户 / 潜在客户; the dictionary's
 * levels are 高净值 / 重要 / 普通 / 潜在.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import { gradeTagChange } from '../../server/modules/engagement/grade';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { deliverCallbacks } from '../helpers/server';

const GROUP = [
  { id: 'vip', name: '高净值' },
  { id: 'normal', name: '普通客户' },
];

describe('the grade tag a relation must change to', () => {
  it('adds the tag naming the level and removes the group’s other tag', () => {
    expect(gradeTagChange('普通', GROUP, ['vip', 'other'])).toEqual({ add: ['normal'], remove: ['vip'] });
  });

  it('changes nothing when the relation already holds only the level’s tag', () => {
    expect(gradeTagChange('高净值', GROUP, ['vip', 'other'])).toBeNull();
  });

  it('removes every tag of the group for a level no tag names, and for no level', () => {
    expect(gradeTagChange('重要', GROUP, ['vip', 'normal'])).toEqual({ add: [], remove: ['vip', 'normal'] });
    expect(gradeTagChange(null, GROUP, ['normal'])).toEqual({ add: [], remove: ['normal'] });
  });
});

describe.each(databaseTargets())('客户等级 drives the WeCom tag on $label', (target) => {
  const { server, api } = useCrmServer(target, {
    syncExternalContacts: true,
    settings: { autoCreateLeads: false },
    wecomClient: { sleep: () => Promise.resolve() },
  });
  let seq = 0;
  const sim = () => server.simulator;
  /** The queued jobs run now (backoffs skipped), until none is due. */
  const runJobs = async () => {
    await server.db.sequelize.query("UPDATE jobs SET run_at = ? WHERE status = 'queued'", { replacements: [new Date(Date.now() - 1000)] });
    await server.services.jobs.drain();
  };
  const tagsOf = (externalUserid: string, userid = 'rep-east-1') => [...sim().state.requireFollow(externalUserid, userid).tag_ids].sort();

  /** A customer of rep-east-1 linked by phone to a contact rep-east-1 follows (holding `tagIds`). */
  const linkedCustomer = async (name: string, tagIds: string[] = []) => {
    const phone = `1397300${String(++seq).padStart(4, '0')}`;
    const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name, phone });
    const externalUserid = `wmGRADE${String(seq).padStart(4, '0')}`;
    sim().state.addExternalContact(
      { external_userid: externalUserid, name, type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: tagIds, remark_mobiles: [phone] },
    );
    await deliverCallbacks(server);
    await runJobs();
    return { customer: await api.get<CustomerView>('rep-east-1', `/api/customers/${c.id}`), externalUserid };
  };
  const setLevel = (customer: CustomerView, level: string | null) =>
    api.send<CustomerView>('rep-east-1', 'PATCH', `/api/customers/${customer.id}`, { level, version: customer.version }, 200);

  afterEach(() => sim().faults.clear());

  it('tags the customer’s contact with the level’s tag once the level is saved, in WeCom and in the mirror', async () => {
    const { customer, externalUserid } = await linkedCustomer('设为高净值');

    await setLevel(customer, 'vip');
    await runJobs();

    expect(tagsOf(externalUserid)).toEqual(['et-level-vip']);
    const shown = await api.get<{ items: { name: string }[] }>('rep-east-1', `/api/customers/${customer.id}/tags`);
    expect(shown.items.map((t) => t.name)).toEqual(['高净值']);
  });

  it('swaps the grade tag when the level changes, leaving the other groups’ tags', async () => {
    const { customer, externalUserid } = await linkedCustomer('改等级', ['et-level-vip', 'et-prod-fund']);

    await setLevel(customer, 'normal');
    await runJobs();

    expect(tagsOf(externalUserid)).toEqual(['et-level-normal', 'et-prod-fund']);
  });

  it('takes the grade tags off for a level no tag names, and for a cleared level', async () => {
    const { customer, externalUserid } = await linkedCustomer('重要客户', ['et-level-potential']);

    const important = await setLevel(customer, 'important');
    await runJobs();
    expect(tagsOf(externalUserid)).toEqual([]);

    await setLevel(important, 'vip');
    await runJobs();
    const vip = await api.get<CustomerView>('rep-east-1', `/api/customers/${customer.id}`);
    await setLevel(vip, null);
    await runJobs();
    expect(tagsOf(externalUserid)).toEqual([]);
  });

  it('tags every colleague’s relation to the contact, not only the owner’s', async () => {
    const { customer, externalUserid } = await linkedCustomer('两位跟进人');
    sim().state.addExternalContact(
      { external_userid: externalUserid, name: '两位跟进人', type: 1 },
      { userid: 'rep-east-2', remark: '', description: '', add_way: 1, tag_ids: ['et-level-normal'] },
    );
    await deliverCallbacks(server);
    await runJobs();

    await setLevel(customer, 'potential');
    await runJobs();

    expect(tagsOf(externalUserid)).toEqual(['et-level-potential']);
    expect(tagsOf(externalUserid, 'rep-east-2')).toEqual(['et-level-potential']);
  });

  it('saves the level while WeCom refuses, and tags the contact once WeCom answers again', async () => {
    const { customer, externalUserid } = await linkedCustomer('企业微信繁忙');
    sim().faults.set('externalcontact/mark_tag', { errorRate: 1, errcodes: [-1] });

    const saved = await setLevel(customer, 'vip');
    await runJobs();

    expect(saved.level).toBe('vip');
    expect(tagsOf(externalUserid)).toEqual([]);
    const [job] = await server.db.sequelize.query<{ status: string }>("SELECT status FROM jobs WHERE kind = 'customer.level_changed' ORDER BY id DESC", {
      type: QueryTypes.SELECT,
    });
    expect(job!.status).toBe('queued');

    sim().faults.clear();
    await runJobs();
    expect(tagsOf(externalUserid)).toEqual(['et-level-vip']);
  });

  /** rep-east-1's count of WeCom calls in the current minute (wecom/budget.ts), and its row's key. */
  const repBudget = async () => {
    const [row] = await server.db.sequelize.query<{ limit_key: string; points: number }>(
      `SELECT r.limit_key, r.points FROM rate_limit_points r
         JOIN users u ON r.limit_key LIKE CONCAT('%:person:user:', u.id) WHERE u.wecom_userid = 'rep-east-1'`,
      { type: QueryTypes.SELECT },
    );
    return row ? { key: row.limit_key, points: Number(row.points) } : undefined;
  };

  it('charges the grade tag’s WeCom calls to the rep who set the level, as their own requests are', async () => {
    const { customer, externalUserid } = await linkedCustomer('记在本人额度');
    const before = (await repBudget())?.points ?? 0;
    const tagCalls = sim().api.callCount('externalcontact/mark_tag');

    await setLevel(customer, 'vip');
    await runJobs();

    expect(tagsOf(externalUserid)).toEqual(['et-level-vip']);
    expect(sim().api.callCount('externalcontact/mark_tag') - tagCalls).toBe(1);
    expect((await repBudget())!.points - before).toBe(1);
  });

  it('waits past the rep’s minute without spending an attempt, and tags once their minute is over', async () => {
    const { customer, externalUserid } = await linkedCustomer('额度用完');
    await setLevel(customer, 'normal');
    await runJobs();
    const { key } = (await repBudget())!;
    // The rep's minute is spent and ends in 2 s.
    await server.db.sequelize.query('UPDATE rate_limit_points SET points = 100000, expires_at = ? WHERE limit_key = ?', {
      replacements: [Date.now() + 2_000, key],
    });

    await setLevel(await api.get<CustomerView>('rep-east-1', `/api/customers/${customer.id}`), 'vip');
    await runJobs();

    expect(tagsOf(externalUserid)).toEqual(['et-level-normal']);
    const [job] = await server.db.sequelize.query<{ status: string; attempts: number; run_at: string }>(
      "SELECT status, attempts, run_at FROM jobs WHERE kind = 'customer.level_changed' ORDER BY id DESC",
      { type: QueryTypes.SELECT },
    );
    expect(job!.status).toBe('queued');
    expect(Number(job!.attempts)).toBe(0);
    expect(new Date(job!.run_at).getTime()).toBeGreaterThan(Date.now());

    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await runJobs();
    expect(tagsOf(externalUserid)).toEqual(['et-level-vip']);
  });

  it('tags a contact linked after the level was set, once matching links it', async () => {
    const phone = `1397300${String(++seq).padStart(4, '0')}`;
    const created = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '先定等级', phone });
    await setLevel(created, 'vip');
    await runJobs();
    const externalUserid = `wmGRADE${String(seq).padStart(4, '0')}`;

    sim().state.addExternalContact(
      { external_userid: externalUserid, name: '先定等级', type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [], remark_mobiles: [phone] },
    );
    await deliverCallbacks(server);
    await runJobs();

    expect(tagsOf(externalUserid)).toEqual(['et-level-vip']);
  });

  it('tags the contacts a merge moves to the kept customer with the kept customer’s level', async () => {
    const { customer: duplicate, externalUserid } = await linkedCustomer('合并前的重复客户');
    const kept = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '合并后保留' });
    await setLevel(kept, 'vip');
    await runJobs();
    expect(tagsOf(externalUserid)).toEqual([]);

    await api.send('admin', 'POST', `/api/customers/${kept.id}/merge`, { sourceIds: [duplicate.id] }, 200);
    await runJobs();

    expect(tagsOf(externalUserid)).toEqual(['et-level-vip']);
  });
});
