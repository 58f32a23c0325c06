/**
 * Issue 29 in Chromium at 375×812: 立即生成并发送今日提醒 after a first start whose scheduled run
 * found nobody says in Chinese how many people got today's digest, and nothing twice; a role
 * manager sees greyed out what they may not grant.
 */
import { QueryTypes } from 'sequelize';
import { queueDailyDigests } from '../../server/modules/reminders/digest';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot } from '../helpers/browser';
import { crmClient } from '../helpers/crm';
import { useH5Suite } from '../helpers/h5-suite';

describe('issue 29 admin pages in Chromium at 375x812', () => {
  const suite = useH5Suite({
    async setUp({ server }) {
      // The first start's scheduled run, before any customer existed: the day taken for nobody.
      await queueDailyDigests(server.db.sequelize, new Date(), 30);
      const repEast1 = await crmClient(server).userId('rep-east-1');
      const now = Date.now();
      await server.db.sequelize.query(
        `INSERT INTO customers (type, name, status, lifecycle_stage, owner_user_id, department_id, next_follow_up_at, version, created_at, updated_at)
         VALUES ('individual', '首日逾期客户', 'active', 'lead', ?, 2, ?, 1, ?, ?)`,
        { replacements: [repEast1, new Date(now - 86_400_000), new Date(now), new Date(now)] },
      );
    },
  });

  it('sends today’s digest to those who had none, and says so; a second press sends nothing', async () => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin/notifications', 'admin');
    await page.getByTestId('reminder-settings').waitFor();

    await Promise.all([page.locator('.van-toast', { hasText: '已为 1 人生成今日提醒，本次发送 1 条' }).waitFor(), page.getByTestId('run-digest').click()]);
    await screenshot(page, 'admin-digest-caught-up');
    await page.locator('.van-toast').waitFor({ state: 'hidden' });
    await Promise.all([
      page.locator('.van-toast', { hasText: '今日提醒已发给 1 人，没有还未收到的人，本次发送 0 条' }).waitFor(),
      page.getByTestId('run-digest').click(),
    ]);
    const [digests] = await suite.server.db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'digest'", {
      type: QueryTypes.SELECT,
    });

    expect(Number(digests!.n)).toBe(1);
    expect(errors).toEqual([]);
    await phone.context.close();
  });

  it('greys out for a role manager the scopes, permissions and roles beyond their own', async () => {
    const api = crmClient(suite.server);
    await api.send('admin', 'POST', '/api/admin/roles', { code: 'role-keeper', name: '角色管理员', dataScope: 'self', permissions: ['role.manage'] });
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('rep-east-1')}/roles`, { roles: ['sales', 'role-keeper'] }, 200);
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin/roles', 'rep-east-1');

    await page.getByTestId('role').filter({ hasText: '角色管理员' }).click();
    const sheet = page.getByTestId('role-sheet');
    await sheet.getByText('灰色的选项你自己没有，不能授予。').waitFor();
    await nextPaint(page);
    await screenshot(page, 'admin-role-beyond-reach');

    // Vant marks a disabled choice's label `…__label--disabled` (greyed).
    const greyed = async (kind: 'radio' | 'checkbox', label: string) =>
      (await sheet.locator(`.van-${kind}`, { hasText: label }).locator(`.van-${kind}__label--disabled`).count()) === 1;
    expect(await greyed('radio', '全部')).toBe(true);
    expect(await greyed('checkbox', '查看审计日志')).toBe(true);
    expect(await greyed('checkbox', '编辑客户')).toBe(false);
    expect(errors).toEqual([]);
    await phone.context.close();
  });
});
