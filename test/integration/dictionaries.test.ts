import type { DictionariesResponse } from '@shared/dictionaries';
import type { FieldIssue } from '@shared/http';
import { assertDictionaryValues } from '../../server/modules/dictionaries/service';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { loggedIn } from '../helpers/session';

describe.each(databaseTargets())('dictionaries on $label', (target) => {
  const { server } = useCrmServer(target, { syncOrg: false });

  const rejection = async (checks: Parameters<typeof assertDictionaryValues>[1]) => {
    try {
      await assertDictionaryValues(server.db.sequelize, checks);
      return null;
    } catch (err) {
      return err as { kind: string; details: (FieldIssue & { allowed: string[] })[] };
    }
  };

  it('serves the seeded values, in order, to any logged-in user', async () => {
    const rep = await loggedIn(server, 'rep-east-1');

    const dictionaries = await bodyOf<DictionariesResponse>(await rep.fetch('/api/dictionaries'));

    expect(dictionaries.lifecycle_stage.map((v) => v.label)).toEqual(['线索', '意向', '商机', '成交客户', '复购', '流失']);
    expect(dictionaries.customer_source.map((v) => v.code)).toEqual(expect.arrayContaining(['wecom', 'website', 'referral', 'event', 'phone', 'import']));
    expect(dictionaries.partner_status.every((v) => v.enabled)).toBe(true);
  });

  it('needs a session', async () => {
    expect((await fetch(`${server.baseUrl}/api/dictionaries`)).status).toBe(401);
  });

  it('rejects a value outside the dictionary with a 400 naming the field and the allowed codes', async () => {
    const err = await rejection([
      { field: 'lifecycleStage', type: 'lifecycle_stage', value: 'prospect' },
      { field: 'source', type: 'customer_source', value: 'wecom' },
      { field: 'level', type: 'customer_level', value: undefined },
    ]);

    expect(err?.kind).toBe('invalid'); // a 400 at the HTTP edge
    expect(err?.details).toEqual([
      expect.objectContaining({ field: 'lifecycleStage', allowed: ['lead', 'intent', 'opportunity', 'customer', 'repeat', 'lost'] }),
    ]);
  });

  it('lets an admin add, rename and disable values; a disabled value is refused on new records but kept on old ones', async () => {
    const admin = await loggedIn(server, 'admin');

    const added = await admin.json('/api/admin/dictionaries/customer_source', 'POST', { code: 'partner_bank', label: '代销银行推荐' });
    const renamed = await admin.json('/api/admin/dictionaries/customer_source/partner_bank', 'PATCH', { label: '银行渠道推荐' });
    const disabled = await admin.json('/api/admin/dictionaries/customer_source/partner_bank', 'PATCH', { enabled: false });
    const list = await bodyOf<DictionariesResponse>(await admin.fetch('/api/dictionaries'));

    expect(added.status).toBe(201);
    expect(await bodyOf(renamed)).toMatchObject({ label: '银行渠道推荐' });
    expect(disabled.status).toBe(200);
    expect(list.customer_source.find((v) => v.code === 'partner_bank')).toEqual({ code: 'partner_bank', label: '银行渠道推荐', sortOrder: 70, enabled: false });
    expect(await rejection([{ field: 'source', type: 'customer_source', value: 'partner_bank' }])).not.toBeNull();
    expect(await rejection([{ field: 'source', type: 'customer_source', value: 'partner_bank', previous: 'partner_bank' }])).toBeNull();
  });

  it('refuses a duplicate code, an unknown type and a bad code', async () => {
    const admin = await loggedIn(server, 'admin');

    const duplicate = await admin.json('/api/admin/dictionaries/customer_level', 'POST', { code: 'vip', label: '重复' });
    const unknownType = await admin.json('/api/admin/dictionaries/colours', 'POST', { code: 'red', label: '红' });
    const badCode = await admin.json('/api/admin/dictionaries/customer_level', 'POST', { code: 'VIP 2', label: '大写' });

    expect(duplicate.status).toBe(409);
    expect(unknownType.status).toBe(400);
    expect((await errorOf(badCode)).details).toEqual([expect.objectContaining({ field: 'code' })]);
  });

  it('is managed by admins only', async () => {
    const rep = await loggedIn(server, 'rep-east-2');

    const res = await rep.json('/api/admin/dictionaries/customer_level/vip', 'PATCH', { label: '超高净值' });

    expect(res.status).toBe(403);
  });
});
