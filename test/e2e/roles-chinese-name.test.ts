/**
 * A role is created the way an admin thinks of it — a Chinese name, a data scope, permissions by
 * their Chinese names — with no code to invent (the server makes one). At 375×812 and 1280×800;
 * screenshots go to test/artifacts.
 */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe('a role created with a Chinese name in 管理 → 角色与人员', () => {
  const suite = useH5Suite();

  for (const [width, name] of [
    [375, '运营主管'],
    [1280, '合规助理'],
  ] as const) {
    it(`creates 「${name}」 with its scope and permissions by their Chinese names, and lists it without a code (${width} wide)`, async () => {
      const phone = await openPhonePage(suite.browser, suite.server.baseUrl, width === 1280 ? { desktop: true, viewport: { width: 1280, height: 800 } } : {});
      const { page, errors } = phone;
      await loginThroughSimulator(phone, '/admin', 'admin');
      await page.getByTestId('admin-sections').getByText('角色与人员').click();
      await page.getByTestId('role').filter({ hasText: '系统管理员' }).waitFor();

      await page.getByTestId('new-role').click();
      const sheet = page.getByTestId('role-sheet');
      await sheet.getByTestId('role-name').locator('input').fill(name);
      await sheet.getByTestId('role-scope').getByText('本部门', { exact: true }).click();
      // A new role starts with 查看客户 and 编辑客户: 编辑客户 off, 查看审计日志 on.
      for (const permission of ['编辑客户', '查看审计日志']) await sheet.getByTestId('role-permissions').getByText(permission, { exact: true }).click();
      await nextPaint(page);
      await screenshot(page, `role-chinese-name-form-${width}`);
      await sheet.getByTestId('save-role').click();
      const listed = page.getByTestId('role').filter({ hasText: name });
      await listed.waitFor();
      await nextPaint(page);
      await screenshot(page, `role-chinese-name-list-${width}`);

      const [role] = await suite.server.db.sequelize.query<{ code: string; data_scope: string; permissions: string }>(
        'SELECT code, data_scope, permissions FROM roles WHERE name = ?',
        { replacements: [name], type: QueryTypes.SELECT },
      );
      expect((JSON.parse(role!.permissions) as string[]).sort()).toEqual(['audit.read', 'customer.read']);
      expect(role!.data_scope).toBe('department');
      expect(role!.code.length).toBeGreaterThan(0);
      expect(await listed.innerText()).toContain('数据范围：本部门');
      expect(await listed.innerText()).toContain('2 项权限');
      const visible = await page.locator('body').innerText();
      expect(visible).not.toContain(role!.code);
      expect(visible).not.toMatch(/[a-z_]+\.[a-z_]+/);
      expect(errors).toEqual([]);
      await phone.context.close();
    });
  }
});
