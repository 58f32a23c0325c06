/**
 * 公海分配 from Excel (issue 35 [pipeline], deliverable 5): a row puts its customer into its pool (with
 * a reason) or assigns it from the pool to a named rep; each goes through the pool's own functions,
 * audited like the buttons (`customer.release`, `customer.assign`); a row that does not fit the
 * customer's state (assigning one not in a pool, releasing one already in) is the row's error.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import { finishedJob, uploadImport, type SheetRow } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const HEADER: SheetRow = ['客户名称', '客户手机号', '操作', '分配给', '原因'];

describe.each(databaseTargets())('importing pool assignments on $label', (target) => {
  const { server, api, count } = useCrmServer(target, { settings: { autoCreateLeads: false } });
  let seq = 0;
  const customer = async (owner: string) =>
    api.send<CustomerView>('admin', 'POST', '/api/customers', {
      type: 'individual',
      name: `分配导入客户${++seq}`,
      phone: `1350000${String(seq).padStart(4, '0')}`,
      ownerUserId: await api.userId(owner),
    });
  const importRows = (rows: SheetRow[]) => finishedJob(api, 'admin', uploadImport(api, 'admin', 'pool_assignments', [HEADER, ...rows]));
  const audited = async (action: string, id: number) =>
    count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = ? AND entity = 'customer' AND entity_id = ?", [action, String(id)]);

  it('puts the listed customers into their pool and assigns pool customers to the named rep, audited', async () => {
    const leaving = await customer('rep-east-1');
    const pooled = await customer('rep-east-1');
    await api.send('rep-east-1', 'POST', `/api/customers/${pooled.id}/release`, { reason: '客户暂无需求' }, 200);

    const job = await importRows([
      [leaving.name, leaving.phone, '放入公海', null, '长期联系不上'],
      [pooled.name, pooled.phone, '分配', 'rep-east-2', null],
    ]);

    expect(job).toMatchObject({ status: 'succeeded', created: 2, failed: 0 });
    expect(
      await count("SELECT COUNT(*) AS n FROM customer_pool_entries WHERE live_customer_id = ? AND kind = 'released' AND reason = '长期联系不上'", [leaving.id]),
    ).toBe(1);
    const [owner] = await server.db.sequelize.query<{ owner_user_id: number }>('SELECT owner_user_id FROM customers WHERE id = ?', {
      replacements: [pooled.id],
      type: QueryTypes.SELECT,
    });
    expect(Number(owner!.owner_user_id)).toBe(await api.userId('rep-east-2'));
    expect(await count("SELECT COUNT(*) AS n FROM customer_pool_entries WHERE customer_id = ? AND left_how = 'assigned'", [pooled.id])).toBe(1);
    expect([await audited('customer.release', leaving.id), await audited('customer.assign', pooled.id)]).toEqual([1, 1]);
  });

  it("refuses the rows that do not fit the customer's state and writes nothing for them", async () => {
    const notPooled = await customer('rep-east-1');

    const job = await importRows([
      [notPooled.name, notPooled.phone, '分配', 'rep-east-2', null],
      [notPooled.name, notPooled.phone, '转走', null, null],
    ]);

    expect(job).toMatchObject({ created: 0, failed: 2 });
    expect(await count('SELECT COUNT(*) AS n FROM customer_pool_entries WHERE customer_id = ?', [notPooled.id])).toBe(0);
  });
});
