import type { DictionaryValue } from '@shared/dictionaries';
import { nextCustomCode } from '../../server/modules/dictionaries/service';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { loggedIn } from '../helpers/session';

describe('a dictionary value added by its name', () => {
  it('gets the code one past the highest custom code of its type', () => {
    expect(nextCustomCode(['wecom', 'referral'])).toBe('custom_1');
    expect(nextCustomCode(['wecom', 'custom_2', 'custom_10', 'custom_x'])).toBe('custom_11');
  });
});

describe.each(databaseTargets())('dictionary values by name on $label', (target) => {
  const { server } = useCrmServer(target, { syncOrg: false });

  it('are stored under a code the server makes, one after another', async () => {
    const admin = await loggedIn(server, 'admin');

    const first = await admin.json('/api/admin/dictionaries/customer_source', 'POST', { label: '路演' });
    const second = await admin.json('/api/admin/dictionaries/customer_source', 'POST', { label: '理财沙龙' });

    expect(first.status).toBe(201);
    expect(await bodyOf<DictionaryValue>(first)).toMatchObject({ code: 'custom_1', label: '路演', enabled: true });
    expect(await bodyOf<DictionaryValue>(second)).toMatchObject({ code: 'custom_2', label: '理财沙龙' });
  });

  it('refuse a name the type already has, when added and when renamed', async () => {
    const admin = await loggedIn(server, 'admin');

    const added = await admin.json('/api/admin/dictionaries/customer_source', 'POST', { label: '转介绍' });
    const renamed = await admin.json('/api/admin/dictionaries/customer_source/wecom', 'PATCH', { label: '转介绍' });

    expect(added.status).toBe(409);
    expect((await errorOf(added)).message).toBe('客户来源已有「转介绍」');
    expect(renamed.status).toBe(409);
  });

  it('keep a value its own name when only its name is sent again', async () => {
    const admin = await loggedIn(server, 'admin');

    const res = await admin.json('/api/admin/dictionaries/customer_source/wecom', 'PATCH', { label: '企业微信' });

    expect(res.status).toBe(200);
  });
});
