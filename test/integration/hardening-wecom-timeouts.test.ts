/**
 * WeCom calls that time out but succeeded (issue 29): a `mark_tag` whose answer was lost was
 * applied in WeCom but not in the mirror, after the rep had waited 40.8 s for a 500; a welcome
 * whose answer came after 6 s was delivered but recorded as failed; one transient -1 / 502 gave up
 * with 18 s of the WelcomeCode's 20 s left. The simulator's `answerLateFirst` carries a call out
 * and holds its answer back past the client's deadline (a reply lost on the way).
 */
import { QueryTypes } from 'sequelize';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';
import { createLogger } from '../../server/logger';
import { WelcomeSender } from '../../server/modules/engagement/welcome';
import { PERSON_TIMEOUT_MS } from '../../server/wecom/client';
import type { XmlObject } from '../../server/wecom/xml';

describe.each(databaseTargets())('WeCom calls whose answer is lost, on $label', (target) => {
  const { server, api } = useCrmServer(target, { syncExternalContacts: true });
  let seq = 0;
  const sim = () => server.simulator;
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const welcomesTo = (externalUserid: string) => sim().api.welcomeMessages.filter((m) => m.external_userid === externalUserid);
  const welcomeSend = async (externalUserid: string) =>
    (await query<{ status: string; detail: string | null }>('SELECT status, detail FROM welcome_sends WHERE external_userid = ?', [externalUserid]))[0];
  /** A contact `userid` just added in WeCom; its add event (with a WelcomeCode) is delivered. */
  const added = async (userid: string, name: string) => {
    const externalUserid = `wmLATE${String(++seq).padStart(4, '0')}`;
    sim().state.addExternalContact({ external_userid: externalUserid, name, type: 1 }, { userid, remark: '', description: '', add_way: 1, tag_ids: [] });
    await deliverCallbacks(server);
    return externalUserid;
  };
  const mirroredTags = async (externalUserid: string, userid: string) =>
    JSON.parse(
      (await query<{ tag_ids: string }>('SELECT tag_ids FROM wecom_follow_relations WHERE external_userid = ? AND userid = ?', [externalUserid, userid]))[0]!
        .tag_ids,
    ) as string[];
  const wecomTags = (externalUserid: string, userid: string) =>
    sim()
      .state.externalContacts.get(externalUserid)!
      .follows.find((f) => f.userid === userid)!.tag_ids;
  const tag = async (userid: string, externalUserid: string, change: { add: string[]; remove: string[] }) =>
    (await api.as(userid)).json(`/api/sidebar/external-contacts/${externalUserid}/tags`, 'POST', change);

  beforeAll(async () => {
    await api.send('admin', 'PATCH', '/api/admin/settings', { autoCreateLeads: false }, 200);
    await api.send('admin', 'PUT', '/api/admin/welcome-templates', { scope: 'corp', text: '您好，我是{销售姓名}', enabled: true }, 200);
  });
  afterEach(() => sim().faults.clear());

  describe('tags', () => {
    it('answers a tag change whose answer was lost within seconds, from WeCom read back: applied there, applied in the mirror', async () => {
      const ext = await added('rep-east-1', '标签超时客户');
      // Every answer is lost, as on the day the rep waited 40.8 s for a 500.
      sim().faults.set('externalcontact/mark_tag', { answerLateFirst: 4 });
      const started = Date.now();

      const res = await tag('rep-east-1', ext, { add: ['et-level-vip'], remove: [] });

      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2 * PERSON_TIMEOUT_MS);
      expect((await bodyOf<{ tagIds: string[] }>(res)).tagIds).toContain('et-level-vip');
      expect(wecomTags(ext, 'rep-east-1')).toContain('et-level-vip');
      expect(await mirroredTags(ext, 'rep-east-1')).toContain('et-level-vip');
    });

    it('answers 504 when a timed-out tag change did not land, and the mirror still says what WeCom says', async () => {
      const ext = await added('rep-east-1', '标签未生效客户');
      sim().state.markTags(ext, 'rep-east-1', ['et-level-normal'], []); // changed in the WeCom client, no callback
      sim().faults.set('externalcontact/mark_tag', { timeoutRate: 1 });

      const res = await tag('rep-east-1', ext, { add: ['et-level-vip'], remove: [] });

      expect(res.status).toBe(504);
      expect((await errorOf(res)).message).toBe('企业微信响应超时，请稍后再试');
      expect(await mirroredTags(ext, 'rep-east-1')).toEqual(wecomTags(ext, 'rep-east-1'));
      expect(await mirroredTags(ext, 'rep-east-1')).not.toContain('et-level-vip');
    });
  });

  describe('welcome messages', () => {
    it('records a welcome as sent when its answer was lost but WeCom delivered it (41051 on the retry)', async () => {
      sim().faults.set('externalcontact/send_welcome_msg', { answerLateFirst: 1 });

      const ext = await added('rep-east-2', '欢迎语超时客户');

      expect(welcomesTo(ext)).toHaveLength(1);
      expect(await welcomeSend(ext)).toEqual({ status: 'sent', detail: '首次发送未获应答，重试时企业微信确认已送达' });
    });

    it('records a welcome WeCom never answered within the 20 s as failed, saying so in Chinese', async () => {
      const url = sim().events.callbackUrl;
      sim().events.callbackUrl = undefined; // the event is held back, as if it reached us 15 s late
      const ext = `wmLATE${String(++seq).padStart(4, '0')}`;
      sim().state.addExternalContact(
        { external_userid: ext, name: '欢迎语无应答客户', type: 1 },
        { userid: 'rep-east-2', remark: '', description: '', add_way: 1, tag_ids: [] },
      );
      await sim().events.flush();
      sim().events.callbackUrl = url;
      const event = sim().events.deliveries.find((d) => d.event.ExternalUserID === ext)!.event as unknown as XmlObject;
      sim().faults.set('externalcontact/send_welcome_msg', { timeoutRate: 1 });
      const late = new WelcomeSender({ sequelize: server.db.sequelize, wecom: server.wecom, logger: createLogger('silent'), now: () => Date.now() + 15_000 });

      await late.handle(event, Date.now());

      expect(await welcomeSend(ext)).toEqual({ status: 'failed', detail: '企业微信未应答，20 秒内未能确认是否送达' });
    });

    it.each([
      ['an HTTP 502', { failFirst: 1, httpStatus: 502 }],
      ['a -1 (系统繁忙)', { failFirst: 1, errcodes: [-1] }],
    ])('tries again within the 20 s after %s instead of giving up', async (_, fault) => {
      sim().faults.set('externalcontact/send_welcome_msg', fault);

      const ext = await added('rep-east-2', '欢迎语重试客户');

      expect(welcomesTo(ext)).toHaveLength(1);
      expect((await welcomeSend(ext))!.status).toBe('sent');
    });
  });
});
