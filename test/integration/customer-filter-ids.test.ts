/**
 * The customer filter's `ids` (the desktop table's picked rows): the list and the export keep to
 * those ids within the caller's scope — another rep's customer among them is left out — and a
 * malformed list is refused with the field's Chinese message.
 */
import xlsx from 'node-xlsx';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

describe.each(databaseTargets())('the customer filter’s ids on $label', (target) => {
  const { api } = useCrmServer(target);
  const mine: number[] = [];
  let theirs = 0;
  beforeAll(async () => {
    for (const n of [1, 2, 3])
      mine.push((await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: `选中${n}`, phone: `1391111000${n}` })).id);
    theirs = (await api.send<CustomerView>('rep-east-2', 'POST', '/api/customers', { type: 'individual', name: '别人的', phone: '13911110009' })).id;
  });

  it('lists only the picked customers', async () => {
    const page = await api.get<PageOf<CustomerView>>('rep-east-1', `/api/customers?ids=${mine.slice(0, 2).join(',')}`);
    expect(page.items.map((c) => c.id).sort()).toEqual(mine.slice(0, 2).sort());
    expect(page.total).toBe(2);
  });

  it('leaves out a picked id outside the caller’s scope', async () => {
    const page = await api.get<PageOf<CustomerView>>('rep-east-1', `/api/customers?ids=${[...mine, theirs].join(',')}`);
    expect(page.items.map((c) => c.id).sort()).toEqual([...mine].sort());
  });

  it('exports only the picked customers (a manager, who may export)', async () => {
    const res = await (await api.as('mgr-east')).fetch(`/api/customers/export.xlsx?ids=${[mine[0], mine[1]].join('%2C')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const rows = xlsx
      .parse(Buffer.from(await res.arrayBuffer()))[0]!
      .data.slice(1)
      .filter((r) => r.length);
    expect(rows).toHaveLength(2);
  });

  it('refuses a malformed list of ids with the field’s message', async () => {
    const res = await (await api.as('rep-east-1')).fetch('/api/customers?ids=1,x');
    expect(res.status).toBe(400);
    expect(JSON.stringify((await errorOf(res)).details)).toContain('所选客户不正确');
  });
});
