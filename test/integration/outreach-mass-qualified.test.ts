/**
 * 客户群发 of a product sold only to 合格投资者 (server/README.md#qualified-investors-合格投资者,
 * shared/qualification-rules.ts): the customers without a qualification holding today are left
 * out, counted and listed with why — like the risk-level exclusion.
 */
import { QueryTypes } from 'sequelize';
import type { MassAudiencePreview, MassMessageView } from '@shared/mass-messages';
import type { ProductView } from '@shared/products';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { corpWithContactsOf } from '../helpers/simulator';

const extOf = (i: number) => `wm-qual-${i}`;

describe.each(databaseTargets())('客户群发 of a 仅限合格投资者 product on $label', (target) => {
  const { server, api } = useCrmServer(target, {
    simulator: { corp: corpWithContactsOf('rep-east-1', 3, { ext: extOf, name: (i) => `合格客户${i}` }) },
    settings: { autoCreateLeads: true },
    syncExternalContacts: true,
  });
  const sql = <T extends object>(query: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(query, { replacements, type: QueryTypes.SELECT });
  const ids: number[] = [];
  let product: ProductView;

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    const lina = await api.userId('rep-east-1');
    for (let i = 0; i < 3; i++)
      ids.push(Number((await sql<{ id: number }>('SELECT customer_id AS id FROM customer_wecom_links WHERE external_userid = ?', [extOf(i)]))[0]!.id));
    await server.db.sequelize.query(
      `UPDATE customers SET owner_user_id = ?, risk_level = 'C5', risk_assessed_on = '2026-06-01', risk_assessment_expires_on = '2099-05-31' WHERE id IN (${ids.join(',')})`,
      { replacements: [lina] },
    );
    // The first qualified until 2099, the second's qualification lapsed, the third never qualified.
    const qualify = (id: number, until: string) =>
      server.db.sequelize.query(
        `UPDATE customers SET qualification_basis = 'financial_assets', qualification_evidence_on = '2024-01-02', qualification_valid_until = ? WHERE id = ?`,
        { replacements: [until, id] },
      );
    await qualify(ids[0]!, '2099-12-31');
    await qualify(ids[1]!, '2025-01-01');
    product = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'QUALPE1',
      name: '私募精选一号',
      category: 'private_fund',
      riskLevel: 'R3',
      qualifiedOnly: true,
    });
  });

  it('counts the customers without a valid qualification among the excluded', async () => {
    const preview = await api.send<MassAudiencePreview>(
      'mgr-east',
      'POST',
      '/api/mass-messages/preview',
      { audience: { ownerUserId: await api.userId('rep-east-1') }, productId: product.id },
      200,
    );

    expect(preview.reach).toBe(1);
    expect(preview.excluded).toEqual([{ reason: 'not_qualified', label: '非合格投资者（产品仅限合格投资者）', count: 2 }]);
  });

  it('lists each excluded customer with why on the message', async () => {
    const message = await api.send<MassMessageView>('mgr-east', 'POST', '/api/mass-messages', {
      audience: { ownerUserId: await api.userId('rep-east-1') },
      productId: product.id,
      content: { text: '私募精选一号开放认购' },
    });

    expect(message.recipients.map((r) => r.customerId)).toEqual([ids[0]]);
    const why = Object.fromEntries(message.excluded.map((e) => [e.customerId, e.detail]));
    expect(why[ids[1]!]).toBe('合格投资者认定已于 2025-01-01 过期');
    expect(why[ids[2]!]).toBe('没有有效的合格投资者认定');
  });
});
