/**
 * Suitability inside the buy's transaction (issue 31 [ledger]): 30 buys of an R4 product fired at
 * once for a C4 customer while a manager downgrades the customer to C1. Every buy locks the
 * customer's row before it reads the level, so each either commits before the downgrade takes
 * the row or waits for it and is refused: no buy commits after the downgrade (before the ledger,
 * 41 of 90 did over three trials). A committed buy's audit row is written while it holds the
 * lock, the downgrade's while it holds it in turn, so their ids order them: every committed buy's
 * id is below the downgrade's. The figures of each trial go to test/artifacts/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { ProductView } from '@shared/products';
import { businessDate } from '@shared/time';
import { crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

const TODAY = businessDate(new Date());
const BUYS = 30;
const TRIALS = 3;
const ARTIFACTS_DIR = resolve(__dirname, '../artifacts');

describe.each(databaseTargets())('buys against a concurrent downgrade on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  let product: ProductView;
  const query = <T extends object>(sql: string, replacements: unknown[]) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
    product = await api.send<ProductView>('admin', 'POST', '/api/products', { code: 'RACE-R4', name: '进取成长R4', category: 'public_fund', riskLevel: 'R4' });
  });
  afterAll(() => server.close());

  it(`commits no buy after the downgrade, in ${TRIALS} trials of ${BUYS} parallel buys`, async () => {
    const [rep, manager] = [await api.as('rep-east-1'), await api.as('mgr-east')];
    const figures: { trial: number; committedBefore: number; committedAfter: number; refused: number; other: number }[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', {
        type: 'individual',
        name: `并发降级客户${trial}`,
        phone: `1320000000${trial}`,
        riskLevel: 'C4',
        riskAssessedOn: TODAY,
      });
      // A first wave of buys and the downgrade at once (a third, a half, two thirds of the buys, by
      // trial); the second wave leaves when the first buy is answered, while the downgrade is under way.
      const buy = () =>
        rep
          .json('/api/sales', 'POST', { customerId: c.id, productId: product.id, amount: 10_000, soldOn: TODAY, channel: 'direct' })
          .then(async (res) => ({ status: res.status, body: (await res.json()) as { error?: { details?: { customerLevel?: string } } } }));
      const firstWave = Math.round((BUYS * (trial + 1)) / (TRIALS + 3));
      const first = Array.from({ length: firstWave }, buy);
      const downgrade = manager.json(`/api/customers/${c.id}`, 'PATCH', { version: c.version, riskLevel: 'C1', riskAssessedOn: TODAY });
      const second = Promise.race(first).then(() => Promise.all(Array.from({ length: BUYS - firstWave }, buy)));
      const [buys, downgraded] = await Promise.all([Promise.all([Promise.all(first), second]).then(([a, b]) => [...a, ...b]), downgrade]);
      const [change] = await query<{ id: number }>("SELECT id FROM audit_logs WHERE action = 'customer.update' AND entity = 'customer' AND entity_id = ?", [
        String(c.id),
      ]);
      const committed = await query<{ id: number }>("SELECT id FROM trades WHERE customer_id = ? AND kind = 'buy' AND voided_at IS NULL", [c.id]);
      const audited = await query<{ id: number; entity_id: string }>("SELECT id, entity_id FROM audit_logs WHERE action = 'trade.buy' AND entity = 'sale'", []);
      const auditOf = new Map(audited.map((a) => [Number(a.entity_id), Number(a.id)]));
      const after = committed.filter((t) => auditOf.get(Number(t.id))! > Number(change!.id)).length;
      const answered = (status: number) => buys.filter((b) => b.status === status);
      figures.push({
        trial,
        committedBefore: committed.length - after,
        committedAfter: after,
        refused: answered(409).length,
        other: BUYS - answered(201).length - answered(409).length,
      });

      expect(downgraded.status).toBe(200);
      expect(committed).toHaveLength(answered(201).length);
      expect(committed.every((t) => auditOf.has(Number(t.id)))).toBe(true);
      expect(after).toBe(0);
      expect(answered(201).length + answered(409).length).toBe(BUYS);
      // Each refusal read the downgraded row.
      expect(new Set(answered(409).map((b) => b.body.error?.details?.customerLevel))).toEqual(new Set(answered(409).length ? ['C1'] : []));
    }
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    writeFileSync(join(ARTIFACTS_DIR, `ledger-concurrent-downgrade-${target.label}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  });
});
