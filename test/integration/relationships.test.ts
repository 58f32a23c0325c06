/**
 * The card follows the relationship (follower, CRM owner or a scope that covers the customer),
 * co-followers log follow-ups the owner hears about, and a customer who deletes their rep is
 * news — once — for the owner and the department's manager, in the card, the timeline and the
 * dashboard.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { CustomerDashboard } from '@shared/dashboard';
import type { SidebarCard } from '@shared/sidebar';
import type { TimelineEntry } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';

describe.each(databaseTargets())('relationships on $label', (target) => {
  const { server, api } = useCrmServer(target, { settings: { autoCreateLeads: false } });
  let seq = 0;
  const sim = () => server.simulator;
  const settle = () => deliverCallbacks(server);
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const card = (userid: string, externalUserid: string) => api.get<SidebarCard>(userid, `/api/sidebar/external-contacts/${externalUserid}`);

  /** A customer of `owner`, and a WeCom contact of it followed by `followers` (linked by phone). */
  const customerWithContact = async (owner: string, name: string, followers: string[] = [owner]) => {
    const phone = `1392000${String(++seq).padStart(4, '0')}`;
    const c = await api.send<CustomerView>('admin', 'POST', '/api/customers', { type: 'individual', name, phone, ownerUserId: await api.userId(owner) });
    const externalUserid = `wmREL${String(seq).padStart(5, '0')}`;
    for (const userid of followers) {
      sim().state.addExternalContact(
        { external_userid: externalUserid, name: `${name}微信`, type: 1 },
        { userid, remark: name, description: '', add_way: 1, tag_ids: [], remark_mobiles: [phone] },
      );
    }
    await settle();
    return { customer: c, externalUserid };
  };

  describe('who may open the card', () => {
    it('lets an admin whose scope is everything open any card, as a full one', async () => {
      const { externalUserid } = await customerWithContact('rep-south-1', '华南大客户');

      const result = await card('admin', externalUserid);

      expect(result.viewer).toBe('scope');
      expect(result.customer?.access).toBe('full');
      expect(result.contact.remark).toBeNull();
    });

    it('lets a manager open the card of a customer in their department they do not follow', async () => {
      const { externalUserid } = await customerWithContact('rep-east-1', '华东客户');

      const result = await card('mgr-east', externalUserid);

      expect(result.viewer).toBe('scope');
      expect(result.customer?.access).toBe('full');
    });

    it('does not let a manager open the card of another department’s customer they do not follow', async () => {
      const { externalUserid } = await customerWithContact('rep-south-1', '别区客户');

      const res = await (await api.as('mgr-east')).fetch(`/api/sidebar/external-contacts/${externalUserid}`);

      expect(res.status).toBe(403);
    });
  });

  describe('协同跟进', () => {
    it('lets a co-follower outside the customer’s scope log a follow-up; the owner’s plan stays and the owner is told', async () => {
      const { customer, externalUserid } = await customerWithContact('rep-south-1', '协同客户', ['rep-south-1', 'rep-east-2']);
      const planned = '2030-01-01T02:00:00.000Z';
      await api.send('rep-south-1', 'PATCH', `/api/customers/${customer.id}`, { nextFollowUpAt: planned, version: customer.version });

      const limited = await card('rep-east-2', externalUserid);
      const written = await api.send<{ user: { name: string } }>('rep-east-2', 'POST', `/api/sidebar/external-contacts/${externalUserid}/follow-ups`, {
        channel: 'wecom',
        content: '客户问起新发的债券基金',
      });
      const after = await api.get<CustomerView>('rep-south-1', `/api/customers/${customer.id}`);
      const [notice] = await query<{ user_id: number; title: string }>("SELECT user_id, title FROM notifications WHERE kind = 'co_follow_up'");

      expect(limited).toMatchObject({ coFollowUp: true, customer: { access: 'limited' } });
      expect(written.user.name).toBe('王强');
      expect(after.nextFollowUpAt).toBe(planned);
      expect(after.lastFollowUpAt).not.toBeNull();
      expect(Number(notice!.user_id)).toBe(await api.userId('rep-south-1'));
      expect(notice!.title).toBe('王强 跟进了你的客户 协同客户');
    });

    it('refuses a co-follower’s follow-up when the corp turned 协同跟进 off', async () => {
      const { externalUserid } = await customerWithContact('rep-south-1', '不协同客户', ['rep-south-1', 'rep-east-2']);
      await api.send('admin', 'PATCH', '/api/admin/settings', { coFollowerFollowUps: false }, 200);

      const res = await (
        await api.as('rep-east-2')
      ).json(`/api/sidebar/external-contacts/${externalUserid}/follow-ups`, 'POST', { channel: 'wecom', content: '试试' });
      const limited = await card('rep-east-2', externalUserid);
      await api.send('admin', 'PATCH', '/api/admin/settings', { coFollowerFollowUps: true }, 200);

      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toContain('企业未开启协同跟进');
      expect(limited.coFollowUp).toBe(false);
    });

    it('refuses a follow-up through a contact the caller does not follow', async () => {
      const { externalUserid } = await customerWithContact('rep-south-1', '陌生客户');

      const res = await (
        await api.as('rep-east-2')
      ).json(`/api/sidebar/external-contacts/${externalUserid}/follow-ups`, 'POST', { channel: 'wecom', content: '试试' });

      expect(res.status).toBe(403);
    });
  });

  describe('客户流失提醒', () => {
    it('tells the owner and the department’s manager once, with the customer and the last follow-up, although WeCom delivers it three times', async () => {
      const { customer, externalUserid } = await customerWithContact('rep-east-1', '流失客户');
      await api.send('rep-east-1', 'POST', `/api/customers/${customer.id}/follow-ups`, { channel: 'phone', content: '约了下周面谈' });

      sim().state.removeFollow(externalUserid, 'rep-east-1', 'customer');
      await settle();
      const delivery = sim().events.deliveries.at(-1)!;
      sim().events.resend(delivery);
      sim().events.resend(delivery);
      // And once more as a new message (a later CreateTime): the relation ends only once.
      sim().events.send({ ...delivery.event, CreateTime: Number(delivery.event.CreateTime) + 5 });
      await settle();
      const notices = await query<{ user_id: number; title: string; description: string }>(
        "SELECT user_id, title, description FROM notifications WHERE kind = 'churn' AND title LIKE ?",
        ['%流失客户%'],
      );

      expect(notices.map((n) => Number(n.user_id)).sort()).toEqual([await api.userId('mgr-east'), await api.userId('rep-east-1')].sort());
      expect(notices[0]!.description).toContain('约了下周面谈');
      expect(notices[0]!.description).toContain('删除了李娜');
    });

    it('marks the relation lost in the card and the customer’s timeline', async () => {
      const { customer, externalUserid } = await customerWithContact('rep-east-1', '流失名片', ['rep-east-1', 'rep-east-2']);

      sim().state.removeFollow(externalUserid, 'rep-east-1', 'customer');
      await settle();
      const result = await card('rep-east-1', externalUserid);
      const timeline = await api.get<PageOf<TimelineEntry>>('rep-east-1', `/api/customers/${customer.id}/timeline`);

      expect(result.contact.lost).toBe(true);
      expect(timeline.items.find((e) => e.kind === 'wecom_link')?.summary).toContain('客户删除了李娜');
    });

    it('counts the lost customer in the dashboard of the period, by rep', async () => {
      const before = await api.get<CustomerDashboard>('mgr-east', '/api/dashboard/customers');
      const { externalUserid } = await customerWithContact('rep-east-2', '流失统计');

      sim().state.removeFollow(externalUserid, 'rep-east-2', 'customer');
      await settle();
      const after = await api.get<CustomerDashboard>('mgr-east', '/api/dashboard/customers');
      const count = (d: CustomerDashboard) => d.lostByRep.find((r) => r.name === '王强')?.count ?? 0;

      expect(after.lostInPeriod).toBe(before.lostInPeriod + 1);
      expect(count(after)).toBe(count(before) + 1);
    });

    it('audits a rep deleting a customer in WeCom as the rep’s action, without a churn notice', async () => {
      const { customer, externalUserid } = await customerWithContact('rep-east-1', '被删客户');

      sim().state.removeFollow(externalUserid, 'rep-east-1', 'employee');
      await settle();
      const [entry] = await query<{ actor_label: string; entity_id: string; summary: string }>(
        "SELECT actor_label, entity_id, summary FROM audit_logs WHERE action = 'wecom.contact.delete' AND entity_id = ?",
        [String(customer.id)],
      );
      const notices = await query("SELECT 1 AS x FROM notifications WHERE kind = 'churn' AND title LIKE ?", ['%被删客户%']);

      expect(entry?.summary).toBe('李娜 在企业微信中删除了客户 被删客户微信');
      expect(notices).toEqual([]);
    });
  });
});
