/** 管理 in Chromium at 375×812: an admin starts an org sync and watches it finish; reps never see it. */
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';
import { deliverCallbacks } from '../helpers/server';

describe('admin pages in Chromium at 375x812', () => {
  const suite = useH5Suite();

  it('starts an org sync and shows its progress reaching 100%', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin', 'admin');

    const panel = page.getByTestId('sync-org');
    await panel.getByTestId('sync-status').getByText('已完成').waitFor();
    const runsBefore = await panel.getByTestId('sync-history').count();
    await panel.getByTestId('sync-start').click();
    // The new run becomes the latest: the one before moves into the history list.
    await panel.getByTestId('sync-history').nth(runsBefore).waitFor();
    await panel.getByTestId('sync-status').getByText('已完成').waitFor({ timeout: 20_000 });
    await panel.getByTestId('sync-progress').getByText('100%').waitFor();
    await screenshot(page, 'admin-sync');

    expect(await page.getByTestId('tabbar').getByText('管理').count()).toBe(1);
    expect(errors).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('lists callback events by status and shows an event’s payload', async () => {
    suite.server.simulator.state.addExternalContact(
      { external_userid: 'wmADMINLOG01', name: '日志客户', type: 1 },
      { userid: 'rep-east-1', remark: '', description: '', add_way: 1, tag_ids: [] },
    );
    await deliverCallbacks(suite.server);
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin', 'admin');

    await page.getByTestId('event-row').first().waitFor();
    await page.getByTestId('event-row').first().click();
    await page.getByTestId('event-detail').getByText('add_external_contact').first().waitFor();
    await screenshot(page, 'admin-event-detail');

    expect(await page.getByTestId('event-log').innerText()).toContain('已完成 1');
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('promotes rep-east-2 to 部门经理 from 角色与人员 and shows it on their row', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin', 'admin');

    await page.getByTestId('admin-sections').getByText('角色与人员').click();
    await page.getByTestId('role').filter({ hasText: '系统管理员' }).waitFor();
    await screenshot(page, 'admin-roles');
    await page.getByTestId('role').filter({ hasText: '部门经理' }).click();
    await page.getByTestId('role-sheet').getByText('数据范围').waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-role-edit');
    await page.getByTestId('role-sheet').locator('.van-popup__close-icon').click();
    await page.getByRole('tab', { name: '人员' }).click();
    await page.getByTestId('user-search').locator('input').fill('rep-east-2');
    await page.getByTestId('user').filter({ hasText: '王强' }).click();
    await page
      .getByTestId('user-sheet')
      .locator('.van-checkbox', { hasText: /^部门经理（/ })
      .click();
    await page.getByTestId('save-user-roles').click();
    await page.getByTestId('user').filter({ hasText: '王强' }).locator('.van-tag', { hasText: '部门经理' }).waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-user-roles');
    const [held] = await suite.server.db.sequelize.query<{ codes: string }>(
      "SELECT GROUP_CONCAT(r.code) AS codes FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id WHERE u.wecom_userid = 'rep-east-2'",
      { type: QueryTypes.SELECT },
    );

    expect(held!.codes.split(',').sort()).toEqual(['manager', 'sales']);
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('adds a customer source in 字典 and disables it again, keeping it listed', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin/dictionaries', 'admin');

    await page.getByTestId('dictionary-types').getByRole('tab', { name: '客户来源' }).click();
    await page.getByTestId('add-dictionary-value').click();
    await page.getByTestId('dictionary-label').locator('input').fill('转介绍');
    await page.getByTestId('save-dictionary-value').click();
    await page.getByTestId('dictionary-sheet').getByText('客户来源已有「转介绍」').waitFor();
    await page.getByTestId('dictionary-label').locator('input').fill('路演');
    await page.getByTestId('save-dictionary-value').click();
    const row = page.getByTestId('dictionary-value').filter({ hasText: '路演' });
    await row.waitFor();
    await row.locator('.van-switch').click();
    await row.locator('.disabled').waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-dictionaries');
    const [value] = await suite.server.db.sequelize.query<{ enabled: number | boolean }>(
      "SELECT enabled FROM dictionaries WHERE type = 'customer_source' AND label = '路演'",
      { type: QueryTypes.SELECT },
    );

    expect(Boolean(value!.enabled)).toBe(false);
    expect(await page.getByTestId('dictionary-values').innerText()).not.toMatch(/[A-Za-z_]{2,}/); // names, never codes
    expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
    await phone.context.close();
  });

  it('shows the audit log newest first, filtered by record kind, with an entry’s details', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin/audit', 'admin');

    await page.getByTestId('audit-entry').first().waitFor();
    await page.getByTestId('audit-filter').getByText('人员').click();
    await page.getByTestId('audit-entry').filter({ hasText: '设置用户角色' }).first().click();
    await page.getByTestId('audit-detail').getByText('"after"').waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-audit');
    const kinds = await page.getByTestId('audit-entry').allInnerTexts();

    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.every((text) => /分配角色|登录|退出登录/.test(text))).toBe(true);
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('filters the audit log by person, action and date range, in Chinese', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin/audit', 'admin');
    await page.getByTestId('audit-entry').first().waitFor();

    await page.getByTestId('audit-actor').click();
    await page.getByTestId('person-search').locator('input').fill('管理员');
    await page.getByTestId('person-option').filter({ hasText: '管理员' }).first().click();
    await page.getByTestId('audit-action').click();
    await page.getByTestId('audit-action-sheet').getByText('登录', { exact: true }).click();
    await page.getByTestId('audit-range').click();
    // The list the three filters give: the answer to the request with the range, rendered.
    const filtered = page.waitForResponse((r) => r.url().includes('/api/admin/audit-logs') && r.url().includes('since='));
    await page.locator('.van-calendar__confirm').click(); // the range starts as today – today
    await filtered;
    await page.getByTestId('audit-log').locator('.van-list__loading').waitFor({ state: 'hidden' });
    await page.getByTestId('audit-entry').first().waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-audit-filters');
    const entries = await page.getByTestId('audit-entry').allInnerTexts();

    expect(await page.getByTestId('audit-actor').innerText()).toContain('管理员');
    expect(await page.getByTestId('audit-range').innerText()).toMatch(/\d+月\d+日 – \d+月\d+日/);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((text) => text.includes('管理员') && text.includes('· 登录'))).toBe(true);
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('imports the messy customer sheet: a dry run with row errors, then confirm and watch it reach 100%', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin', 'admin');

    await page.getByTestId('admin-sections').getByText('导入', { exact: true }).click();
    await page.getByTestId('import-template').waitFor();
    await page.getByTestId('import-upload').locator('input[type=file]').setInputFiles(join(__dirname, '../fixtures/imports/messy-customers.xlsx'));
    await page.getByTestId('import-summary').getByText('将新增 3 · 将更新 0 · 跳过 1 · 失败 3').waitFor();
    await screenshot(page, 'admin-import-dry-run');
    const rowErrors = await page.getByTestId('import-row-error').allInnerTexts();
    await page.getByTestId('import-commit').click();
    await page.getByTestId('import-summary').getByText('新增 3 · 更新 0 · 跳过 1 · 失败 3').waitFor({ timeout: 20_000 });
    await page.getByTestId('import-progress').getByText('100%').waitFor();
    await screenshot(page, 'admin-import-done');
    await page.getByTestId('import-error-report').waitFor();
    const report = await page.request.get(`/api/imports/${await lastImportId()}/errors.xlsx`);

    expect(rowErrors.map((t) => t.split('\n')[0])).toEqual(['第 8 行 · E-mail', '第 9 行 · 客户等级', '第 10 行', '第 11 行 · Owner']);
    expect(report.headers()['content-type']).toContain('spreadsheetml');
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('offers the customer list as an Excel download of the same filter', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/customers', 'admin');

    const link = page.getByTestId('customer-count-export');
    await link.waitFor();
    const file = await page.request.get((await link.getAttribute('href'))!);
    await screenshot(page, 'customers-export-link');

    expect(file.status()).toBe(200);
    expect(file.headers()['content-disposition']).toContain('.xlsx');
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('sends today’s reminders from 提醒与通知 and lists the messages', async () => {
    await suite.server.db.sequelize.query(
      'UPDATE customers SET next_follow_up_at = ? WHERE id IN (SELECT id FROM (SELECT id FROM customers ORDER BY id LIMIT 3) t)',
      { replacements: [new Date(Date.now() - 86_400_000)] },
    );
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin/notifications', 'admin');

    await page.getByTestId('reminder-settings').waitFor();
    await page.getByTestId('run-digest').click();
    // The log lists earlier messages from its first load: wait for the one the run queued, after the reload.
    await page.getByTestId('notification').filter({ hasText: '今日客户跟进提醒' }).first().waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-notifications');

    expect(await page.getByTestId('notification-log').innerText()).toContain('今日客户跟进提醒');
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('has no 管理 for a rep, and /admin sends them to the workbench', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    await loginThroughSimulator(phone, '/workbench', 'rep-east-1');

    await phone.page.goto('/admin');
    await phone.page.waitForURL((url) => url.pathname === '/workbench');

    expect(await phone.page.getByTestId('tabbar').getByText('管理').count()).toBe(0);
    await phone.context.close();
  });

  async function lastImportId(): Promise<number> {
    const [row] = await suite.server.db.sequelize.query<{ id: number }>('SELECT MAX(id) AS id FROM import_jobs', { type: QueryTypes.SELECT });
    return Number(row!.id);
  }
});
