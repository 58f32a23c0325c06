/** 客户等级 is one grade (issue 36): two tags of that exclusive group are never set on one customer. */
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf } from '../helpers/http';
import { deliverCallbacks } from '../helpers/server';

describe.each(databaseTargets())('the exclusive tag group 客户等级 on $label', (target) => {
  const { server, api } = useCrmServer(target, { syncExternalContacts: true });
  let seq = 0;
  const addContact = async (name: string) => {
    const externalUserid = `wmEXCL${String(++seq).padStart(4, '0')}`;
    server.simulator.state.addExternalContact(
      { external_userid: externalUserid, name, type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [] },
    );
    await deliverCallbacks(server);
    return externalUserid;
  };
  const mark = async (ext: string, change: { add: string[]; remove?: string[] }) =>
    (await api.as('rep-east-1')).json(`/api/sidebar/external-contacts/${ext}/tags`, 'POST', { remove: [], ...change });

  it('refuses two grades at once, in Chinese, and WeCom is not asked', async () => {
    const ext = await addContact('两个等级');

    const res = await mark(ext, { add: ['et-level-vip', 'et-level-normal'] });

    expect(res.status).toBe(400);
    expect((await bodyOf<{ error: { message: string } }>(res)).error.message).toBe(
      '「客户等级」只能选一个：「高净值」和「普通客户」不能同时设置，请先去掉原来的',
    );
    expect(server.simulator.state.externalContacts.get(ext)!.follows[0]!.tag_ids).toEqual([]);
  });

  it('refuses a second grade beside the one already set', async () => {
    const ext = await addContact('已有等级');
    expect((await mark(ext, { add: ['et-level-vip'] })).status).toBe(200);

    expect((await mark(ext, { add: ['et-level-potential'] })).status).toBe(400);
  });

  it('takes a change of grade that removes the old one, and other groups freely', async () => {
    const ext = await addContact('换等级');
    await mark(ext, { add: ['et-level-vip', 'et-prod-fund', 'et-prod-wealth'] });

    const res = await mark(ext, { add: ['et-level-normal'], remove: ['et-level-vip'] });

    expect(res.status).toBe(200);
    expect((await bodyOf<{ tagIds: string[] }>(res)).tagIds.sort()).toEqual(['et-level-normal', 'et-prod-fund', 'et-prod-wealth']);
  });
});
