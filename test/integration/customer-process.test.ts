import { QueryTypes } from 'sequelize';
import type { ContactView, CustomerDetail, CustomerView, FollowUpView, MergeResult, TimelineEntry } from '@shared/customers';
import type { FieldIssue, PageOf } from '@shared/http';
import type { HoldingView } from '@shared/ledger';
import type { ProductView } from '@shared/products';
import type { SaleView } from '@shared/sales';
import { ASSESSED_C5, productWithNavs } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

/** An ISO time `days` from now, in whole seconds (as stored). */
const inDays = (days: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + days * 86_400_000).toISOString();

describe.each(databaseTargets())('customer process on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let product: ProductView;
  let seq = 0;
  const customer = (userid = 'rep-east-1', body: Record<string, unknown> = {}) =>
    api.send<CustomerView>(userid, 'POST', '/api/customers', {
      type: 'individual',
      name: `过程客户${++seq}`,
      phone: `1370000${String(seq).padStart(4, '0')}`,
      ...ASSESSED_C5,
      ...body,
    });
  const contact = (customerId: number, body: Record<string, unknown>) =>
    api.send<ContactView>('rep-east-1', 'POST', `/api/customers/${customerId}/contacts`, body);
  const followUp = (customerId: number, body: Record<string, unknown>, userid = 'rep-east-1') =>
    api.send<FollowUpView>(userid, 'POST', `/api/customers/${customerId}/follow-ups`, { channel: 'phone', content: '电话沟通产品需求', ...body });
  const detail = (id: number, userid = 'rep-east-1') => api.get<CustomerDetail>(userid, `/api/customers/${id}`);

  beforeAll(async () => {
    product = await productWithNavs<ProductView>(api, { code: 'PROC001', name: '稳健增利一号', category: 'public_fund', riskLevel: 'R2' });
  });

  describe('contacts', () => {
    it('makes the first contact primary and normalises its phone', async () => {
      const c = await customer();

      const first = await contact(c.id, { name: '王秘书', phone: '＋86 139-0000-1111' });

      expect(first).toMatchObject({ isPrimary: true, phone: '13900001111' });
    });

    it('keeps exactly one primary when another contact is made primary', async () => {
      const c = await customer();
      const a = await contact(c.id, { name: '甲' });
      const b = await contact(c.id, { name: '乙', isPrimary: true });

      const list = await api.get<ContactView[]>('rep-east-1', `/api/customers/${c.id}/contacts`);

      expect(list.filter((x) => x.isPrimary).map((x) => x.id)).toEqual([b.id]);
      expect(list.find((x) => x.id === a.id)!.isPrimary).toBe(false);
    });

    it('promotes the oldest remaining contact when the primary is deleted', async () => {
      const c = await customer();
      const a = await contact(c.id, { name: '甲' });
      const b = await contact(c.id, { name: '乙' });

      const res = await (await api.as('rep-east-1')).fetch(`/api/customers/${c.id}/contacts/${a.id}`, { method: 'DELETE' });
      const list = await api.get<ContactView[]>('rep-east-1', `/api/customers/${c.id}/contacts`);

      expect(res.status).toBe(204);
      expect(list.map((x) => [x.id, x.isPrimary])).toEqual([[b.id, true]]);
    });

    it('rejects a bad email and an empty name naming both fields', async () => {
      const c = await customer();

      const res = await (await api.as('rep-east-1')).json(`/api/customers/${c.id}/contacts`, 'POST', { name: ' ', email: 'nope' });

      expect(res.status).toBe(400);
      expect(((await errorOf(res)).details as FieldIssue[]).map((d) => d.field).sort()).toEqual(['email', 'name']);
    });
  });

  describe('follow-ups', () => {
    it('moves the customer’s last and next follow-up dates', async () => {
      const c = await customer();
      const next = inDays(3);

      const f = await followUp(c.id, { nextFollowUpAt: next, outcome: '有意向' });
      const after = await detail(c.id);

      expect(after.lastFollowUpAt).toBe(f.followedAt);
      expect(after.nextFollowUpAt).toBe(next);
      expect(after.latestFollowUps.map((x) => x.id)).toEqual([f.id]);
      expect(after.counts.followUps).toBe(1);
    });

    it('leaves the dates alone for a back-dated entry', async () => {
      const c = await customer();
      const next = inDays(1);
      const latest = await followUp(c.id, { nextFollowUpAt: next });

      await followUp(c.id, { followedAt: inDays(-10) });
      const after = await detail(c.id);

      expect(after.lastFollowUpAt).toBe(latest.followedAt);
      expect(after.nextFollowUpAt).toBe(next);
    });

    it('clears the reminder when the newest follow-up plans no next step', async () => {
      const c = await customer('rep-east-1', { nextFollowUpAt: inDays(-1) });

      await followUp(c.id, {});

      expect((await detail(c.id)).nextFollowUpAt).toBeNull();
    });

    it('restores the dates from the remaining entries when the newest is deleted', async () => {
      const c = await customer();
      const older = await followUp(c.id, { followedAt: inDays(-1), nextFollowUpAt: inDays(1) });
      const newest = await followUp(c.id, {});

      const res = await (await api.as('rep-east-1')).fetch(`/api/customers/${c.id}/follow-ups/${newest.id}`, { method: 'DELETE' });
      const after = await detail(c.id);

      expect(res.status).toBe(204);
      expect(after.lastFollowUpAt).toBe(older.followedAt);
      expect(after.nextFollowUpAt).toBe(older.nextFollowUpAt);
    });

    it('rejects an unknown channel, a future time and a next date before the follow-up', async () => {
      const c = await customer();
      const browser = await api.as('rep-east-1');
      const url = `/api/customers/${c.id}/follow-ups`;

      const channel = await browser.json(url, 'POST', { channel: 'pigeon', content: '飞鸽传书' });
      const future = await browser.json(url, 'POST', { channel: 'phone', content: '未来', followedAt: inDays(1) });
      const order = await browser.json(url, 'POST', {
        channel: 'phone',
        content: '顺序',
        followedAt: new Date(Date.now() - 3_600_000).toISOString(),
        nextFollowUpAt: new Date(Date.now() - 7_200_000).toISOString(),
      });

      expect(((await errorOf(channel)).details as FieldIssue[])[0]!.field).toBe('channel');
      expect(((await errorOf(future)).details as FieldIssue[])[0]!.field).toBe('followedAt');
      expect(((await errorOf(order)).details as FieldIssue[])[0]!.field).toBe('nextFollowUpAt');
    });

    it('counts "due today" by the China calendar day', async () => {
      // 23:30 tonight in Shanghai is due today, whatever the server's own time zone.
      const now = new Date();
      const chinaDate = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
      const lateTonight = new Date(`${chinaDate}T23:30:00+08:00`).toISOString();
      const tomorrowMorning = new Date(new Date(`${chinaDate}T00:30:00+08:00`).getTime() + 86_400_000).toISOString();
      const dueTonight = await customer('rep-east-2', { nextFollowUpAt: lateTonight });
      const dueTomorrow = await customer('rep-east-2', { nextFollowUpAt: tomorrowMorning });

      const due = await api.get<PageOf<CustomerView>>('rep-east-2', '/api/customers?followUp=due&pageSize=100');

      expect(due.items.map((x) => x.id)).toContain(dueTonight.id);
      expect(due.items.map((x) => x.id)).not.toContain(dueTomorrow.id);
    });
  });

  describe('timeline', () => {
    it('merges follow-ups, trades and stage changes newest first, paginated', async () => {
      const c = await customer();
      // One purchase, recorded once: the sale is the buy (the ledger; before it, a sale and a holding buy were typed twice).
      await api.send<SaleView>('rep-east-1', 'POST', '/api/sales', {
        productId: product.id,
        customerId: c.id,
        amount: 50_000,
        soldOn: '2026-01-05',
        channel: 'direct',
      });
      await followUp(c.id, { followedAt: '2026-02-01T02:00:00Z', content: '回访' });
      await api.send('rep-east-1', 'PATCH', `/api/customers/${c.id}`, { version: 1, lifecycleStage: 'customer' });

      const first = await api.get<PageOf<TimelineEntry>>('rep-east-1', `/api/customers/${c.id}/timeline?pageSize=3`);
      const second = await api.get<PageOf<TimelineEntry>>('rep-east-1', `/api/customers/${c.id}/timeline?pageSize=3&page=2`);
      const all = [...first.items, ...second.items];

      expect(first.total).toBe(4);
      // The sale is one trade, dated by the day.
      expect(all.map((e) => e.kind)).toEqual(['stage_change', 'stage_change', 'follow_up', 'trade']);
      expect(all[0]!.summary).toBe('阶段：线索 → 成交客户');
      expect(all[2]!.user?.name).toBe('李娜');
      expect(all[3]).toMatchObject({ summary: '申购 稳健增利一号 5.00 万元（直销）', dateOnly: true });
    });

    it('is 404 for a customer out of scope', async () => {
      const c = await customer('rep-south-1');

      const res = await (await api.as('rep-east-1')).fetch(`/api/customers/${c.id}/timeline`);

      expect(res.status).toBe(404);
    });
  });

  describe('merge', () => {
    it('moves contacts, follow-ups, holdings, sales and WeCom links to the target and audits it', async () => {
      const keep = await customer('rep-east-1', { name: '合并-保留', phone: '13712340001', institution: null });
      const dup = await customer('rep-east-2', { name: '合并-重复', phone: '13712340002', institution: '东方财富', email: 'dup@example.com' });
      await contact(keep.id, { name: '保留方联系人' });
      await api.send('rep-east-2', 'POST', `/api/customers/${dup.id}/contacts`, { name: '重复方联系人' });
      await followUp(dup.id, { content: '重复方的跟进' }, 'rep-east-2');
      await api.send('rep-east-1', 'POST', `/api/customers/${keep.id}/holding-records`, {
        kind: 'buy',
        productId: product.id,
        amount: 1000,
        tradedOn: '2026-03-01',
      });
      // The duplicate's purchase, recorded once as a sale (a sale is the buy that opens its holding).
      await api.send('rep-east-2', 'POST', '/api/sales', {
        productId: product.id,
        customerId: dup.id,
        amount: 2500.5,
        soldOn: '2026-03-02',
        channel: 'direct',
      });
      await server.db.sequelize.query(
        "INSERT INTO customer_wecom_links (customer_id, external_userid, matched_by, linked_at, created_at, updated_at) VALUES (?, 'wm-merge-1', 'manual', ?, ?, ?)",
        { replacements: [dup.id, new Date(), new Date(), new Date()] },
      );

      const result = await api.send<MergeResult>('admin', 'POST', `/api/customers/${keep.id}/merge`, { sourceIds: [dup.id] }, 200);
      const after = await detail(keep.id, 'admin');
      const holdings = await api.get<HoldingView[]>('admin', `/api/customers/${keep.id}/holdings`);
      const contacts = await api.get<ContactView[]>('admin', `/api/customers/${keep.id}/contacts`);
      const [audit] = await server.db.sequelize.query<{ entity_id: string; diff: string }>(
        "SELECT entity_id, diff FROM audit_logs WHERE action = 'customer.merge'",
        { type: QueryTypes.SELECT },
      );
      const gone = await (await api.as('admin')).fetch(`/api/customers/${dup.id}`);

      expect(result.moved).toMatchObject({ contacts: 2, followUps: 1, holdings: 1, trades: 1, wecomLinks: 1 });
      expect(after.counts).toMatchObject({ contacts: 3, followUps: 1, holdings: 1, sales: 2, wecomLinks: 1 });
      expect(after.institution).toBe('东方财富');
      expect(after.email).toBe('dup@example.com');
      expect(holdings.map((h) => [h.shares, h.cost, h.marketValue])).toEqual([[3500.5, 3500.5, 3500.5]]);
      expect(contacts.filter((x) => x.isPrimary).map((x) => x.name)).toEqual(['保留方联系人']);
      expect(contacts.map((x) => x.phone)).toContain('13712340002');
      expect(gone.status).toBe(404);
      expect(audit?.entity_id).toBe(String(keep.id));
      expect(JSON.parse(audit!.diff).sourceIds).toEqual([dup.id]);
    });

    it('is refused to a manager (no customer.merge) and for a customer merged into itself', async () => {
      const a = await customer();
      const b = await customer();

      const manager = await (await api.as('mgr-east')).json(`/api/customers/${a.id}/merge`, 'POST', { sourceIds: [b.id] });
      const self = await (await api.as('admin')).json(`/api/customers/${a.id}/merge`, 'POST', { sourceIds: [a.id] });

      expect(manager.status).toBe(403);
      expect(self.status).toBe(400);
    });
  });
});
