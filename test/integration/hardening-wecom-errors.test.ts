/**
 * WeCom failures a person caused are explained (issue 29): blocked (45009) → 503 with Retry-After
 * and how long; a misconfiguration → 502 with what the admin must configure; no answer → 504 —
 * never a bare 500, always in Chinese. The 45009 comes from the simulator's own per-minute limit
 * (it blocks the API for the window, as 90454 says WeCom does); the others are injected faults.
 */
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';
import { PERSON_TIMEOUT_MS } from '../../server/wecom/client';

describe.each(databaseTargets())('WeCom failures explained on $label', (target) => {
  const { server, api } = useCrmServer(target, { syncExternalContacts: true });
  let seq = 0;
  const sim = () => server.simulator;
  /** A contact `userid` follows, in WeCom and in the mirror. */
  const followed = async (userid: string) => {
    const externalUserid = `wmERR${String(++seq).padStart(4, '0')}`;
    sim().state.addExternalContact(
      { external_userid: externalUserid, name: '报错客户', type: 1 },
      { userid, remark: '', description: '', add_way: 1, tag_ids: [] },
    );
    await deliverCallbacks(server);
    return externalUserid;
  };
  const tag = async (userid: string, externalUserid: string) =>
    (await api.as(userid)).json(`/api/sidebar/external-contacts/${externalUserid}/tags`, 'POST', { add: ['et-level-vip'], remove: [] });

  beforeAll(async () => {
    await api.send('admin', 'PATCH', '/api/admin/settings', { autoCreateLeads: false }, 200);
  });
  afterEach(() => sim().faults.clear());

  it.each([
    [60020, '企业可信IP'],
    [48002, '客户联系 → 可调用接口的应用'],
  ])('answers a misconfiguration (%i) on a sidebar action with 502 and what the admin must configure', async (errcode, hint) => {
    const ext = await followed('rep-east-1');
    sim().faults.set('externalcontact/mark_tag', { failFirst: 1, errcodes: [errcode] });

    const res = await tag('rep-east-1', ext);

    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error.message).toMatch(/^企业微信配置需要管理员处理：/);
    expect(error.message).toContain(hint);
  });

  it('answers a card whose WeCom read gets no answer with 504 within seconds', async () => {
    const callbackUrl = sim().events.callbackUrl;
    sim().events.callbackUrl = undefined; // WeCom has the contact, the mirror does not
    sim().state.addExternalContact(
      { external_userid: 'wmERRSLOW1', name: '超时客户', type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [] },
    );
    sim().events.callbackUrl = callbackUrl;
    sim().faults.set('externalcontact/get', { timeoutRate: 1 });
    const started = Date.now();

    const res = await (await api.as('rep-east-1')).fetch('/api/sidebar/external-contacts/wmERRSLOW1');

    expect(res.status).toBe(504);
    expect((await errorOf(res)).message).toBe('企业微信响应超时，请稍后再试');
    expect(Date.now() - started).toBeLessThan(2 * PERSON_TIMEOUT_MS);
  });

  // Last: the API stays blocked for the rest of the minute.
  it('answers a sidebar action on an API WeCom blocked (45009) with 503, Retry-After and how long, without calling WeCom again', async () => {
    const ext = await followed('rep-east-2');
    sim().api.setRateLimit('externalcontact/mark_tag', 1);
    expect((await tag('rep-east-2', ext)).status).toBe(200);

    const blocked = await tag('rep-east-2', ext);
    const calls = sim().api.callCount('externalcontact/mark_tag');
    const again = await tag('rep-east-2', ext);

    expect(blocked.status).toBe(503);
    const seconds = Number(blocked.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(59);
    expect((await errorOf(blocked)).message).toBe(`企业微信接口限频，约 ${seconds} 秒后可再试`);
    expect(again.status).toBe(503);
    expect(sim().api.callCount('externalcontact/mark_tag')).toBe(calls);
  });
});
