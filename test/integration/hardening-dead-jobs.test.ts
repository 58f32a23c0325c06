/**
 * Nothing waits forever after a WeCom outage (issue 29, hardening): when `transfer_customer` fails
 * long enough for the submit job to die, its transfers become failed (`interrupted`) with the
 * reason in Chinese, the customer may be handed over again, the manager's retry completes it once
 * WeCom is back — and the admin sees dead jobs of every kind and retries them. Every test here
 * failed on the code before the fix.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { JobView } from '@shared/jobs';
import type { TransferBatchView, TransferView } from '@shared/transfers';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';

describe.each(databaseTargets())('dead jobs on $label', (target) => {
  const { server, api } = useCrmServer(target, {
    simulator: { transfers: { objectionMs: 200 } },
    // The outage runs a job through every attempt, each call retried by the client with backoff:
    // real sleeps (13 s of the 30 s a test has, alone on a quiet machine), skipped here; the
    // job's own backoff is skipped by runJobs.
    wecomClient: { sleep: () => Promise.resolve() },
    settings: { autoCreateLeads: false },
  });
  let seq = 0;
  const sim = () => server.simulator;
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** The queued jobs run now (backoffs skipped), until none is due. */
  const runJobs = async () => {
    await server.db.sequelize.query("UPDATE jobs SET run_at = ? WHERE status = 'queued'", { replacements: [new Date(Date.now() - 1000)] });
    await server.services.jobs.drain();
  };
  /** WeCom's 在职继承 answers 系统繁忙 (-1) to every call until `outageOver`. */
  const outage = () => sim().faults.set('externalcontact/transfer_customer', { errorRate: 1, errcodes: [-1] });
  const outageOver = () => sim().faults.clear();
  /** Runs the jobs through every retry the submit job has (10 attempts): it dies. */
  const runThroughOutage = async () => {
    for (let i = 0; i < 10; i++) await runJobs();
  };

  /** A customer of rep-east-1 whose WeCom contact rep-east-1 follows, linked by phone. */
  const linkedCustomer = async (name: string) => {
    const phone = `1391200${String(++seq).padStart(4, '0')}`;
    const c = await api.send<CustomerView>('mgr-east', 'POST', '/api/customers', {
      type: 'individual',
      name,
      phone,
      ownerUserId: await api.userId('rep-east-1'),
    });
    const externalUserid = `wmDEAD${String(seq).padStart(4, '0')}`;
    sim().state.addExternalContact(
      { external_userid: externalUserid, name: `${name}的微信`, type: 1 },
      { userid: 'rep-east-1', remark: name, description: '', add_way: 1, tag_ids: [], remark_mobiles: [phone] },
    );
    await deliverCallbacks(server);
    return { customer: c, externalUserid };
  };
  const transfer = async (customerIds: number[], to: string) =>
    api.send<TransferBatchView>('mgr-east', 'POST', '/api/transfers', { customerIds, toUserId: await api.userId(to) }, 200);
  const rowsOf = async (customerId: number) => api.get<{ items: TransferView[] }>('mgr-east', `/api/customers/${customerId}/transfers`).then((r) => r.items);
  const followers = (externalUserid: string) =>
    sim()
      .state.externalContacts.get(externalUserid)!
      .follows.map((f) => f.userid);

  /** A customer handed from rep-east-1 to rep-east-3 while WeCom was down long enough for the submit job to die (its own batch). */
  const transferDiedInOutage = async (name: string) => {
    const linked = await linkedCustomer(name);
    outage();
    const batch = await transfer([linked.customer.id], 'rep-east-3');
    await runThroughOutage();
    outageOver();
    return { ...linked, batch };
  };

  afterEach(() => outageOver());

  describe('a submit job that died in a WeCom outage', () => {
    /** Three customers handed over in one request while WeCom was down: one death, a customer per test that changes something. */
    let handed: { customer: CustomerView; externalUserid: string }[];
    beforeAll(async () => {
      handed = [await linkedCustomer('停摆转接甲'), await linkedCustomer('停摆转接乙'), await linkedCustomer('停摆转接丙')];
      outage();
      await transfer(
        handed.map((h) => h.customer.id),
        'rep-east-3',
      );
      await runThroughOutage();
      outageOver();
    });

    it('fails its transfers with the reason in Chinese, for the manager to decide', async () => {
      const [row] = await rowsOf(handed[0]!.customer.id);

      expect(row).toMatchObject({ status: 'interrupted', resolution: null });
      expect(row!.reason).toMatch(/^企业微信系统繁忙，多次重试仍未成功/);
      expect(row!.reason).not.toMatch(/[A-Za-z]/);
    });

    it('lists them among the failures the 客户转接 page offers to retry', async () => {
      const failed = await api.get<{ items: TransferView[] }>('mgr-east', '/api/transfers?status=failed');

      expect(failed.items.filter((t) => t.customer?.id === handed[0]!.customer.id).map((t) => t.status)).toEqual(['interrupted']);
    });

    it('tells the manager who asked that they were interrupted', async () => {
      const [card] = await query<{ description: string }>(
        "SELECT description FROM notifications WHERE kind = 'transfer_failed' AND user_id = ? ORDER BY id DESC LIMIT 1",
        [await api.userId('mgr-east')],
      );

      expect(card!.description).toContain(`${handed[0]!.customer.name}：企业微信调用中断`);
    });

    it('shows the admin the dead job, what it does and why it failed, in Chinese', async () => {
      const dead = await api.get<PageOf<JobView>>('admin', '/api/admin/jobs?status=dead');

      expect(dead.items[0]).toMatchObject({ kind: 'transfer.submit', kindLabel: '提交客户转接', status: 'dead', attempts: 10 });
      expect(dead.items[0]!.lastError).toMatch(/^企业微信系统繁忙/);
    });

    it('counts the jobs of each status for the admin, the dead one among them', async () => {
      const counts = await api.get<Record<string, number>>('admin', '/api/admin/jobs/stats');
      const dead = await api.get<PageOf<JobView>>('admin', '/api/admin/jobs?status=dead');

      expect(Object.keys(counts).sort()).toEqual(['dead', 'done', 'queued', 'running']);
      expect(counts.dead).toBe(dead.total);
    });

    it('no longer refuses a new transfer of the customer with 正在转接中', async () => {
      const res = await (
        await api.as('mgr-east')
      ).json('/api/transfers', 'POST', { customerIds: [handed[1]!.customer.id], toUserId: await api.userId('rep-east-2') });

      expect(res.status).toBe(200);
      await runJobs();
    });

    it('completes the transfer when the manager retries it after WeCom is back', async () => {
      const { customer, externalUserid } = handed[2]!;
      const [interrupted] = await rowsOf(customer.id);

      await api.send('mgr-east', 'POST', `/api/transfers/${interrupted!.id}/resolve`, { action: 'retry' }, 200);
      await runJobs();
      await sleep(300); // the customer's objection window (compressed) passes
      await runJobs();
      await deliverCallbacks(server);

      expect((await rowsOf(customer.id))[0]).toMatchObject({ status: 'done', to: { name: '赵敏' } });
      expect(followers(externalUserid)).toEqual(['rep-east-3']);
    });
  });

  describe('a poll that died in a WeCom outage', () => {
    /** A customer WeCom is taking over (等待接替) when transfer_result starts failing for the poll's 20 attempts. */
    const pollDiedInOutage = async (name: string) => {
      sim().transfers.settings.objectionMs = 60_000;
      const linked = await linkedCustomer(name);
      await transfer([linked.customer.id], 'rep-east-3');
      await runJobs(); // submitted: waiting, its poll queued
      sim().faults.set('externalcontact/transfer_result', { errorRate: 1, errcodes: [-1] });
      for (let i = 0; i < 20; i++) await runJobs();
      outageOver();
      sim().transfers.settings.objectionMs = 200;
      return linked;
    };

    it('fails the waiting transfer with the reason, and a manager’s retry once WeCom is back completes it', async () => {
      const { customer, externalUserid } = await pollDiedInOutage('停摆查询');
      const [interrupted] = await rowsOf(customer.id);

      await api.send('mgr-east', 'POST', `/api/transfers/${interrupted!.id}/resolve`, { action: 'retry' }, 200);
      await runJobs(); // WeCom answers 40129 (already in flight): waiting again, polled
      // The customer's 24 h pass: WeCom moves the relation.
      for (const t of sim().transfers.transfers.filter((x) => x.externalUserid === externalUserid)) t.takeoverAt = Date.now();
      sim().transfers.settle();
      await runJobs();
      await deliverCallbacks(server);

      expect(interrupted).toMatchObject({ status: 'interrupted' });
      expect(interrupted!.reason).toMatch(/^企业微信系统繁忙，多次重试仍未成功/);
      expect((await rowsOf(customer.id))[0]).toMatchObject({ status: 'done' });
      expect(followers(externalUserid)).toEqual(['rep-east-3']);
    });
  });

  describe('the admin', () => {
    it('retries a dead job: its interrupted transfers are queued again and complete', async () => {
      const { customer, externalUserid, batch } = await transferDiedInOutage('管理员重试');
      const dead = (await api.get<PageOf<JobView>>('admin', '/api/admin/jobs?status=dead')).items;
      const [submit] = await query<{ id: number }>("SELECT id FROM jobs WHERE kind = 'transfer.submit' AND payload LIKE ?", [`%${batch.batchId}%`]);
      const job = dead.find((j) => j.id === Number(submit!.id));

      const retried = await api.send<JobView>('admin', 'POST', `/api/admin/jobs/${job!.id}/retry`, {}, 200);
      const requeued = (await rowsOf(customer.id))[0];
      await runJobs();
      await sleep(300);
      await runJobs();
      await deliverCallbacks(server);

      expect(retried).toMatchObject({ id: job!.id, status: 'queued', attempts: 0 });
      expect(requeued).toMatchObject({ status: 'queued', reason: null });
      expect((await rowsOf(customer.id))[0]).toMatchObject({ status: 'done' });
      expect(followers(externalUserid)).toEqual(['rep-east-3']);
    });

    it('refuses to retry a job that is not dead, in Chinese', async () => {
      const { customer } = await linkedCustomer('未失败的任务');
      await transfer([customer.id], 'rep-east-3');
      const [job] = (await api.get<PageOf<JobView>>('admin', '/api/admin/jobs?status=queued')).items;

      const res = await (await api.as('admin')).json(`/api/admin/jobs/${job!.id}/retry`, 'POST', {});

      expect(res.status).toBe(409);
      expect((await errorOf(res)).message).toBe('只有失败的任务可以重试，这个任务正在排队');
      await runJobs();
    });

    it('is the only one who sees the jobs', async () => {
      const res = await (await api.as('rep-east-1')).fetch('/api/admin/jobs');

      expect(res.status).toBe(403);
    });
  });
});
