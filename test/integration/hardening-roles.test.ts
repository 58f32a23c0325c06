/**
 * Roles that stay true (issue 29): the `manager` a department leader gets from WeCom goes when the
 * leadership does (a manager given by hand stays), and a holder of `role.manage` hands out only
 * what they hold themselves. Every test of a defect here failed on the code before the fix.
 */
import { QueryTypes } from 'sequelize';
import type { RoleView } from '@shared/permissions';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { deliverCallbacks, syncOrg } from '../helpers/server';

describe.each(databaseTargets())('roles that stay true on $label', (target) => {
  const { server, api } = useCrmServer(target, { perTest: true });
  const sim = () => server.simulator.state;
  const rolesOf = async (userid: string) =>
    (
      await server.db.sequelize.query<{ code: string }>(
        'SELECT r.code FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id WHERE u.wecom_userid = ? ORDER BY r.code',
        { replacements: [userid], type: QueryTypes.SELECT },
      )
    ).map((r) => r.code);
  /** Changes a member's leadership in the simulated corp without a callback: only a full sync learns of it. */
  const setLeaderQuietly = (userid: string, leader: boolean) => {
    const member = sim().users.get(userid)!;
    member.is_leader_in_dept = member.department.map(() => (leader ? 1 : 0));
  };

  describe('the manager role of a department leader', () => {
    it('is taken back by the next org sync once WeCom no longer names them leader', async () => {
      expect(await rolesOf('mgr-east')).toEqual(['manager', 'sales']);
      setLeaderQuietly('mgr-east', false);

      await syncOrg(server);

      expect(await rolesOf('mgr-east')).toEqual(['sales']);
    });

    it('is taken back when an update_user callback says the leadership ended', async () => {
      sim().updateUser('mgr-east', { is_leader_in_dept: [0] });

      await deliverCallbacks(server);

      expect(await rolesOf('mgr-east')).toEqual(['sales']);
    });

    it('stops showing the department its customers on the next request', async () => {
      const mgrEast = await api.userId('mgr-east');
      setLeaderQuietly('mgr-east', false);

      await syncOrg(server);

      const me = await api.get<{ dataScope: string; roles: { code: string }[] }>('mgr-east', '/api/me');
      expect(me.dataScope).toBe('self');
      expect(me.roles.map((r) => r.code)).not.toContain('manager');
      expect(mgrEast).toBeGreaterThan(0);
    });

    it('comes back with a new leadership', async () => {
      setLeaderQuietly('mgr-east', false);
      await syncOrg(server);
      setLeaderQuietly('mgr-east', true);

      await syncOrg(server);

      expect(await rolesOf('mgr-east')).toEqual(['manager', 'sales']);
    });

    it('stays when an admin gave it by hand, through a leadership that came and went', async () => {
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('rep-east-1')}/roles`, { roles: ['sales', 'manager'] });
      setLeaderQuietly('rep-east-1', true);
      await syncOrg(server);
      setLeaderQuietly('rep-east-1', false);

      await syncOrg(server);

      expect(await rolesOf('rep-east-1')).toEqual(['manager', 'sales']);
    });

    it('stays automatic when an admin re-saves the leader’s roles with another added', async () => {
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('mgr-east')}/roles`, { roles: ['sales', 'manager', 'compliance'] });
      setLeaderQuietly('mgr-east', false);

      await syncOrg(server);

      expect(await rolesOf('mgr-east')).toEqual(['compliance', 'sales']);
    });

    it('is kept when the member’s leadership is unknown (WeCom gave only the callback’s departments)', async () => {
      // No secret may read the member: the event's Department list stands in, without leaderships.
      server.simulator.faults.set('user/get', { failFirst: 10, errcodes: [60011] });
      sim().updateUser('mgr-east', { position: '经理', department: [2] });

      await deliverCallbacks(server);

      expect(await rolesOf('mgr-east')).toEqual(['manager', 'sales']);
    });
  });

  describe('a holder of role.manage alone', () => {
    let roleManager: number;
    beforeEach(async () => {
      await api.send('admin', 'POST', '/api/admin/roles', { code: 'role-keeper', name: '角色管理员', dataScope: 'self', permissions: ['role.manage'] });
      roleManager = await api.userId('rep-east-1');
      await api.send('admin', 'PUT', `/api/admin/users/${roleManager}/roles`, { roles: ['sales', 'role-keeper'] });
    });
    const asRoleManager = async (path: string, method: string, body: unknown) => (await api.as('rep-east-1')).json(path, method, body);

    it('cannot grant itself admin (403 in Chinese)', async () => {
      const res = await asRoleManager(`/api/admin/users/${roleManager}/roles`, 'PUT', { roles: ['sales', 'role-keeper', 'admin'] });

      expect(res.status).toBe(403);
      const error = await errorOf(res);
      expect(error.message).toMatch(/只能授予自己拥有的权限/);
      expect(error.message).not.toMatch(/[a-z]+\.[a-z]+/);
      expect(await rolesOf('rep-east-1')).toEqual(['role-keeper', 'sales']);
    });

    it('cannot take admin away from the admin', async () => {
      const res = await asRoleManager(`/api/admin/users/${await api.userId('admin')}/roles`, 'PUT', { roles: ['sales'] });

      expect(res.status).toBe(403);
      expect(await rolesOf('admin')).toEqual(['admin', 'sales']);
    });

    it('cannot add to its own role a permission it lacks', async () => {
      const { items } = await api.get<{ items: RoleView[] }>('admin', '/api/admin/roles');
      const keeper = items.find((r) => r.code === 'role-keeper')!;

      const res = await asRoleManager(`/api/admin/roles/${keeper.id}`, 'PATCH', { permissions: ['role.manage', 'audit.read'] });

      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toContain('查看审计日志');
    });

    it('cannot write * into its own role', async () => {
      const { items } = await api.get<{ items: RoleView[] }>('admin', '/api/admin/roles');
      const keeper = items.find((r) => r.code === 'role-keeper')!;

      const res = await asRoleManager(`/api/admin/roles/${keeper.id}`, 'PATCH', { permissions: ['*'] });

      expect(res.status).toBe(403);
    });

    it('cannot widen its own role’s scope beyond its own', async () => {
      const { items } = await api.get<{ items: RoleView[] }>('admin', '/api/admin/roles');
      const keeper = items.find((r) => r.code === 'role-keeper')!;

      const res = await asRoleManager(`/api/admin/roles/${keeper.id}`, 'PATCH', { dataScope: 'all' });

      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toContain('全部');
    });

    it('cannot create a role with a permission it lacks', async () => {
      const res = await asRoleManager('/api/admin/roles', 'POST', { code: 'sneaky', name: '后门', dataScope: 'self', permissions: ['audit.read'] });

      expect(res.status).toBe(403);
      expect(await server.db.sequelize.query("SELECT id FROM roles WHERE code = 'sneaky'", { type: QueryTypes.SELECT })).toEqual([]);
    });

    it('cannot make admin the default role of a department’s new members', async () => {
      const res = await asRoleManager('/api/admin/department-roles/2', 'PUT', { roleCode: 'admin' });

      expect(res.status).toBe(403);
      expect(await server.db.sequelize.query('SELECT role_code FROM department_default_roles', { type: QueryTypes.SELECT })).toEqual([]);
    });

    it('may still create and grant a role within what it holds', async () => {
      const created = await asRoleManager('/api/admin/roles', 'POST', {
        code: 'sales-lite',
        name: '销售（精简）',
        dataScope: 'self',
        permissions: ['customer.read'],
      });
      expect(created.status).toBe(201);

      const granted = await asRoleManager(`/api/admin/users/${await api.userId('rep-east-2')}/roles`, 'PUT', { roles: ['sales-lite'] });

      expect(granted.status).toBe(200);
      expect(await rolesOf('rep-east-2')).toEqual(['sales-lite']);
    });
  });
});
