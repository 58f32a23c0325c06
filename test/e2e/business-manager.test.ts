/// <reference lib="dom" />
// (The page-side callbacks below run in the browser.)
/**
 * The manager and admin side of the business pages in Chromium at 375×812 over the demo data:
 * dashboard drill-down, targets with the parent ≥ children check, roles and 新成员默认角色,
 * partners and products created and edited, Chinese messages for bad input — and every page at
 * 320 px without sideways overflow.
 */
import { QueryTypes } from 'sequelize';
import { businessDate } from '@shared/time';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, screenshotPage, settled, type PhonePage } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

const today = businessDate(new Date());
const QUARTER = `${today.slice(0, 4)}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}`;
const YEAR = today.slice(0, 4);
const QUARTER_TEXT = `${YEAR}年第${QUARTER.slice(6)}季度`;

/** The browser's own "Failed to load resource: 400/409" lines for requests the test means to fail. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of (400|409)/.test(e));

describe('manager and admin business pages in Chromium at 375x812', () => {
  const suite = useH5Suite({ seedCrm: true });
  const query = <T extends object>(sql: string, replacements: unknown[] = []) =>
    suite.server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

  async function phoneAs(userid: string, path: string, viewport?: { width: number; height: number }): Promise<PhonePage> {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, viewport ? { viewport } : {});
    await loginThroughSimulator(phone, path, userid);
    return phone;
  }

  it('a manager drills from 30天未跟进 and from a stage bar to the filtered customer list', async () => {
    const phone = await phoneAs('mgr-east', '/dashboard');
    const { page, errors } = phone;

    await page.getByTestId('dashboard-targets').waitFor();
    await page.getByTestId('chart-stage').locator('canvas').waitFor();
    await page.getByTestId('sales-delta').waitFor(); // the previous quarter has loaded
    await screenshotPage(page, 'mgr-dashboard');
    await screenshot(page, 'mgr-dashboard-screen', { screen: true });
    const stale = Number(await page.getByTestId('customers-stale').locator('.figure').innerText());
    expect(stale).toBeGreaterThan(0);
    expect(await page.getByTestId('dashboard-period-text').innerText()).toContain(`${QUARTER_TEXT} · 与上季度`);
    // 销售额 counts every channel unless a chip picks one (ledger-figures): the board, the targets and the consignment card say so.
    await page.getByText('销售额（全部渠道）', { exact: true }).first().waitFor();
    expect(await page.getByTestId('dashboard-targets').innerText()).toContain('销售额（全部渠道）');
    expect(await page.getByTestId('dashboard-consignment').innerText()).toContain('全部渠道销售额');

    // A bar: the first tap shows its full name and value, the link under the chart opens the list.
    const chart = page.getByTestId('chart-stage');
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    await page.touchscreen.tap(box.x + box.width / 2, box.y + 4 + 15); // the first (largest) row
    const picked = page.getByTestId('chart-stage-picked');
    await picked.waitFor();
    await nextPaint(page);
    await screenshot(page, 'mgr-dashboard-bar-tapped', { screen: true });
    const [label] = (await picked.locator('.picked-name').innerText()).split(' · ');
    await picked.getByText('查看客户').click();
    await page.waitForURL((url) => url.pathname === '/customers' && url.searchParams.get('lifecycleStage') === 'customer');
    expect(label).toBe('成交客户');

    // The figure: 30天未跟进 opens exactly those customers.
    await page.goBack();
    await page.getByTestId('customers-stale').click();
    await page.waitForURL((url) => url.pathname === '/customers' && url.searchParams.get('noFollowUpDays') === '30');
    await page.getByTestId('customer-count').getByText(`共 ${stale} 位客户`).waitFor();
    await screenshotPage(page, 'mgr-dashboard-drill-stale', { screen: true });

    expect(unexpected(errors)).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('a manager sets a department target below its members’ sum and sees the parent ≥ children warning', async () => {
    const phone = await phoneAs('mgr-east', `/targets?period=${QUARTER}`);
    const { page, errors } = phone;

    const east = page.getByTestId('target-row').filter({ hasText: '华东销售部' });
    await east.waitFor();
    await screenshotPage(page, 'mgr-targets');
    await east.click();
    const sheet = page.getByTestId('target-sheet');
    await sheet.getByTestId('target-input').locator('input').fill('');
    await sheet.getByTestId('target-save').click();
    await sheet.getByText('请填写目标值').waitFor();
    await sheet.getByTestId('target-input').locator('input').fill('100');
    await sheet.getByTestId('target-draft-warning').waitFor();
    await nextPaint(page);
    await screenshot(page, 'mgr-target-sheet', { screen: true });
    const draftWarning = await sheet.getByTestId('target-draft-warning').innerText();
    await sheet.getByTestId('target-save').click();
    await page.getByTestId('target-warnings').waitFor();
    await east.getByTestId('target-value').getByText('100.00 万元').waitFor();
    await screenshotPage(page, 'mgr-targets-warning');
    const warning = await page.getByTestId('target-warnings').innerText();
    const [stored] = await query<{ value: number }>(
      "SELECT t.value FROM targets t JOIN departments d ON d.id = t.scope_id WHERE t.scope_type = 'department' AND d.name = '华东销售部' AND t.period = ? AND t.metric = 'sales_amount'",
      [QUARTER],
    );

    expect(draftWarning).toMatch(new RegExp(`华东销售部 ${QUARTER_TEXT} 销售额目标 100.00 万元，低于下属合计 [\\d,.]+ 万元`));
    expect(warning).toMatch(new RegExp(`华东销售部 ${QUARTER_TEXT} 销售额目标 100.00 万元，低于下属合计 [\\d,.]+ 万元`));
    expect(Number(stored!.value)).toBe(100_0000_00); // fen

    // A count target must be a whole number.
    await page
      .getByTestId('target-metrics')
      .getByRole('tab', { name: /跟进次数/ })
      .click();
    await page.getByTestId('target-row').filter({ hasText: '李娜' }).click();
    await sheet.getByTestId('target-input').locator('input').fill('1.5');
    await sheet.getByTestId('target-save').click();
    await sheet.getByText('数量目标必须是整数').waitFor();
    await nextPaint(page);
    await screenshot(page, 'mgr-target-bad-input', { screen: true });
    await sheet.locator('.van-popup__close-icon').click();

    // The year view sums quarter targets where the year has none of its own.
    await page.goto('/dashboard');
    await page.getByTestId('dashboard-targets').waitFor();
    await page.getByTestId('dashboard-filters').locator('.van-dropdown-menu__item').first().click();
    await page.locator('.van-dropdown-item__option', { hasText: '其他月份、季度或年份' }).click();
    await page.getByTestId('period-picker').locator('.van-picker-column__item', { hasText: '按年' }).click();
    await page.getByTestId('period-picker').locator('.van-picker-column__item--selected', { hasText: '按年' }).waitFor();
    await nextPaint(page);
    await screenshot(page, 'mgr-dashboard-period-picker', { screen: true });
    await page.getByTestId('period-picker').getByText('确认').click();
    await page.waitForURL((url) => url.searchParams.get('period') === YEAR);
    await page.getByTestId('dashboard-period-text').getByText(`${YEAR}年 · 与上年`).waitFor();
    await page.getByTestId('target-summed').first().waitFor();
    await page.getByTestId('dashboard-targets').scrollIntoViewIfNeeded();
    await screenshotPage(page, 'mgr-dashboard-year-targets', { screen: true });
    expect(await page.getByTestId('target-summed').first().innerText()).toBe('按季度目标合计');
    expect(await page.getByTestId('dashboard-targets').innerText()).not.toContain('本期还没有设置目标');

    expect(unexpected(errors)).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('an admin creates a role (bad input refused in Chinese) and makes it 运营部’s default for new members', async () => {
    const phone = await phoneAs('admin', '/admin/roles');
    const { page, errors } = phone;

    await page.getByTestId('new-role').click();
    const sheet = page.getByTestId('role-sheet');
    await sheet.getByTestId('save-role').click();
    await sheet.getByText('请填写角色名称').waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-role-create-bad', { screen: true });
    // Named in Chinese only: the server makes the code.
    await sheet.getByTestId('role-name').locator('input').fill('运营主管');
    await sheet.getByTestId('role-scope').getByText('本部门', { exact: true }).click();
    await sheet.getByTestId('role-permissions').getByText('导入数据').click();
    await sheet.getByTestId('save-role').click();
    await page.getByTestId('role').filter({ hasText: '运营主管' }).waitFor();
    await screenshotPage(page, 'admin-roles-created');

    await page.getByRole('tab', { name: '新成员默认角色' }).click();
    await page.getByTestId('add-department-role').click();
    await page.getByTestId('department-picker').getByTestId('department-option').filter({ hasText: '运营部' }).click();
    await page.getByTestId('department-role-sheet').getByText('运营主管').click();
    const mapped = page.getByTestId('department-role').filter({ hasText: '运营部' });
    await mapped.getByText('运营主管').waitFor();
    await screenshotPage(page, 'admin-department-roles');
    const [role] = await query<{ code: string; data_scope: string; permissions: string }>(
      "SELECT code, data_scope, permissions FROM roles WHERE name = '运营主管'",
    );
    const [mapping] = await query<{ role_code: string }>(
      "SELECT m.role_code FROM department_default_roles m JOIN departments d ON d.id = m.department_id WHERE d.name = '运营部'",
    );

    expect(role!.data_scope).toBe('department');
    expect(JSON.parse(role!.permissions)).toEqual(expect.arrayContaining(['customer.read', 'customer.write', 'import.run']));
    expect(role!.code).toBe('r-yyzg');
    expect(mapping!.role_code).toBe('r-yyzg');
    expect(unexpected(errors)).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('a manager creates and edits a partner and logs a follow-up; bad input shows Chinese messages', async () => {
    const phone = await phoneAs('mgr-east', '/partners');
    const { page, errors } = phone;

    await page.getByTestId('new-partner').click();
    const form = page.getByTestId('partner-form');
    await form.getByTestId('partner-save').click();
    await form.getByText('请填写机构名称').waitFor();
    await form.getByText('请选择机构类型').waitFor();
    await form.getByTestId('partner-name').locator('input').fill('宁波银行杭州分行');
    await form.getByTestId('partner-type').getByText('银行').click();
    await form.getByTestId('partner-credit-code').locator('input').fill('ABC123');
    await form.getByTestId('partner-save').click();
    await form.getByText('统一社会信用代码格式不正确').waitFor();
    await screenshotPage(page, 'mgr-partner-form-bad');
    await form.getByTestId('partner-credit-code').locator('input').fill('');
    await form.getByTestId('partner-phone').locator('input').fill('13800138000');
    await form.getByTestId('partner-save').click();
    await page.waitForURL((url) => /^\/partners\/\d+$/.test(url.pathname));
    await page.getByTestId('partner-info').getByText('宁波银行杭州分行').first().waitFor();

    await page.getByTestId('edit-partner').click();
    await page.getByTestId('partner-form').waitFor();
    await page.getByTestId('partner-form').getByTestId('partner-status').getByText('合作中').click();
    await page.getByTestId('partner-form').getByTestId('partner-save').click();
    await page.waitForURL((url) => /^\/partners\/\d+$/.test(url.pathname));
    await page.getByTestId('partner-info').getByText('合作中').waitFor();

    await page.getByTestId('write-partner-follow-up').click();
    await page.getByTestId('follow-up-content').locator('textarea').fill('首次拜访，介绍代销合作方案。');
    await page.getByTestId('follow-up-save').click();
    await page.getByTestId('partner-follow-ups').getByText('首次拜访，介绍代销合作方案。').waitFor();
    await screenshotPage(page, 'mgr-partner-detail');
    const [row] = await query<{ status: string; contact_phone: string; version: number }>(
      "SELECT status, contact_phone, version FROM consignment_partners WHERE name = '宁波银行杭州分行'",
    );
    expect(row!.status).toBe('active');
    expect(row!.contact_phone).toBe('13800138000');
    expect(Number(row!.version)).toBe(2);

    // A partner with consignment business shows its sales.
    await page.goto('/partners');
    await page.getByTestId('partner-list').locator('.van-cell', { hasText: '招商银行上海分行' }).click();
    await page.getByTestId('partner-info').waitFor();
    await page.getByRole('tab', { name: /代销业绩/ }).click();
    await page.getByTestId('partner-sale').first().waitFor();
    await screenshotPage(page, 'mgr-partner-sales');

    expect(unexpected(errors)).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('an admin creates a product (bad code refused in Chinese), finds it by keyword and opens a product’s holders and sales', async () => {
    const phone = await phoneAs('admin', '/products');
    const { page, errors } = phone;

    await page.getByTestId('product-list').getByTestId('product').first().waitFor();
    await screenshotPage(page, 'admin-products');
    await page.getByTestId('new-product').click();
    const form = page.getByTestId('product-form');
    await form.getByTestId('product-save').click();
    await form.getByText('请填写产品代码').waitFor();
    await form.getByText('请填写产品名称').waitFor();
    await form.getByText('请选择产品类别').waitFor();
    await form.getByTestId('product-code').locator('input').fill('PF 0099');
    await form.getByTestId('product-name').locator('input').fill('稳健增利债券C');
    await form.getByTestId('product-category').locator('.van-tag').first().click();
    await form.getByTestId('product-save').click();
    await form.getByText('产品代码只能包含字母、数字、下划线和短横线').waitFor();
    await screenshotPage(page, 'admin-product-form-bad');
    await form.getByTestId('product-code').locator('input').fill('PF0001'); // taken: the server says so
    await form.getByTestId('product-save').click();
    await form.getByText('产品代码 PF0001 已存在').waitFor();
    await form.getByTestId('product-code').locator('input').fill('PF0099');
    await form.getByTestId('product-risk').getByText('R3 中').click();
    await form.getByTestId('product-save').click();
    await page.waitForURL((url) => /^\/products\/\d+$/.test(url.pathname));
    await page.getByTestId('product-info').getByText('稳健增利债券C').first().waitFor();
    await page.getByTestId('product-holders').getByText('你的客户中还没有人持有').waitFor();

    await page.goto('/products');
    await page.getByTestId('product-search').locator('input').fill('PF0099');
    await page.getByTestId('product-count').getByText('共 1 个产品').waitFor();
    await page.getByTestId('product-search').locator('input').fill('招盈');
    await page.getByTestId('product').filter({ hasText: '招盈稳健债券A' }).waitFor();
    await page.getByTestId('product').filter({ hasText: '招盈稳健债券A' }).click();
    await page.getByTestId('product-holder').first().waitFor();
    await screenshotPage(page, 'admin-product-detail');
    await page.getByRole('tab', { name: /销售记录/ }).click();
    await page.getByTestId('product-sale').first().waitFor();
    await screenshotPage(page, 'admin-product-sales');
    const [product] = await query<{ risk_level: string; status: string }>("SELECT risk_level, status FROM products WHERE code = 'PF0099'");

    expect(product).toEqual({ risk_level: 'R3', status: 'on_sale' });
    expect(unexpected(errors)).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('shows the admin pages: event retry and sync durations, import kinds, the digest time picker and remark switches, the audit log in Chinese', async () => {
    // A callback that failed for good, and one the worker is still retrying (due later).
    const xml = (external: string) =>
      `<xml><ToUserName><![CDATA[ww-demo]]></ToUserName><CreateTime>1764000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[edit_external_contact]]></ChangeType><UserID><![CDATA[rep-east-1]]></UserID><ExternalUserID><![CDATA[${external}]]></ExternalUserID></xml>`;
    const now = new Date();
    for (const [key, status, attempts, next, error] of [
      ['e2e-dead', 'dead', 8, now, '企业微信接口 externalcontact/get 返回 84061：不存在外部联系人的关系（已重试 8 次，放弃）'],
      ['e2e-retrying', 'pending', 2, new Date(now.getTime() + 3_600_000), '企业微信接口暂时不可用（-1 系统繁忙），稍后自动重试'],
    ] as const) {
      await suite.server.db.sequelize.query(
        `INSERT INTO wecom_events (event_type, change_type, idempotency_key, entity_key, payload, status, attempts, next_attempt_at, last_error, received_at, created_at, updated_at)
         VALUES ('change_external_contact', 'edit_external_contact', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        { replacements: [key, `contact:${key}`, xml(key), status, attempts, next, error, now, now, now] },
      );
    }
    const phone = await phoneAs('admin', '/admin');
    const { page, errors } = phone;

    await page.getByTestId('sync-org').getByTestId('sync-time').waitFor();
    const dead = page.getByTestId('event-row').filter({ hasText: '84061' });
    await dead.waitFor();
    await screenshotPage(page, 'admin-home');
    expect(await page.getByTestId('sync-org').innerText()).toMatch(/用时 \d+/);
    expect((await page.getByTestId('sync-org').innerText()).match(/完成/g)).toHaveLength(1);
    const retrying = page.getByTestId('event-row').filter({ hasText: '系统繁忙' });
    expect(await retrying.innerText()).toMatch(/重试中[\s\S]*下次重试 (\d{4}年)?\d+月\d+日 \d{2}:\d{2}/);
    expect(await retrying.getByTestId('event-retry').count()).toBe(0);
    await dead.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-event-log', { screen: true });
    await Promise.all([page.locator('.van-toast', { hasText: '已重新排队' }).waitFor(), dead.getByTestId('event-retry').click()]);
    const [retried] = await query<{ n: number }>("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'event.retry'");
    expect(Number(retried!.n)).toBe(1);

    await page.goto('/admin/import');
    await page.getByTestId('import-kind').filter({ hasText: '持仓交易' }).click();
    await page.getByTestId('import-kind-hint').getByText('申购').waitFor();
    expect(await page.getByTestId('import-mode').count()).toBe(0);
    expect(await page.getByTestId('import-template').getAttribute('href')).toBe('/api/imports/templates/holding_records.xlsx');
    const kinds = await page.getByTestId('import-kind').allInnerTexts();
    expect(kinds).toEqual(['客户', '代销机构', '销售记录', '持仓交易', '跟进记录', '产品净值', '商机', '公海分配']);
    await screenshotPage(page, 'admin-import-kinds');

    await page.goto('/admin/notifications');
    await page.getByTestId('remark-write-back').waitFor();
    await page.getByTestId('digest-time').click();
    await page.getByTestId('digest-time-picker').waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-digest-time-picker', { screen: true });
    await page.getByTestId('digest-time-picker').getByText('确认').click();
    await Promise.all([page.locator('.van-toast', { hasText: '已保存' }).waitFor(), page.getByTestId('remark-write-back-name').click()]);
    await screenshotPage(page, 'admin-notifications-remarks');
    const [setting] = await query<{ value: string }>("SELECT value FROM corp_settings WHERE name = 'remarkWriteBackName'");
    expect(JSON.parse(setting!.value)).toBe(true);

    await page.goto('/admin/audit');
    await page.getByTestId('audit-entry').first().waitFor();
    await screenshotPage(page, 'admin-audit-log');
    const entries = (await page.getByTestId('audit-entry').allInnerTexts()).join('\n');
    expect(entries).not.toContain('其他操作');

    expect(unexpected(errors)).toEqual([]);
    await phone.context.close();
  }, 60_000);

  it('lays out every page built or changed here within 320 px', async () => {
    const [partner] = await query<{ id: number }>("SELECT id FROM consignment_partners WHERE name = '招商银行上海分行'");
    const [product] = await query<{ id: number }>("SELECT id FROM products WHERE code = 'PF0001'");
    const pages: [who: string, path: string, ready: string][] = [
      ['mgr-east', '/dashboard', 'chart-stage'],
      ['mgr-east', `/targets?period=${QUARTER}`, 'target-row'],
      ['mgr-east', '/partners', 'partner-count'],
      ['mgr-east', '/partners/new', 'partner-form'],
      ['mgr-east', `/partners/${partner!.id}`, 'partner-follow-ups'],
      ['mgr-east', `/partners/${partner!.id}/edit`, 'partner-form'],
      ['admin', '/products', 'product'],
      ['admin', '/products/new', 'product-form'],
      ['admin', `/products/${product!.id}`, 'product-holder'],
      ['admin', '/admin', 'event-log'],
      ['admin', '/admin/roles', 'role'],
      ['admin', '/admin/roles?tab=defaults', 'department-roles'],
      ['admin', '/admin/import', 'import-template'],
      ['admin', '/admin/notifications', 'remark-settings'],
      ['admin', '/admin/audit', 'audit-entry'],
    ];
    for (const who of ['mgr-east', 'admin']) {
      const phone = await phoneAs(who, '/workbench', { width: 320, height: 640 });
      for (const [, path, ready] of pages.filter((p) => p[0] === who)) {
        await phone.page.goto(path);
        await phone.page.getByTestId(ready).first().waitFor();
        await settled(phone.page);
        await screenshotPage(phone.page, `w320-mgr-${path.split('?')[0]!.slice(1).replace(/\//g, '-')}${path.includes('tab=') ? '-defaults' : ''}`);
        expect([path, await phone.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')]).toEqual([path, 0]);
      }
      expect(unexpected(phone.errors)).toEqual([]);
      await phone.context.close();
    }
  }, 120_000);
});
