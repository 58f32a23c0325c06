/**
 * The customers table's bulk actions at 1280×800 (issue 36 item 1): three rows picked, then 改阶段,
 * 打标签, 转接, 放入公海 and 导出 — each through the API the customer page uses, each change in the
 * database and the audit log. The three are put at the top of the list (their updated_at) so the
 * table's first page shows them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { ARTIFACTS_DIR, loginThroughSimulator, nextPaint, openPhonePage, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

const SHOTS = process.env.DESK_SHOTS ?? ARTIFACTS_DIR;

describe('bulk actions on 3 picked rows of the customers table at 1280x800', () => {
  let manager: PhonePage;
  /** rep-east-1's customers linked to a WeCom contact of theirs (tags go on that relation). */
  let linked: number[] = [];
  const suite = useH5Suite({
    seedCrm: 'linked',
    timeoutMs: 180_000,
    async setUp({ server, browser }) {
      const rows = await server.db.sequelize.query<{ id: number }>(
        `SELECT DISTINCT c.id FROM customer_wecom_links l
           JOIN customers c ON c.id = l.customer_id
           JOIN users u ON u.id = c.owner_user_id
           JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid AND r.deleted_at IS NULL
          WHERE u.wecom_userid = 'rep-east-1' AND c.deleted_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM customer_pool_entries pe WHERE pe.live_customer_id = c.id)
          ORDER BY c.id LIMIT 12`,
        { type: QueryTypes.SELECT },
      );
      linked = rows.map((r) => Number(r.id));
      manager = await openPhonePage(browser, server.baseUrl, { viewport: { width: 1280, height: 800 }, desktop: true });
      await loginThroughSimulator(manager, '/customers', 'mgr-east');
    },
  });
  const sql = <T extends object>(query: string, replacements: unknown[] = []) =>
    suite.server.db.sequelize.query<T>(query, { replacements, type: QueryTypes.SELECT });

  /** Puts these customers first in the list (newest change), opens it and picks their rows. */
  async function pick(ids: number[]): Promise<void> {
    const { page } = manager;
    await suite.server.db.sequelize.query(`UPDATE customers SET updated_at = ? WHERE id IN (${ids.join(',')})`, {
      replacements: [new Date(Date.now() + 60_000)],
    });
    await page.goto('/customers');
    for (const id of ids) await page.locator(`[data-testid="customer-row"][data-key="${id}"] [data-testid="customer-select"]`).click();
    await page.getByTestId('bulk-bar').getByText(`已选 ${ids.length} 位`).waitFor();
  }
  async function shot(name: string): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    await nextPaint(manager.page);
    await manager.page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }
  const audits = (action: string, ids: number[]) =>
    sql<{ n: number }>(
      `SELECT COUNT(*) AS n FROM audit_logs WHERE action = ? AND entity = 'customer' AND entity_id IN (${ids.map((i) => `'${i}'`).join(',')})`,
      [action],
    ).then(([r]) => Number(r!.n));

  it('has three linked customers of rep-east-1 to work on', () => {
    expect(linked.length).toBeGreaterThanOrEqual(9);
  });

  it('moves 3 picked customers to another stage, each change audited', async () => {
    const ids = linked.slice(0, 3);
    const { page } = manager;
    await suite.server.db.sequelize.query(`UPDATE customers SET lifecycle_stage = 'lead' WHERE id IN (${ids.join(',')})`);
    await pick(ids);
    await shot('desk-bulk-picked');
    await page.getByTestId('bulk-stage').click();
    await shot('desk-bulk-stage');
    await page.getByTestId('bulk-pick').getByText('复购', { exact: true }).click();
    await page.getByText('已改阶段 3 位客户').waitFor();

    const stages = await sql<{ lifecycle_stage: string }>(`SELECT lifecycle_stage FROM customers WHERE id IN (${ids.join(',')})`);
    expect(stages.map((s) => s.lifecycle_stage)).toEqual(['repeat', 'repeat', 'repeat']);
    expect(await audits('customer.update', ids)).toBe(3);
    expect(manager.errors).toEqual([]);
  });

  it('tags 3 picked customers with a corp tag, on their WeCom relations', async () => {
    const ids = linked.slice(0, 3);
    const { page } = manager;
    // Not a tag of 客户等级, of which a customer carries one at most (a second is refused).
    const [tag] = await sql<{ id: string; name: string }>(
      "SELECT id, name FROM wecom_corp_tags WHERE deleted_at IS NULL AND group_name <> '客户等级' ORDER BY id LIMIT 1",
    );
    await pick(ids);
    await page.getByTestId('bulk-tag').click();
    await page.getByTestId('bulk-pick').locator('.van-action-sheet__item', { hasText: tag!.name }).first().click();
    await page.getByText('已打标签 3 位客户').waitFor();

    const tagged = await sql<{ id: number }>(
      `SELECT DISTINCT l.customer_id AS id FROM customer_wecom_links l JOIN wecom_follow_relations r ON r.external_userid = l.external_userid
        WHERE l.customer_id IN (${ids.join(',')}) AND r.deleted_at IS NULL AND r.tag_ids LIKE ?`,
      [`%${tag!.id}%`],
    );
    expect(tagged.map((t) => Number(t.id)).sort()).toEqual([...ids].sort());
    expect(manager.errors).toEqual([]);
  });

  it('hands 3 picked customers to a colleague with one transfer', async () => {
    const ids = linked.slice(3, 6);
    const { page } = manager;
    await pick(ids);
    await page.getByTestId('bulk-transfer-selected').click();
    await page.getByTestId('person-search').locator('input').fill('赵敏');
    await page.getByTestId('person-option').filter({ hasText: '赵敏' }).click();
    await page.getByRole('button', { name: '确认转移' }).click();
    await page.getByText('已把 3 位客户转给 赵敏').waitFor();

    const owners = await sql<{ userid: string }>(
      `SELECT u.wecom_userid AS userid FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE c.id IN (${ids.join(',')})`,
    );
    expect(owners.map((o) => o.userid)).toEqual(['rep-east-3', 'rep-east-3', 'rep-east-3']);
    expect(manager.errors).toEqual([]);
  });

  it('puts 3 picked customers into 公海 with the reason asked once', async () => {
    const ids = linked.slice(6, 9);
    const { page } = manager;
    await pick(ids);
    await page.getByTestId('bulk-release').click();
    await page.getByTestId('bulk-release-reason').locator('textarea').fill('长期联系不上');
    await shot('desk-bulk-release');
    await page.getByTestId('bulk-release-dialog').getByRole('button', { name: '放入公海' }).click();
    await page.getByText('已放入公海 3 位客户').waitFor();

    const entries = await sql<{ id: number }>(`SELECT live_customer_id AS id FROM customer_pool_entries WHERE live_customer_id IN (${ids.join(',')})`);
    expect(entries).toHaveLength(3);
    // Out of the book: the list no longer shows them.
    await page.getByTestId('customer-table').locator('tbody tr').first().waitFor();
    expect(await page.locator(`[data-testid="customer-row"][data-key="${ids[0]}"]`).count()).toBe(0);
    expect(manager.errors).toEqual([]);
  });

  it('exports 3 picked customers through the export rule: the file holds those 3', async () => {
    const ids = linked.slice(0, 3);
    const { page } = manager;
    await pick(ids);
    const link = page.getByTestId('bulk-export');
    const href = await link.getAttribute('href');
    expect(href).toContain(`ids=${[...ids].sort((a, b) => a - b).join('%2C')}`);
    const response = await page.request.get(href!);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('spreadsheetml');
    const [exported] = await sql<{ n: number }>("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'customer.export'");
    expect(Number(exported!.n)).toBeGreaterThanOrEqual(1);
    expect(manager.errors).toEqual([]);
  });
});
