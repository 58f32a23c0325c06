/**
 * 客户继承 end to end against the simulator: the CRM owner moves at once, WeCom moves the relation
 * after the customer's objection window (compressed), and every outcome — 接替完毕, 客户拒绝, 接替成员
 * 客户达到上限, the 90-day rule — is shown per customer and left for the manager to decide.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { SidebarCard } from '@shared/sidebar';
import type { TransferBatchView, TransferView, UnassignedQueue } from '@shared/transfers';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';

describe.each(databaseTargets())('customer transfers on $label', (target) => {
  const { server, api } = useCrmServer(target, { simulator: { transfers: { objectionMs: 200 } }, settings: { autoCreateLeads: false } });
  let seq = 0;
  const sim = () => server.simulator;
  const settle = () => deliverCallbacks(server);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

  /** The jobs queued so far run now (a poll planned for later is brought forward), until none is due. */
  const runJobs = async () => {
    await server.db.sequelize.query("UPDATE jobs SET run_at = ? WHERE status = 'queued'", { replacements: [new Date(Date.now() - 1000)] });
    await server.services.jobs.drain();
  };

  /** A customer of `owner` whose WeCom contact `owner` follows, linked by phone. */
  const linkedCustomer = async (owner: string, name: string) => {
    const phone = `1391000${String(++seq).padStart(4, '0')}`;
    const c = await api.send<CustomerView>('mgr-east', 'POST', '/api/customers', { type: 'individual', name, phone, ownerUserId: await api.userId(owner) });
    const externalUserid = `wmXFER${String(seq).padStart(4, '0')}`;
    sim().state.addExternalContact(
      { external_userid: externalUserid, name: `${name}的微信`, type: 1 },
      { userid: owner, remark: name, description: '', add_way: 1, tag_ids: [], remark_mobiles: [phone] },
    );
    await settle();
    return { customer: c, externalUserid };
  };

  const transfer = async (by: string, customerIds: number[], to: string, message?: string) =>
    api.send<TransferBatchView>(by, 'POST', '/api/transfers', { customerIds, toUserId: await api.userId(to), message }, 200);
  const rowsOf = async (customerId: number) => api.get<{ items: TransferView[] }>('mgr-east', `/api/customers/${customerId}/transfers`).then((r) => r.items);
  const followers = (externalUserid: string) =>
    sim()
      .state.externalContacts.get(externalUserid)!
      .follows.map((f) => f.userid);
  /** A customer of rep-east-1 handed to rep-east-3, who refused it in WeCom (暂不添加): its refused row. */
  const refusedTransfer = async (name: string) => {
    sim().transfers.settings.objectionMs = 60_000;
    const { customer, externalUserid } = await linkedCustomer('rep-east-1', name);
    await transfer('mgr-east', [customer.id], 'rep-east-3');
    await runJobs();
    sim().transfers.refuse(externalUserid);
    await settle();
    await runJobs();
    const [refused] = await rowsOf(customer.id);
    return { customer, externalUserid, refused };
  };
  const card = (userid: string, externalUserid: string) => api.get<SidebarCard>(userid, `/api/sidebar/external-contacts/${externalUserid}`);

  beforeEach(() => {
    sim().transfers.settings.objectionMs = 200;
    sim().transfers.settings.maxCustomersPerMember = 50_000;
  });

  it('moves the CRM owner at once and the WeCom relation after the objection window, with the transfer message', async () => {
    const { customer, externalUserid } = await linkedCustomer('rep-east-1', '继承甲');

    const batch = await transfer('mgr-east', [customer.id], 'rep-east-3', '您好，之后由赵敏为您服务');
    const owner = await api.get<CustomerView>('mgr-east', `/api/customers/${customer.id}`);
    await runJobs();
    const asked = sim().transfers.transfers.find((t) => t.externalUserid === externalUserid);
    await sleep(300);
    await runJobs();
    await settle();

    expect(batch.items.map((i) => i.status)).toEqual(['queued']);
    expect(owner.owner.name).toBe('赵敏');
    expect(asked).toMatchObject({ kind: 'onjob', handover: 'rep-east-1', takeover: 'rep-east-3', message: '您好，之后由赵敏为您服务' });
    expect((await rowsOf(customer.id))[0]).toMatchObject({ status: 'done', from: { name: '李娜' }, to: { name: '赵敏' } });
    expect(followers(externalUserid)).toEqual(['rep-east-3']);
  });

  it('mirrors the handover: the old relation ends as transferred, not as a lost customer', async () => {
    const { customer, externalUserid } = await linkedCustomer('rep-east-1', '继承镜像');

    await transfer('mgr-east', [customer.id], 'rep-east-3');
    await runJobs();
    await sleep(300);
    await runJobs();
    await settle();
    const relations = await query<{ userid: string; deleted_at: Date | null; delete_reason: string | null }>(
      'SELECT userid, deleted_at, delete_reason FROM wecom_follow_relations WHERE external_userid = ? ORDER BY userid',
      [externalUserid],
    );
    const lost = await query('SELECT 1 AS x FROM customer_wecom_link_events WHERE external_userid = ? AND event = ?', [externalUserid, 'lost']);

    expect(relations.map((r) => [r.userid, r.deleted_at === null, r.delete_reason])).toEqual([
      ['rep-east-1', false, 'transferred'],
      ['rep-east-3', true, null],
    ]);
    expect(lost).toEqual([]);
  });

  it('gives the new owner the full card while WeCom still waits, and the old owner a limited one', async () => {
    sim().transfers.settings.objectionMs = 60_000;
    const { customer, externalUserid } = await linkedCustomer('rep-east-1', '继承名片');

    await transfer('mgr-east', [customer.id], 'rep-east-3');
    await runJobs();
    const newOwner = await card('rep-east-3', externalUserid);
    const oldOwner = await card('rep-east-1', externalUserid);

    expect(newOwner.viewer).toBe('owner');
    expect(newOwner.customer?.access).toBe('full');
    expect(newOwner.transfer).toMatchObject({ status: 'waiting', from: '李娜', to: '赵敏' });
    expect(oldOwner.viewer).toBe('follower');
    expect(oldOwner.customer?.access).toBe('limited');
  });

  it('shows a refusal per customer, keeps the CRM owner as it is and tells the manager', async () => {
    sim().transfers.settings.objectionMs = 60_000;
    const { customer, externalUserid } = await linkedCustomer('rep-east-1', '继承拒绝');

    await transfer('mgr-east', [customer.id], 'rep-east-3');
    await runJobs();
    sim().transfers.refuse(externalUserid); // the customer taps 暂不添加: WeCom sends transfer_fail
    await settle();
    await runJobs();
    const [row] = await rowsOf(customer.id);
    const owner = await api.get<CustomerView>('mgr-east', `/api/customers/${customer.id}`);
    const notices = await query<{ user_id: number; title: string; description: string }>(
      "SELECT user_id, title, description FROM notifications WHERE kind = 'transfer_failed' AND description LIKE ?",
      ['%继承拒绝%'],
    );

    expect(row).toMatchObject({ status: 'refused', resolution: null });
    expect(owner.owner.name).toBe('赵敏');
    expect(followers(externalUserid)).toEqual(['rep-east-1']);
    expect(notices.map((n) => Number(n.user_id))).toEqual([await api.userId('mgr-east')]);
    expect(notices[0]!.description).toContain('客户拒绝');
  });

  it('lets the manager hand a refused customer back to the old owner: only the CRM owner moves', async () => {
    const { customer, refused } = await refusedTransfer('继承改派');

    const { items } = await api.send<{ items: TransferView[] }>(
      'mgr-east',
      'POST',
      `/api/transfers/${refused!.id}/resolve`,
      { action: 'reassign', toUserId: await api.userId('rep-east-1') },
      200,
    );
    const owner = await api.get<CustomerView>('mgr-east', `/api/customers/${customer.id}`);
    const rows = await rowsOf(customer.id);

    expect(items.map((i) => i.status)).toEqual(['crm_only']);
    expect(owner.owner.name).toBe('李娜');
    expect(rows.find((r) => r.id === refused!.id)?.resolution).toBe('reassigned');
  });

  it('retries a refused transfer when the manager asks, and refuses a second decision on it', async () => {
    const { customer, refused } = await refusedTransfer('继承重试');

    await api.send('mgr-east', 'POST', `/api/transfers/${refused!.id}/resolve`, { action: 'retry' }, 200);
    await runJobs();
    const again = await (await api.as('mgr-east')).json(`/api/transfers/${refused!.id}/resolve`, 'POST', { action: 'keep' });
    const [latest] = await rowsOf(customer.id);

    expect(latest).toMatchObject({ status: 'waiting', to: { name: '赵敏' } });
    expect(again.status).toBe(409);
  });

  it('reports 接替成员客户达到上限 per customer when the takeover member is full', async () => {
    sim().transfers.settings.maxCustomersPerMember = 1;
    const a = await linkedCustomer('rep-east-1', '继承上限甲');
    const b = await linkedCustomer('rep-east-1', '继承上限乙');

    await transfer('mgr-east', [a.customer.id, b.customer.id], 'rep-east-3');
    await runJobs();
    await sleep(300);
    await runJobs();
    const statuses = [(await rowsOf(a.customer.id))[0]!.status, (await rowsOf(b.customer.id))[0]!.status];

    expect(statuses).toEqual(['limit', 'limit']);
    expect(followers(a.externalUserid)).toEqual(['rep-east-1']);
  });

  it('refuses a third transfer of the same customer within 90 days, saying why', async () => {
    const { customer } = await linkedCustomer('rep-east-1', '继承频繁');
    for (const to of ['rep-east-2', 'rep-east-1']) {
      await transfer('mgr-east', [customer.id], to);
      await runJobs();
      await sleep(300);
      await runJobs();
      await settle();
    }

    await transfer('mgr-east', [customer.id], 'rep-east-3');
    await runJobs();
    const [third] = await rowsOf(customer.id);

    expect(third).toMatchObject({ status: 'rejected', reason: '该客户 90 天内已被转接 2 次，暂不能再转接' });
  });

  it('refuses to start a second transfer of a contact whose first one is still waiting (409)', async () => {
    sim().transfers.settings.objectionMs = 60_000;
    const { customer } = await linkedCustomer('rep-east-1', '继承并发');
    await transfer('mgr-east', [customer.id], 'rep-east-3');

    const res = await (await api.as('mgr-east')).json('/api/transfers', 'POST', { customerIds: [customer.id], toUserId: await api.userId('rep-east-2') });

    expect(res.status).toBe(409);
    expect((await api.get<CustomerView>('mgr-east', `/api/customers/${customer.id}`)).owner.name).toBe('赵敏');
  });

  it('moves only the CRM owner of a customer without a WeCom relation of the old owner', async () => {
    const c = await api.send<CustomerView>('mgr-east', 'POST', '/api/customers', {
      type: 'individual',
      name: '继承无好友',
      ownerUserId: await api.userId('rep-east-1'),
    });

    const batch = await transfer('mgr-east', [c.id], 'rep-east-2');

    expect(batch.items).toMatchObject([{ subject: 'crm', status: 'crm_only' }]);
  });

  it('asks WeCom for at most 100 customers a call when a whole book moves', async () => {
    sim().state.createUser({ userid: 'rep-big-1', name: '大客户经理', department: [2], status: 1 });
    await settle();
    for (let i = 0; i < 150; i++) {
      sim().state.addExternalContact(
        { external_userid: `wmBOOK${String(i).padStart(4, '0')}`, name: `书客户${i}`, type: 1 },
        { userid: 'rep-big-1', remark: '', description: '', add_way: 1, tag_ids: [] },
      );
    }
    await settle();
    await runJobs();
    const before = sim().api.callCount('externalcontact/transfer_customer');

    const batch = await api.send<TransferBatchView>(
      'mgr-east',
      'POST',
      '/api/transfers/book',
      { fromUserId: await api.userId('rep-big-1'), toUserId: await api.userId('rep-east-2') },
      200,
    );
    await runJobs();

    expect(batch.contacts).toBe(150);
    expect(sim().api.callCount('externalcontact/transfer_customer') - before).toBe(2);
    expect(sim().transfers.transfers.filter((t) => t.handover === 'rep-big-1')).toHaveLength(150);
  });

  it('assigns a departed rep’s whole book in bulk: customers, other contacts and groups all reach the successor', async () => {
    sim().state.createUser({ userid: 'rep-gone-1', name: '离职顾问', department: [2], status: 1 });
    await settle();
    const { customer, externalUserid } = await linkedCustomer('rep-gone-1', '离职客户');
    sim().state.addExternalContact(
      { external_userid: 'wmGONE0001', name: '未建档好友', type: 1 },
      { userid: 'rep-gone-1', remark: '', description: '', add_way: 1, tag_ids: [] },
    );
    sim().state.createGroupChat({ chat_id: 'wrGONE0001', name: '离职顾问的客户群', owner: 'rep-gone-1', create_time: 1_700_000_000, member_list: [] });
    await settle();
    sim().state.deleteUser('rep-gone-1');
    await settle();

    const queue = await api.get<UnassignedQueue>('mgr-east', '/api/transfers/unassigned');
    const book = queue.books.find((b) => b.user.wecomUserId === 'rep-gone-1');
    await api.send('mgr-east', 'POST', '/api/transfers/book', { fromUserId: book!.user.id, toUserId: await api.userId('rep-east-2') }, 200);
    await runJobs();
    await sleep(300);
    await runJobs();
    const after = await api.get<UnassignedQueue>('mgr-east', '/api/transfers/unassigned');

    expect(book).toMatchObject({
      customers: [{ id: customer.id }],
      contacts: [{ externalUserId: 'wmGONE0001', name: '未建档好友' }],
      groupChats: [{ chatId: 'wrGONE0001' }],
    });
    expect(queue.wecomNote).toBeNull();
    expect(followers(externalUserid)).toEqual(['rep-east-2']);
    expect(followers('wmGONE0001')).toEqual(['rep-east-2']);
    expect(sim().state.groupChats.get('wrGONE0001')!.owner).toBe('rep-east-2');
    expect((await rowsOf(customer.id))[0]).toMatchObject({ kind: 'resigned', status: 'done' });
    expect(after.books.find((b) => b.user.wecomUserId === 'rep-gone-1')).toBeUndefined();
  });

  it('does not let a rep transfer, nor read the transfer list', async () => {
    const res = await (await api.as('rep-east-1')).fetch('/api/transfers');

    expect(res.status).toBe(403);
  });

  it('refuses a book transfer from a member outside the caller’s scope like one who does not exist', async () => {
    const res = await (
      await api.as('mgr-east')
    ).json('/api/transfers/book', 'POST', {
      fromUserId: await api.userId('rep-south-1'),
      toUserId: await api.userId('rep-east-2'),
    });

    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe('请求参数不正确');
  });
});
