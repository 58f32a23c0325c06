import { canSee, type Access } from './access';

const access = (over: Partial<Access>): Access => ({
  userId: 1,
  roles: [],
  permissions: new Set(),
  dataScope: 'self',
  departmentIds: [2],
  scopeDepartmentIds: [],
  ...over,
});

describe('canSee', () => {
  it('lets `self` see only what the user owns', () => {
    const me = access({ dataScope: 'self' });

    expect([canSee(me, { ownerUserId: 1, departmentId: 3 }), canSee(me, { ownerUserId: 2, departmentId: 2 })]).toEqual([true, false]);
  });

  it('lets a department scope see its departments’ records and the user’s own anywhere', () => {
    const manager = access({ dataScope: 'department_tree', scopeDepartmentIds: [2, 6] });

    expect([
      canSee(manager, { ownerUserId: 9, departmentId: 6 }),
      canSee(manager, { ownerUserId: 1, departmentId: 3 }),
      canSee(manager, { ownerUserId: 9, departmentId: 3 }),
      canSee(manager, { ownerUserId: 9, departmentId: null }),
    ]).toEqual([true, true, false, false]);
  });

  it('lets `all` see everything', () => {
    expect(canSee(access({ dataScope: 'all' }), { ownerUserId: 42, departmentId: null })).toBe(true);
  });
});
