import type { CustomerView, FollowUpView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { SidebarCard } from '@shared/sidebar';
import { QueryTypes } from 'sequelize';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { deliverCallbacks } from '../helpers/server';

/** The sidebar card's reads: how many statements a card costs, and that each card reads the database as it stands. */
describe.each(databaseTargets())('sidebar card reads on $label', (target) => {
  const { server, api } = useCrmServer(target, { settings: { autoCreateLeads: false }, syncExternalContacts: true });
  let seq = 0;
  const settle = () => deliverCallbacks(server);
  const customer = (userid: string, body: Record<string, unknown>) => api.send<CustomerView>(userid, 'POST', '/api/customers', { type: 'individual', ...body });
  const addContact = async (userid: string, name: string, mobile: string, extra: { tag_ids?: string[]; state?: string } = {}) => {
    const externalUserid = `wmREAD${String(++seq).padStart(4, '0')}`;
    server.simulator.state.addExternalContact(
      { external_userid: externalUserid, name, type: 1 },
      { userid, remark: `${name}-备注`, description: '', add_way: 1, tag_ids: extra.tag_ids ?? [], remark_mobiles: [mobile], state: extra.state },
    );
    await settle();
    return externalUserid;
  };
  const card = (userid: string, ext: string) => api.get<SidebarCard>(userid, `/api/sidebar/external-contacts/${ext}`);

  /** The SQL statements one card request sends, the session and caller lookups included. */
  async function statementsOf(userid: string, ext: string): Promise<{ status: number; statements: string[] }> {
    const browser = await api.as(userid);
    const options = (server.db.sequelize as unknown as { options: { logging: unknown } }).options;
    const before = options.logging;
    const statements: string[] = [];
    options.logging = (sql: string) => void statements.push(sql);
    try {
      const res = await browser.fetch(`/api/sidebar/external-contacts/${ext}`);
      await res.arrayBuffer();
      return { status: res.status, statements };
    } finally {
      options.logging = before;
    }
  }

  it('reads a follower’s full card in 3 statements (1 of them the session, user and access), a limited one in 2', async () => {
    const mine = await customer('rep-east-1', { name: '读卡片客户', phone: '13900139201' });
    for (let i = 1; i <= 3; i++) {
      await api.send('rep-east-1', 'POST', `/api/customers/${mine.id}/follow-ups`, {
        channel: 'wecom',
        content: `沟通${i}`,
        followedAt: new Date().toISOString(),
      });
    }
    const full = await addContact('rep-east-1', '全卡片', '13900139201', { tag_ids: ['et-level-vip', 'et-prod-fund'], state: 'qr-branch-sh' });
    await customer('rep-south-1', { name: '华南读卡片', phone: '13900139202' });
    const limited = await addContact('rep-east-1', '受限卡片', '13900139202', { tag_ids: ['et-level-vip'] });
    await card('rep-east-1', full); // the first card of a session may touch it (last_seen_at)
    await card('rep-east-1', limited);

    const fullRead = await statementsOf('rep-east-1', full);
    const limitedRead = await statementsOf('rep-east-1', limited);

    expect(fullRead.status).toBe(200);
    expect(fullRead.statements.length).toBeLessThanOrEqual(3);
    expect(limitedRead.status).toBe(200);
    expect(limitedRead.statements.length).toBeLessThanOrEqual(2);
    // The caller (session, user, roles, departments) is one statement, read afresh on each request.
    for (const read of [fullRead, limitedRead]) expect(read.statements.filter((sql) => /\bsessions\b/.test(sql))).toHaveLength(1);
    expect((await card('rep-east-1', full)).customer?.access).toBe('full');
    expect((await card('rep-east-1', limited)).customer?.access).toBe('limited');
  });

  it('shows the profile and latest follow-ups exactly as the customer pages do', async () => {
    const c = await customer('rep-east-1', {
      name: '对照客户',
      phone: '13900139203',
      level: 'vip',
      notes: '备注',
      ...{ riskLevel: 'C3', riskAssessedOn: '2026-01-01', riskAssessmentExpiresOn: '2035-12-31' },
    });
    for (let i = 1; i <= 6; i++) {
      await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/follow-ups`, {
        channel: 'phone',
        content: `第${i}次`,
        followedAt: new Date(Date.UTC(2026, 9, i)).toISOString(),
        nextFollowUpAt: new Date(Date.UTC(2026, 11, i)).toISOString(),
      });
    }
    const ext = await addContact('rep-east-1', '对照', '13900139203');

    const result = await card('rep-east-1', ext);
    const detail = await api.get<CustomerView>('rep-east-1', `/api/customers/${c.id}`);
    const followUps = await api.get<PageOf<FollowUpView>>('rep-east-1', `/api/customers/${c.id}/follow-ups`);

    expect(result.customer?.access).toBe('full');
    if (result.customer?.access !== 'full') return;
    expect(detail).toMatchObject(result.customer.profile);
    expect(result.customer.latestFollowUps).toEqual(followUps.items.slice(0, 5));
  });

  it('sees every change on the next card: the customer, its follow-ups, the relation’s tags, the scope, the relation ending', async () => {
    const c = await customer('rep-east-1', { name: '会变的客户', phone: '13900139204' });
    const ext = await addContact('rep-east-1', '会变', '13900139204');
    const first = await card('rep-east-1', ext);
    expect(first.customer?.access === 'full' && first.customer.profile.name).toBe('会变的客户');

    await api.send('rep-east-1', 'PATCH', `/api/customers/${c.id}`, { name: '改了名', version: c.version });
    await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/follow-ups`, { channel: 'wecom', content: '新的跟进', followedAt: new Date().toISOString() });
    server.simulator.state.editFollow(ext, 'rep-east-1', { tag_ids: ['et-prod-fund'] });
    await settle();
    const edited = await card('rep-east-1', ext);
    expect(edited.customer?.access === 'full' && [edited.customer.profile.name, edited.customer.latestFollowUps[0]?.content]).toEqual(['改了名', '新的跟进']);
    expect(edited.contact.tags).toEqual(['公募基金']);

    // Another process moves the customer to South China: outside rep-east-1's scope on the very next card.
    const [south] = await server.db.sequelize.query<{ id: number; main_department_id: number }>(
      "SELECT id, main_department_id FROM users WHERE wecom_userid = 'rep-south-1'",
      { type: QueryTypes.SELECT },
    );
    await server.db.sequelize.query('UPDATE customers SET owner_user_id = ?, department_id = ?, version = version + 1 WHERE id = ?', {
      replacements: [south!.id, south!.main_department_id, c.id],
    });
    expect((await card('rep-east-1', ext)).customer).toMatchObject({ access: 'limited', name: '改了名', owner: { name: '刘洋' } });

    server.simulator.state.removeFollow(ext, 'rep-east-1', 'customer');
    await settle();
    const lost = await card('rep-east-1', ext);
    expect([lost.contact.lost, lost.coFollowUp]).toEqual([true, false]);
  });

  it('answers a non-follower 403 once the customer leaves their scope, on the next request', async () => {
    const c = await customer('rep-east-1', { name: '负责人看卡片', phone: '13900139205' });
    const ext = await addContact('rep-east-2', '同事的好友', '13900139205');
    expect((await card('rep-east-1', ext)).viewer).toBe('owner');

    const [south] = await server.db.sequelize.query<{ id: number }>("SELECT id FROM users WHERE wecom_userid = 'rep-south-1'", { type: QueryTypes.SELECT });
    await server.db.sequelize.query('UPDATE customers SET owner_user_id = ?, version = version + 1 WHERE id = ?', { replacements: [south!.id, c.id] });

    expect((await statementsOf('rep-east-1', ext)).status).toBe(403);
  });
});
