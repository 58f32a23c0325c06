/**
 * The NAV import (kind `navs`, issue 31 item 4): the daily file of 产品代码, 日期, 单位净值, 累计净值
 * under the import's rules — a template, a dry run with an error per row and column, a commit,
 * nothing written twice, a changed value corrected (and audited), atomic batches — and only for
 * holders of product.manage.
 */
import xlsx from 'node-xlsx';
import { QueryTypes } from 'sequelize';
import type { PageOf } from '@shared/http';
import type { NavDayView, ProductView } from '@shared/products';
import { addDays, businessDate } from '@shared/time';
import { finishedJob, uploadImport, type SheetRow as Row } from '../helpers/crm';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

const HEADER: Row = ['产品代码', '日期', '单位净值', '累计净值'];
const today = () => businessDate(new Date());
const daysAgo = (n: number) => addDays(today(), -n);

describe.each(databaseTargets())('NAV import on $label', (target) => {
  const { server, api, count } = useCrmServer(target, { env: { IMPORT_BATCH_SIZE: '3' } });
  let codes = 0;
  const newFund = () =>
    api.send<ProductView>('admin', 'POST', '/api/products', { code: `IMP${++codes}`, name: `净值导入基金${codes}`, category: 'public_fund', riskLevel: 'R2' });
  const history = async (productId: number) => (await api.get<PageOf<NavDayView>>('admin', `/api/products/${productId}/navs`)).items;
  const importFile = (rows: Row[], query?: string) => finishedJob(api, 'admin', uploadImport(api, 'admin', 'navs', rows, query));

  it('offers a template with the four columns', async () => {
    const res = await (await api.as('admin')).fetch('/api/imports/templates/navs.xlsx');
    const [sheet] = xlsx.parse<Row>(Buffer.from(await res.arrayBuffer()));

    expect(res.status).toBe(200);
    expect(sheet!.data[0]).toEqual(['产品代码*', '日期*', '单位净值*', '累计净值']);
  });

  it('dry-runs a file: counts what it would write, names each bad row’s cell in Chinese, and writes nothing', async () => {
    const fund = await newFund();

    const job = await importFile(
      [
        HEADER,
        [fund.code, daysAgo(2), 1.0123, 1.2123],
        [fund.code, daysAgo(1), '1.0150', ''],
        ['NOPE01', daysAgo(1), 1.01, null],
        [fund.code, '2026-13-40', 1.01, null],
        [fund.code, daysAgo(3), 0, null],
        [fund.code, daysAgo(4), 1.23456, null],
        [fund.code, daysAgo(2), 1.0124, null],
        [fund.code, addDays(today(), 1), 1.01, null],
      ],
      'mode=create&dryRun=true',
    );

    expect(job).toMatchObject({ dryRun: true, status: 'succeeded', total: 8, created: 2, updated: 0, failed: 6 });
    expect(job.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [4, '产品代码', expect.stringContaining('找不到产品代码「NOPE01」')],
      [5, '日期', expect.stringContaining('日期格式不正确')],
      [6, '单位净值', '净值必须大于 0'],
      [7, '单位净值', '净值最多四位小数'],
      [8, '日期', '与第 2 行是同一产品同一天的净值，请只保留一行'],
      [9, '日期', expect.stringContaining('不能晚于今天')],
    ]);
    expect(await count('SELECT COUNT(*) AS n FROM product_navs WHERE product_id = ?', [fund.id])).toBe(0);
  });

  it('commits a dry run: the days are on file with their 累计净值, audited', async () => {
    const fund = await newFund();
    const dry = await importFile([HEADER, [fund.code, daysAgo(2), 1.0123, 1.2123], [fund.code, daysAgo(1), '1.0150', '']], 'mode=create&dryRun=true');

    const committed = await finishedJob(api, 'admin', (await api.as('admin')).fetch(`/api/imports/${dry.id}/commit`, { method: 'POST' }));

    expect(committed).toMatchObject({ dryRun: false, status: 'succeeded', created: 2, failed: 0 });
    expect(await history(fund.id)).toEqual([
      { date: daysAgo(1), nav: 1.015, accumulatedNav: null },
      { date: daysAgo(2), nav: 1.0123, accumulatedNav: 1.2123 },
    ]);
    expect(await count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'product.nav' AND entity_id = ?", [String(fund.id)])).toBe(1);
  });

  it('skips every row when the same file comes again', async () => {
    const fund = await newFund();
    const rows: Row[] = [HEADER, [fund.code, daysAgo(2), 1.0123, 1.2123], [fund.code, daysAgo(1), 1.015, null]];
    await importFile(rows);

    const again = await importFile(rows);

    expect(again).toMatchObject({ created: 0, updated: 0, skipped: 2, failed: 0, errorCount: 0 });
    expect(await count('SELECT COUNT(*) AS n FROM product_navs WHERE product_id = ?', [fund.id])).toBe(2);
    expect(await count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'product.nav_correct' AND entity_id = ?", [String(fund.id)])).toBe(0);
  });

  it('corrects a day whose value changed, audited with before and after; a blank 累计净值 keeps the one on file', async () => {
    const fund = await newFund();
    await importFile([HEADER, [fund.code, daysAgo(2), 1.0123, 1.2123], [fund.code, daysAgo(1), 1.015, 1.215]]);

    const job = await importFile([HEADER, [fund.code, daysAgo(2), 1.0125, null], [fund.code, daysAgo(1), 1.015, 1.215]]);

    expect(job).toMatchObject({ created: 0, updated: 1, skipped: 1, failed: 0 });
    expect((await history(fund.id))[1]).toEqual({ date: daysAgo(2), nav: 1.0125, accumulatedNav: 1.2123 });
    const [audit] = await server.db.sequelize.query<{ diff: string }>("SELECT diff FROM audit_logs WHERE action = 'product.nav_correct' AND entity_id = ?", {
      replacements: [String(fund.id)],
      type: QueryTypes.SELECT,
    });
    expect(JSON.parse(audit!.diff)).toEqual({
      date: daysAgo(2),
      before: { nav: 1.0123, accumulatedNav: 1.2123 },
      after: { nav: 1.0125, accumulatedNav: 1.2123 },
    });
  });

  it('says in the dry run which days it would correct', async () => {
    const fund = await newFund();
    await importFile([HEADER, [fund.code, daysAgo(1), 1.015, null]]);

    const dry = await importFile([HEADER, [fund.code, daysAgo(1), 1.02, null], [fund.code, today(), 1.03, null]], 'mode=create&dryRun=true');

    expect(dry).toMatchObject({ created: 1, updated: 1, skipped: 0 });
    expect((await history(fund.id))[0]).toMatchObject({ date: daysAgo(1), nav: 1.015 });
  });

  it('rolls a failing batch back whole, keeps the batches before and after, and reports its rows', async () => {
    const fund = await newFund();
    const db = server.db.sequelize;
    await db.query(
      target.label === 'sqlite'
        ? "CREATE TRIGGER refuse_nav BEFORE INSERT ON product_navs WHEN NEW.nav = 9.9999 BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
        : "CREATE TRIGGER refuse_nav BEFORE INSERT ON product_navs FOR EACH ROW BEGIN IF NEW.nav = 9.9999 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'forced failure'; END IF; END",
    );
    try {
      // Batches of three: rows 2–4, 5–7 (with the refused value), 8.
      const navs = [1.01, 1.02, 1.03, 1.04, 9.9999, 1.06, 1.07];
      const job = await importFile([HEADER, ...navs.map((nav, i) => [fund.code, daysAgo(10 - i), nav, null])]);

      expect(job).toMatchObject({ status: 'succeeded', total: 7, created: 4, failed: 3 });
      expect(job.errors.map((e) => e.row)).toEqual([5, 6, 7]);
      expect(job.errors[0]!.message).toContain('本批（第 5–7 行）写入失败，整批未写入');
      expect((await history(fund.id)).map((n) => n.nav).sort()).toEqual([1.01, 1.02, 1.03, 1.07]);
    } finally {
      await db.query('DROP TRIGGER refuse_nav');
    }
  });

  it('refuses an importer without product.manage (403, in Chinese, no job)', async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('ops-1')}/roles`, { roles: ['operations'] }, 200);
    const fund = await newFund();
    const jobs = await count('SELECT COUNT(*) AS n FROM import_jobs');

    const res = await uploadImport(api, 'ops-1', 'navs', [HEADER, [fund.code, daysAgo(1), 1.01, null]]);

    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toBe('导入产品净值需要「管理产品」权限，你的角色没有');
    expect(await count('SELECT COUNT(*) AS n FROM import_jobs')).toBe(jobs);
  });
});
