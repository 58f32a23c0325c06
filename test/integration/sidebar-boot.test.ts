import type { CustomerView } from '@shared/customers';
import type { SidebarBoot, SidebarCard } from '@shared/sidebar';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';

describe.each(databaseTargets())('GET /api/sidebar/boot on $label', (target) => {
  const { server, api } = useCrmServer(target, { syncExternalContacts: true });
  let seq = 0;
  const addContact = async (userid: string, mobile: string) => {
    const externalUserid = `wmBOOT${String(++seq).padStart(4, '0')}`;
    server.simulator.state.addExternalContact(
      { external_userid: externalUserid, name: '开机客户', type: 1, avatar: 'https://wework.qpic.cn/avatar/1' },
      { userid, remark: '开机客户', description: '', add_way: 1, tag_ids: [], remark_mobiles: [mobile] },
    );
    await deliverCallbacks(server);
    return externalUserid;
  };
  const boot = (userid: string, query: string) => api.get<SidebarBoot>(userid, `/api/sidebar/boot${query}`);

  it('answers the session, the dictionaries and the card of ?contact= together', async () => {
    const customer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '开机查看', phone: '13900139501' });
    const ext = await addContact('rep-east-1', '13900139501');

    const result = await boot('rep-east-1', `?contact=${ext}`);

    expect(result.me.user.wecomUserid).toBe('rep-east-1');
    expect(result.dictionaries.lifecycle_stage.length).toBeGreaterThan(0);
    expect(result.meta.wecomMode).toBe('simulator');
    expect(result.card?.ok && result.card.card.customer?.access === 'full' && result.card.card.customer.profile.id).toBe(customer.id);
  });

  it('gives the same card as the card endpoint', async () => {
    await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '同一张卡', phone: '13900139502' });
    const ext = await addContact('rep-east-1', '13900139502');

    const [booted, direct] = await Promise.all([
      boot('rep-east-1', `?contact=${ext}`),
      api.get<SidebarCard>('rep-east-1', `/api/sidebar/external-contacts/${ext}`),
    ]);

    expect(booted.card).toEqual({ ok: true, card: direct });
  });

  it('carries the refusal of a contact the caller has no relation with, and still the session', async () => {
    const ext = await addContact('rep-south-1', '13900139503');

    const result = await boot('rep-east-1', `?contact=${ext}`);

    expect(result.me.user.wecomUserid).toBe('rep-east-1');
    expect(result.card).toMatchObject({
      ok: false,
      status: 403,
      body: { error: { code: 'forbidden', message: '你不是该客户的跟进人，也不负责这位客户，不能查看' } },
    });
  });

  it('has no card without ?contact= (inside WeCom the chat is known only later)', async () => {
    const result = await boot('rep-east-1', '');

    expect(result.card).toBeUndefined();
    expect(result.jssdk).toBeUndefined();
  });

  it('signs the JS-SDK for a page of our own origin', async () => {
    const result = await boot('rep-east-1', `?url=${encodeURIComponent(`${server.baseUrl}/sidebar`)}`);

    expect(result.jssdk?.config.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(result.jssdk?.agentConfig.signature).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses to sign a page of another origin', async () => {
    const res = await (await api.as('rep-east-1')).fetch(`/api/sidebar/boot?url=${encodeURIComponent('https://evil.example.com/sidebar')}`);

    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('validation_failed');
  });

  it('answers 401 without a session', async () => {
    const res = await fetch(`${server.baseUrl}/api/sidebar/boot`);

    expect(res.status).toBe(401);
    expect((await bodyOf<{ error: { code: string } }>(res)).error.code).toBe('unauthorized');
  });
});
