import { QueryTypes } from 'sequelize';
import type { CustomerView, TimelineEntry } from '@shared/customers';
import type { FieldIssue, PageOf } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { loggedIn, type Browser } from '../helpers/session';

describe.each(databaseTargets())('customers on $label', (target) => {
  const { server } = useCrmServer(target);
  const browsers = new Map<string, Browser>();
  const as = async (userid: string) => {
    if (!browsers.has(userid)) browsers.set(userid, await loggedIn(server, userid));
    return browsers.get(userid)!;
  };
  let seq = 0;
  const create = async (userid: string, body: Record<string, unknown> = {}) => {
    seq++;
    const res = await (
      await as(userid)
    ).json('/api/customers', 'POST', { type: 'individual', name: `客户${seq}`, phone: `1390000${String(seq).padStart(4, '0')}`, ...body });
    if (res.status !== 201) throw new Error(`create failed ${res.status}: ${await res.text()}`);
    return bodyOf<CustomerView>(res);
  };

  describe('create and validation', () => {
    it('creates with the creator as owner, the main department, lead stage and a normalised phone', async () => {
      const c = await create('rep-east-1', { name: '张伟', phone: '＋86 138-0013-8000', institution: '浦江投资' });

      expect(c).toMatchObject({ name: '张伟', phone: '13800138000', lifecycleStage: 'lead', status: 'active', departmentId: 2, version: 1 });
      expect(c.owner.name).toBe('李娜');
    });

    it('rejects bad fields with 400 naming each field', async () => {
      const res = await (
        await as('rep-east-1')
      ).json('/api/customers', 'POST', { type: 'individual', name: '', email: 'not-an-email', nextFollowUpAt: 'someday' });
      const fields = ((await errorOf(res)).details as FieldIssue[]).map((d) => d.field).sort();

      expect(res.status).toBe(400);
      expect(fields).toEqual(['email', 'name', 'nextFollowUpAt']);
    });

    it('rejects dictionary values that do not exist, listing the allowed codes', async () => {
      const res = await (await as('rep-east-1')).json('/api/customers', 'POST', { type: 'robot', name: '某客户', lifecycleStage: 'hot' });
      const details = (await errorOf(res)).details as (FieldIssue & { allowed: string[] })[];

      expect(res.status).toBe(400);
      expect(details.map((d) => d.field)).toEqual(['type', 'lifecycleStage']);
      expect(details[0]!.allowed).toEqual(['individual', 'institution']);
    });

    it('rejects an unparseable phone', async () => {
      const res = await (await as('rep-east-1')).json('/api/customers', 'POST', { type: 'individual', name: '电话错', phone: '138-abc' });

      expect(((await errorOf(res)).details as FieldIssue[])[0]!.field).toBe('phone');
    });
  });

  describe('duplicates', () => {
    it('treats the full-width and the +86 spelling of one phone as the same customer', async () => {
      const first = await create('rep-east-2', { name: '陈静', phone: '１３８ 0013 8001' });

      const res = await (await as('rep-east-2')).json('/api/customers', 'POST', { type: 'individual', name: '陈静（重复）', phone: '+86-138-0013-8001' });

      expect(res.status).toBe(409);
      expect((await errorOf(res)).details).toEqual({ existingId: first.id, matchedBy: 'phone' });
    });

    it('matches the same name at the same institution, and hides the id when out of scope', async () => {
      await create('rep-south-1', { name: '周明', institution: '广州天河置业有限公司', phone: null });

      const res = await (await as('rep-east-1')).json('/api/customers', 'POST', { type: 'individual', name: '周明', institution: '广州天河置业有限公司' });

      expect(res.status).toBe(409);
      expect((await errorOf(res)).details).toEqual({ existingId: null, matchedBy: 'name_institution' });
    });
  });

  describe('data scope', () => {
    // own (rep-east-1, 华东), colleague (rep-east-2, 华东), subtree (rep-east-3, 上海团队), other (rep-south-1, 华南)
    const ids: Record<string, number> = {};
    beforeAll(async () => {
      ids.own = (await create('rep-east-1', { name: '范围-本人' })).id;
      ids.colleague = (await create('rep-east-2', { name: '范围-同部门' })).id;
      ids.subtree = (await create('rep-east-3', { name: '范围-下级团队' })).id;
      ids.other = (await create('rep-south-1', { name: '范围-其他部门' })).id;
    });

    const table: [string, string[]][] = [
      ['rep-east-1', ['own']],
      ['mgr-east', ['own', 'colleague', 'subtree']],
      ['mgr-south', ['other']],
      ['admin', ['own', 'colleague', 'subtree', 'other']],
    ];

    it.each(table)('%s lists exactly %j', async (userid, visible) => {
      const page = await bodyOf<PageOf<CustomerView>>(await (await as(userid)).fetch('/api/customers?keyword=范围-&pageSize=100'));

      expect(page.items.map((c) => Object.keys(ids).find((k) => ids[k] === c.id)).sort()).toEqual([...visible].sort());
      expect(page.total).toBe(visible.length);
    });

    it.each(table)('%s reads, updates and deletes only what it sees', async (userid, visible) => {
      const browser = await as(userid);
      for (const [name, id] of Object.entries(ids)) {
        const read = await browser.fetch(`/api/customers/${id}`);
        const expected = visible.includes(name) ? 200 : 404;
        expect([name, read.status]).toEqual([name, expected]);
        if (expected === 404) {
          expect((await browser.json(`/api/customers/${id}`, 'PATCH', { version: 1, notes: 'x' })).status).toBe(404);
          expect((await browser.fetch(`/api/customers/${id}`, { method: 'DELETE' })).status).toBe(404);
        }
      }
    });
  });

  describe('editing', () => {
    it('refuses a stale version with 409 and keeps the first edit', async () => {
      const c = await create('rep-east-1', { name: '并发编辑' });
      const a = await as('rep-east-1');
      const b = await loggedIn(server, 'rep-east-1');

      const first = await a.json(`/api/customers/${c.id}`, 'PATCH', { version: 1, notes: '第一次修改' });
      const second = await b.json(`/api/customers/${c.id}`, 'PATCH', { version: 1, notes: '覆盖' });

      expect(first.status).toBe(200);
      expect(second.status).toBe(409);
      expect((await errorOf(second)).details).toEqual({ currentVersion: 2 });
      expect((await bodyOf<CustomerView>(await a.fetch(`/api/customers/${c.id}`))).notes).toBe('第一次修改');
    });

    it('refuses an edit that would duplicate another customer', async () => {
      const taken = await create('rep-east-1', { name: '号码已占用', phone: '13911112222' });
      const c = await create('rep-east-1', { name: '准备改号' });

      const res = await (await as('rep-east-1')).json(`/api/customers/${c.id}`, 'PATCH', { version: 1, phone: '139 1111 2222' });

      expect(res.status).toBe(409);
      expect((await errorOf(res)).details).toMatchObject({ existingId: taken.id, matchedBy: 'phone' });
    });

    it('filters by stage and by overdue follow-ups', async () => {
      const yesterday = new Date(Date.now() - 2 * 86_400_000).toISOString();
      const c = await create('rep-east-2', { name: '逾期跟进', lifecycleStage: 'opportunity', nextFollowUpAt: yesterday });
      const browser = await as('rep-east-2');

      const overdue = await bodyOf<PageOf<CustomerView>>(await browser.fetch('/api/customers?followUp=overdue'));
      const byStage = await bodyOf<PageOf<CustomerView>>(await browser.fetch('/api/customers?lifecycleStage=opportunity'));

      expect(overdue.items.map((x) => x.id)).toEqual([c.id]);
      expect(byStage.items.map((x) => x.id)).toEqual([c.id]);
    });

    it('transfers customers in bulk within scope, audited', async () => {
      const a = await create('rep-east-1', { name: '转移甲' });
      const b = await create('rep-east-1', { name: '转移乙' });
      const mgr = await as('mgr-east');
      const [target] = await server.db.sequelize.query<{ id: number }>("SELECT id FROM users WHERE wecom_userid = 'rep-east-3'", { type: QueryTypes.SELECT });

      const res = await mgr.json('/api/customers/transfer', 'POST', { customerIds: [a.id, b.id], toUserId: Number(target!.id) });
      const moved = await bodyOf<CustomerView>(await mgr.fetch(`/api/customers/${a.id}`));
      const [entry] = await server.db.sequelize.query<{ summary: string }>("SELECT summary FROM audit_logs WHERE action = 'customer.transfer'", {
        type: QueryTypes.SELECT,
      });

      expect((await bodyOf<{ transferred: number }>(res)).transferred).toBe(2);
      expect(moved.owner.name).toBe('赵敏');
      expect(moved.departmentId).toBe(6);
      expect(entry?.summary).toContain('转移 2 位客户');
      expect((await (await as('rep-east-1')).fetch(`/api/customers/${a.id}`)).status).toBe(404);
    });

    it('shows the handover in the customer’s timeline: from whom, to whom, by whom', async () => {
      const c = await create('rep-east-1', { name: '转移时间线' });
      const mgr = await as('mgr-east');
      const [target] = await server.db.sequelize.query<{ id: number }>("SELECT id FROM users WHERE wecom_userid = 'rep-east-2'", { type: QueryTypes.SELECT });

      await mgr.json('/api/customers/transfer', 'POST', { customerIds: [c.id], toUserId: Number(target!.id) });
      const timeline = await bodyOf<PageOf<TimelineEntry>>(await mgr.fetch(`/api/customers/${c.id}/timeline`));

      expect(timeline.items[0]).toMatchObject({ kind: 'owner_change', summary: '负责人：李娜 → 王强', user: { name: '陈建国' } });
    });

    it('does not let a sales rep transfer', async () => {
      const c = await create('rep-east-1', { name: '不可转移' });

      const res = await (await as('rep-east-1')).json('/api/customers/transfer', 'POST', { customerIds: [c.id], toUserId: 1 });

      expect(res.status).toBe(403);
    });
  });
});
