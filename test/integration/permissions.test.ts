import { DataTypes, Op, QueryTypes } from 'sequelize';
import type { PageOf } from '@shared/http';
import type { Colleague, UserWithRoles } from '@shared/org';
import type { DataScopeKind } from '@shared/permissions';
import { SYSTEM_ACTOR } from '../../server/modules/audit/service';
import { canSee, loadAccess, scopeWhere } from '../../server/modules/roles/access';
import { createRole, setUserRoles } from '../../server/modules/roles/service';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { syncOrg } from '../helpers/server';
import { loggedIn } from '../helpers/session';

/**
 * The scope filter against real rows. Four records around rep-east-1 (华东销售部, id 2):
 * its own, a colleague's in the same department, one in the child team 上海财富团队 (6), and
 * one in 华南销售部 (3).
 */
const RECORDS = {
  own: { owner: 'rep-east-1', department: 2 },
  sameDepartment: { owner: 'rep-east-2', department: 2 },
  subtree: { owner: 'rep-east-3', department: 6 },
  otherDepartment: { owner: 'rep-south-1', department: 3 },
} as const;
type RecordName = keyof typeof RECORDS;

const CASES: [viewer: string, scope: DataScopeKind, visible: RecordName[]][] = [
  ['rep-east-1', 'self', ['own']],
  ['rep-east-1', 'department', ['own', 'sameDepartment']],
  ['rep-east-1', 'department_tree', ['own', 'sameDepartment', 'subtree']],
  ['rep-east-1', 'all', ['own', 'sameDepartment', 'subtree', 'otherDepartment']],
  ['mgr-east', 'department_tree', ['own', 'sameDepartment', 'subtree']],
  ['rep-east-3', 'department', ['subtree']],
  ['rep-east-3', 'department_tree', ['subtree']],
  ['rep-south-1', 'department_tree', ['otherDepartment']],
];

