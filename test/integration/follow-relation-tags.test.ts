/**
 * `wecom_follow_relation_tags` (0039), what the sidebar card reads a relation's tags from, says
 * what each relation's `tag_ids` says after every kind of write: callbacks (add, edit, delete), the
 * rep's tagging through the sidebar, the full sync, an employee's userid renamed. And the card
 * keeps its order: tags by the corp's order, holdings by market value, follow-ups newest first.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { ProductView } from '@shared/products';
import type { SidebarCard } from '@shared/sidebar';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { deliverCallbacks, syncExternalContacts } from '../helpers/server';

describe.each(databaseTargets())('follow relation tags on $label', (target) => {
  const { server, api } = useCrmServer(target, { settings: { autoCreateLeads: false }, syncExternalContacts: true });
  let seq = 0;
  const sim = () => server.simulator;
  const settle = () => deliverCallbacks(server);
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  const card = (userid: string, ext: string) => api.get<SidebarCard>(userid, `/api/sidebar/external-contacts/${ext}`);
  const addContact = async (userid: string, tagIds: string[], mobile?: string) => {
    const externalUserid = `wmTAGS${String(++seq).padStart(4, '0')}`;
    sim().state.addExternalContact(
      { external_userid: externalUserid, name: `标签客户${seq}`, type: 1 },
      { userid, remark: '', description: '', add_way: 1, tag_ids: tagIds, remark_mobiles: mobile ? [mobile] : [] },
    );
    await settle();
    return externalUserid;
  };

  /** The rows of the tags table and the relation's tag_ids, each as a sorted list, per relation of the contact. */
  async function tagsOf(externalUserid: string): Promise<{ userid: string; rows: string[]; tagIds: string[] }[]> {
    const relations = await query<{ userid: string; tag_ids: string | null }>(
      'SELECT userid, tag_ids FROM wecom_follow_relations WHERE external_userid = ? ORDER BY userid',
      [externalUserid],
    );
    const rows = await query<{ userid: string; tag_id: string }>('SELECT userid, tag_id FROM wecom_follow_relation_tags WHERE external_userid = ?', [
      externalUserid,
    ]);
    const orphans = rows.filter((r) => !relations.some((rel) => rel.userid === r.userid));
    expect(orphans).toEqual([]);
    return relations.map((r) => ({
      userid: r.userid,
      rows: rows
        .filter((t) => t.userid === r.userid)
        .map((t) => t.tag_id)
        .sort(),
      tagIds: [...new Set(JSON.parse(r.tag_ids ?? '[]') as string[])].sort(),
    }));
  }

  it('holds the tags of a contact added through the callback', async () => {
    const ext = await addContact('rep-east-1', ['et-level-vip', 'et-prod-fund']);

    expect(await tagsOf(ext)).toEqual([{ userid: 'rep-east-1', rows: ['et-level-vip', 'et-prod-fund'], tagIds: ['et-level-vip', 'et-prod-fund'] }]);
  });

  it('follows a tag edit in the WeCom client: one added, one removed', async () => {
    const ext = await addContact('rep-east-1', ['et-level-vip', 'et-prod-fund']);

    sim().state.editFollow(ext, 'rep-east-1', { tag_ids: ['et-prod-fund', 'et-src-event'] });
    await settle();

    expect(await tagsOf(ext)).toEqual([{ userid: 'rep-east-1', rows: ['et-prod-fund', 'et-src-event'], tagIds: ['et-prod-fund', 'et-src-event'] }]);
  });

  it('follows the rep tagging through the sidebar (mark_tag, no callback)', async () => {
    const ext = await addContact('rep-east-1', ['et-level-vip']);

    await api.send('rep-east-1', 'POST', `/api/sidebar/external-contacts/${ext}/tags`, { add: ['et-prod-insurance'], remove: ['et-level-vip'] }, 200);

    expect(await tagsOf(ext)).toEqual([{ userid: 'rep-east-1', rows: ['et-prod-insurance'], tagIds: ['et-prod-insurance'] }]);
    expect((await card('rep-east-1', ext)).contact.tags).toEqual(['保险']);
  });

  it('keeps an ended relation’s tags, as its tag_ids, and another follower’s stay their own', async () => {
    const ext = await addContact('rep-east-1', ['et-level-vip']);
    sim().state.addExternalContact(sim().state.requireExternalContact(ext).contact, {
      userid: 'rep-east-2',
      remark: '',
      description: '',
      add_way: 1,
      tag_ids: ['et-src-referral'],
    });
    await settle();

    sim().state.removeFollow(ext, 'rep-east-1', 'customer');
    await settle();

    const [ended] = await query<{ deleted_at: unknown }>("SELECT deleted_at FROM wecom_follow_relations WHERE external_userid = ? AND userid = 'rep-east-1'", [
      ext,
    ]);
    expect(ended!.deleted_at).not.toBeNull();
    expect(await tagsOf(ext)).toEqual([
      { userid: 'rep-east-1', rows: ['et-level-vip'], tagIds: ['et-level-vip'] },
      { userid: 'rep-east-2', rows: ['et-src-referral'], tagIds: ['et-src-referral'] },
    ]);
    const lost = await card('rep-east-1', ext);
    expect([lost.contact.lost, lost.contact.tags]).toEqual([true, ['高净值']]);
  });

  it('follows the full sync when WeCom changed tags without telling us', async () => {
    const ext = await addContact('rep-east-1', ['et-level-vip', 'et-src-event']);
    // No event: only the sync sees it.
    sim().state.requireFollow(ext, 'rep-east-1').tag_ids = ['et-level-normal'];

    const run = await syncExternalContacts(server);

    expect(run.status).toBe('succeeded');
    expect(await tagsOf(ext)).toEqual([{ userid: 'rep-east-1', rows: ['et-level-normal'], tagIds: ['et-level-normal'] }]);
  });

  it('moves the rows with an employee’s renamed userid', async () => {
    sim().state.createUser({ userid: 'rename-me', name: '改名员工', department: [2], status: 1 });
    await settle();
    const ext = await addContact('rename-me', ['et-prod-private']);

    sim().state.updateUser('rename-me', { newUserid: 'renamed' });
    await settle();

    expect(await tagsOf(ext)).toEqual([{ userid: 'renamed', rows: ['et-prod-private'], tagIds: ['et-prod-private'] }]);
  });

  it('keeps the card’s order: tags by the corp’s order, holdings by market value, follow-ups newest first', async () => {
    const products = await Promise.all(
      ['小额理财', '大额基金', '中额私募'].map((name, i) =>
        api.send<ProductView>('admin', 'POST', '/api/products', { code: `TAGORD${i}`, name, category: 'wealth', riskLevel: 'R2' }),
      ),
    );
    const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
      type: 'individual',
      name: '排序客户',
      phone: '13900139601',
      riskLevel: 'C5',
      riskAssessedOn: '2026-01-01',
      riskAssessmentExpiresOn: '2035-12-31',
    });
    for (const [product, amount] of [
      [products[0]!, 10_000],
      [products[1]!, 300_000],
      [products[2]!, 50_000],
    ] as const) {
      await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/holding-records`, { kind: 'buy', productId: product.id, amount, tradedOn: '2026-10-01' });
    }
    // Two on the same moment: the later written (higher id) comes first, as before.
    const at = (day: number) => new Date(Date.UTC(2026, 9, day)).toISOString();
    for (const [content, day] of [
      ['十月二日', 2],
      ['十月五日甲', 5],
      ['十月一日', 1],
      ['十月五日乙', 5],
    ] as const) {
      await api.send('rep-east-1', 'POST', `/api/customers/${c.id}/follow-ups`, { channel: 'wecom', content, followedAt: at(day) });
    }
    // Listed against the corp's order: 获客渠道 (group 1), 客户等级 (3), 意向产品 (2); within a group the first has the highest order.
    const ext = await addContact('rep-east-1', ['et-src-referral', 'et-prod-insurance', 'et-level-potential', 'et-prod-fund', 'et-level-vip'], '13900139601');

    const result = await card('rep-east-1', ext);

    // Tags sort by their own order (descending) across groups, as the head's ORDER BY t.sort_order DESC did.
    const order = await query<{ id: string }>(
      `SELECT id FROM wecom_corp_tags WHERE id IN ('et-src-referral', 'et-prod-insurance', 'et-level-potential', 'et-prod-fund', 'et-level-vip') ORDER BY sort_order DESC, id`,
    );
    expect(result.contact.tagIds).toEqual(order.map((t) => t.id));
    expect(result.customer?.access).toBe('full');
    if (result.customer?.access !== 'full') return;
    expect(result.customer.holdings.map((h) => [h.productName, h.amount])).toEqual([
      ['大额基金', 300_000],
      ['中额私募', 50_000],
      ['小额理财', 10_000],
    ]);
    expect(result.customer.holdingsTotal).toBe(360_000);
    expect(result.customer.latestFollowUps.map((f) => f.content)).toEqual(['十月五日乙', '十月五日甲', '十月二日', '十月一日']);
  });
});