describe.each(databaseTargets())('data scopes and permissions on $label', (target) => {
  const { server } = useCrmServer(target);
  const userIds = new Map<string, number>();

  beforeAll(async () => {
    for (const u of await server.db.sequelize.query<{ id: number; wecom_userid: string }>('SELECT id, wecom_userid FROM users', { type: QueryTypes.SELECT })) {
      userIds.set(u.wecom_userid, Number(u.id));
    }
    await server.db.sequelize.getQueryInterface().createTable('scoped_records', {
      id: { type: DataTypes.STRING(32), primaryKey: true },
      owner_user_id: { type: DataTypes.INTEGER, allowNull: true },
      department_id: { type: DataTypes.INTEGER, allowNull: true },
    });
    await server.db.sequelize.getQueryInterface().bulkInsert(
      'scoped_records',
      Object.entries(RECORDS).map(([id, r]) => ({ id, owner_user_id: userIds.get(r.owner), department_id: r.department })),
    );
    for (const scope of ['self', 'department', 'department_tree', 'all'] as const) {
      await createRole(
        server.db.sequelize,
        SYSTEM_ACTOR,
        {
          code: `test-${scope.replace('_', '-')}`,
          name: scope,
          dataScope: scope,
          permissions: ['customer.read'],
        },
        'system',
      );
    }
  });

  describe.each(CASES)('%s with scope %s', (viewer, scope, visible) => {
    beforeAll(async () => {
      await setUserRoles(server.db.sequelize, SYSTEM_ACTOR, userIds.get(viewer)!, [`test-${scope.replace('_', '-')}`], 'system');
    });

    it(`lists exactly ${visible.join(', ')}`, async () => {
      const access = await loadAccess(server.db.sequelize, userIds.get(viewer)!);
      const Scoped = server.db.sequelize.define(
        'ScopedRecord',
        { id: { type: DataTypes.STRING, primaryKey: true }, owner_user_id: DataTypes.INTEGER, department_id: DataTypes.INTEGER },
        { tableName: 'scoped_records', timestamps: false },
      );

      const rows = await Scoped.findAll({ where: { [Op.and]: [scopeWhere(access)] }, order: [['id', 'ASC']] });

      expect(rows.map((r) => r.get('id')).sort()).toEqual([...visible].sort());
    });

    it.each(Object.keys(RECORDS) as RecordName[])('agrees record by record (%s)', async (name) => {
      const access = await loadAccess(server.db.sequelize, userIds.get(viewer)!);
      const record = RECORDS[name];

      expect(canSee(access, { ownerUserId: userIds.get(record.owner)!, departmentId: record.department })).toBe(visible.includes(name));
    });
  });

  it('takes the widest scope and the union of permissions across roles', async () => {
    await setUserRoles(server.db.sequelize, SYSTEM_ACTOR, userIds.get('rep-east-2')!, ['sales', 'test-department'], 'system');

    const access = await loadAccess(server.db.sequelize, userIds.get('rep-east-2')!);

    expect(access.dataScope).toBe('department');
    expect(access.permissions.has('sales.write')).toBe(true);
  });

  describe('role management API', () => {
    it('is forbidden without role.manage', async () => {
      const rep = await loggedIn(server, 'rep-south-1');

      const res = await rep.fetch('/api/admin/roles');

      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toContain('角色管理');
    });

    it('lets an admin create a role, assign it, and leaves an audit trail', async () => {
      const admin = await loggedIn(server, 'admin');

      const created = await admin.json('/api/admin/roles', 'POST', {
        code: 'auditor',
        name: '审计',
        dataScope: 'all',
        permissions: ['customer.read', 'audit.read'],
      });
      const assigned = await admin.json(`/api/admin/users/${userIds.get('risk-1')}/roles`, 'PUT', { roles: ['auditor'] });
      const trail = await bodyOf<{ items: { action: string; entityId: string }[] }>(await admin.fetch('/api/admin/audit-logs?entity=user'));
      const risk = await loggedIn(server, 'risk-1');
      const me = await bodyOf<{ dataScope: string; permissions: string[] }>(await risk.fetch('/api/me'));

      expect(created.status).toBe(201);
      expect(assigned.status).toBe(200);
      expect(trail.items.some((i) => i.action === 'user.roles' && i.entityId === String(userIds.get('risk-1')))).toBe(true);
      expect(me).toMatchObject({ dataScope: 'all', permissions: ['audit.read', 'customer.read'] });
    });

    it('rejects an unknown permission code and a duplicate role code', async () => {
      const admin = await loggedIn(server, 'admin');

      const unknown = await admin.json('/api/admin/roles', 'POST', { code: 'x-role', name: 'X', dataScope: 'self', permissions: ['launch.missiles'] });
      const duplicate = await admin.json('/api/admin/roles', 'POST', { code: 'sales', name: '销售2', dataScope: 'self', permissions: [] });

      expect(unknown.status).toBe(400);
      expect((await errorOf(unknown)).details).toEqual([expect.objectContaining({ field: 'permissions.0' })]);
      expect(duplicate.status).toBe(409);
    });

    it('protects the admin role from losing its powers', async () => {
      const admin = await loggedIn(server, 'admin');
      const roles = await bodyOf<{ items: { id: number; code: string }[] }>(await admin.fetch('/api/admin/roles'));
      const adminRole = roles.items.find((r) => r.code === 'admin')!;

      const res = await admin.json(`/api/admin/roles/${adminRole.id}`, 'PATCH', { dataScope: 'self' });

      expect(res.status).toBe(409);
    });

    it('requires at least one role per user', async () => {
      const admin = await loggedIn(server, 'admin');

      const res = await admin.json(`/api/admin/users/${userIds.get('rep-east-1')}/roles`, 'PUT', { roles: [] });

      expect(res.status).toBe(400);
    });
  });

  describe('people', () => {
    it('lists every employee with their roles for role assignment, searchable by name or userid', async () => {
      const admin = await loggedIn(server, 'admin');

      const page = await bodyOf<PageOf<UserWithRoles>>(await admin.fetch(`/api/admin/users?keyword=${encodeURIComponent('黄志')}`));
      const byUserid = await bodyOf<PageOf<UserWithRoles>>(await admin.fetch('/api/admin/users?keyword=ops-'));

      expect(page.total).toBe(1);
      expect(page.items[0]).toMatchObject({
        wecomUserid: 'mgr-south',
        status: 'active',
        department: { name: '华南销售部' },
        roles: [
          { code: 'manager', name: '部门经理' },
          { code: 'sales', name: '销售' },
        ],
      });
      expect(byUserid.items.map((u) => u.wecomUserid)).toEqual(['ops-1']);
    });

    it('offers a manager the active colleagues of their department tree to hand customers to', async () => {
      const manager = await loggedIn(server, 'mgr-east');

      const all = await bodyOf<{ items: Colleague[] }>(await manager.fetch('/api/org/users'));
      const found = await bodyOf<{ items: Colleague[] }>(await manager.fetch('/api/org/users?keyword=rep-east-3'));

      expect(all.items.map((c) => c.wecomUserid).sort()).toEqual(['mgr-east', 'rep-east-1', 'rep-east-2', 'rep-east-3']);
      expect(found.items).toEqual([expect.objectContaining({ name: '赵敏', department: { id: 6, name: '上海财富团队' } })]);
    });
  });

  // Last: it adds employees the tests above would list.
  describe('new members', () => {
    it('gives a new member of a mapped department (or its subdepartments) that role instead of 销售', async () => {
      const admin = await loggedIn(server, 'admin');
      const mapped = await admin.json('/api/admin/department-roles/4', 'PUT', { roleCode: 'operations' });
      server.simulator.state.createDepartment({ id: 40, name: '运营支持组', parentid: 4, order: 1 });
      for (const [userid, department] of [
        ['ops-new', 4],
        ['ops-team', 40],
        ['rep-new', 2],
      ] as const) {
        server.simulator.state.createUser({ userid, name: userid, department: [department], main_department: department, status: 1 } as never);
      }

      await syncOrg(server);

      expect(mapped.status).toBe(200);
      const rolesOf = async (userid: string) =>
        (
          await server.db.sequelize.query<{ code: string }>(
            'SELECT r.code FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id WHERE u.wecom_userid = ? ORDER BY r.code',
            { replacements: [userid], type: QueryTypes.SELECT },
          )
        ).map((r) => r.code);
      expect(await rolesOf('ops-new')).toEqual(['operations']);
      expect(await rolesOf('ops-team')).toEqual(['operations']);
      expect(await rolesOf('rep-new')).toEqual(['sales']);
      // An existing member keeps the roles they have.
      expect(await rolesOf('ops-1')).toEqual(['sales']);
    });
  });
});
