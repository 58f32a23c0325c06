/**
 * What a user may do and see: permissions and the data scope, from their roles and their
 * departments (server/README.md#permissions-and-data-scopes). `scopeWhere` is the one filter every CRM query applies.
 */
// Raw SQL on other modules' tables, on purpose: roles sit below the org (the org grants them), so access
// reads the org's departments and memberships itself: the data scope is a join in every scoped query.
// The customers' scope also reads the pool's live entries (a customer in 公海 is nobody's, below).
import { Op, QueryTypes, literal, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { sqlList } from '../../db/dialect';
import { ALL_PERMISSIONS, DATA_SCOPES, isPermission, type DataScopeKind, type Permission } from '@shared/permissions';

export interface Access {
  userId: number;
  roles: { code: string; name: string }[];
  permissions: ReadonlySet<Permission>;
  dataScope: DataScopeKind;
  /** The user's own departments. */
  departmentIds: readonly number[];
  /** Departments whose records the user sees: own (department) or own + descendants (department_tree). */
  scopeDepartmentIds: readonly number[];
}

/** How wide a data scope is: the widest of a user's roles applies. */
export const BREADTH: Record<DataScopeKind, number> = { self: 0, department: 1, department_tree: 2, all: 3 };

/** A role as access is computed from it (`permissions` is the stored JSON array). */
interface GrantedRole {
  id: number;
  code: string;
  name: string;
  data_scope: DataScopeKind;
  permissions: string;
}

export async function loadAccess(sequelize: Sequelize, userId: number): Promise<Access> {
  // Roles and memberships in one round trip.
  const rows = await sequelize.query<{
    id: number | null;
    code: string | null;
    name: string | null;
    data_scope: DataScopeKind;
    permissions: string;
    department_id: number | null;
  }>(
    `SELECT r.id, r.code, r.name, r.data_scope, r.permissions, NULL AS department_id, r.id AS sort_key
       FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ?
     UNION ALL
     SELECT NULL, NULL, NULL, NULL, NULL, department_id, 0 FROM user_departments WHERE user_id = ?
     ORDER BY sort_key, department_id`,
    { replacements: [userId, userId], type: QueryTypes.SELECT },
  );
  const roles = rows.filter((r): r is typeof r & GrantedRole => r.code !== null);
  const departmentIds = rows.filter((r) => r.code === null).map((m) => Number(m.department_id));
  return accessFrom(sequelize, userId, roles, departmentIds);
}

/**
 * The columns and joins that bring a user's roles and departments beside another read (a row per
 * role × department, `access_*` columns; `accessOfRows` turns them into Access): the session
 * resolver reads the caller's session, user and access in one statement with them. Plain joins on
 * primary keys: MariaDB runs them about three times cheaper than JSON-aggregating subqueries.
 * `userIdColumn` is a trusted column reference (it is interpolated), e.g. `s.user_id`.
 */
export function accessJoinSql(userIdColumn: string): { columns: string; joins: string } {
  return {
    columns:
      'ar.id AS access_role_id, ar.code AS access_role_code, ar.name AS access_role_name, ar.data_scope AS access_role_data_scope, ' +
      'ar.permissions AS access_role_permissions, aud.department_id AS access_department_id',
    joins: `LEFT JOIN user_roles aur ON aur.user_id = ${userIdColumn} LEFT JOIN roles ar ON ar.id = aur.role_id
            LEFT JOIN user_departments aud ON aud.user_id = ${userIdColumn}`,
  };
}

/** The Access of `userId` from the rows of a read joined with `accessJoinSql`. */
export function accessOfRows(sequelize: Sequelize, userId: number, rows: readonly Record<string, unknown>[]): Promise<Access> {
  const roles = new Map<number, GrantedRole>();
  const departments = new Set<number>();
  for (const row of rows) {
    if (row.access_role_id !== null && row.access_role_id !== undefined) {
      const id = Number(row.access_role_id);
      if (!roles.has(id)) {
        roles.set(id, {
          id,
          code: row.access_role_code as string,
          name: row.access_role_name as string,
          data_scope: row.access_role_data_scope as DataScopeKind,
          permissions: row.access_role_permissions as string,
        });
      }
    }
    if (row.access_department_id !== null && row.access_department_id !== undefined) departments.add(Number(row.access_department_id));
  }
  return accessFrom(
    sequelize,
    userId,
    [...roles.values()].sort((x, y) => x.id - y.id),
    [...departments].sort((x, y) => x - y),
  );
}

async function accessFrom(sequelize: Sequelize, userId: number, roles: readonly GrantedRole[], departmentIds: number[]): Promise<Access> {
  // The widest scope any role grants wins; permissions are the union.
  let dataScope: DataScopeKind = 'self';
  const permissions = new Set<Permission>();
  for (const role of roles) {
    if (DATA_SCOPES.includes(role.data_scope) && BREADTH[role.data_scope] > BREADTH[dataScope]) dataScope = role.data_scope;
    // A code a newer version dropped grants nothing.
    for (const p of JSON.parse(role.permissions) as string[]) {
      if (p === '*') ALL_PERMISSIONS.forEach((q) => permissions.add(q));
      else if (isPermission(p)) permissions.add(p);
    }
  }

  let scopeDepartmentIds: number[] = [];
  if (dataScope === 'department') scopeDepartmentIds = departmentIds;
  if (dataScope === 'department_tree') scopeDepartmentIds = await descendantsOf(sequelize, departmentIds);

  return {
    userId,
    roles: roles.map(({ code, name }) => ({ code, name })),
    permissions,
    dataScope,
    departmentIds,
    scopeDepartmentIds,
  };
}

/**
 * The department tree (parent → children), read once and kept for a few seconds: every
 * department-tree scope needs it on every request, and a 1,000-department table is not worth
 * re-reading each time. Department writes drop it when they commit (`forgetDepartmentTree`).
 */
const TREE_TTL_MS = 5_000;
const trees = new WeakMap<Sequelize, { children: Map<number, number[]>; expires: number }>();

async function departmentChildren(sequelize: Sequelize): Promise<Map<number, number[]>> {
  const cached = trees.get(sequelize);
  if (cached && cached.expires > Date.now()) return cached.children;
  const all = await sequelize.query<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM departments WHERE deleted_at IS NULL', {
    type: QueryTypes.SELECT,
  });
  const children = new Map<number, number[]>();
  for (const d of all) {
    if (d.parent_id === null) continue;
    const parent = Number(d.parent_id);
    children.set(parent, [...(children.get(parent) ?? []), Number(d.id)]);
  }
  trees.set(sequelize, { children, expires: Date.now() + TREE_TTL_MS });
  return children;
}

/** Call when departments change; pass the writing transaction to drop the tree once it commits. */
export function forgetDepartmentTree(sequelize: Sequelize, transaction?: Transaction): void {
  const forget = () => {
    trees.delete(sequelize);
  };
  if (transaction) transaction.afterCommit(forget);
  else forget();
}

/** The given departments and all their descendants (active departments only). */
export async function descendantsOf(sequelize: Sequelize, roots: readonly number[]): Promise<number[]> {
  if (roots.length === 0) return [];
  const children = await departmentChildren(sequelize);
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return [...seen].sort((a, b) => a - b);
}

export interface ScopeColumns {
  owner: string;
  department: string;
}

/**
 * The WHERE clause restricting a query to what `access` may see. `self`: records the user owns;
 * `department` / `department_tree`: records of those departments, plus the user's own wherever
 * they sit; `all`: no restriction.
 */
export function scopeWhere(access: Access, columns: ScopeColumns = { owner: 'owner_user_id', department: 'department_id' }): WhereOptions {
  switch (access.dataScope) {
    case 'all':
      return {};
    case 'self':
      return { [columns.owner]: access.userId };
    case 'department':
    case 'department_tree':
      return {
        [Op.or]: [
          { [columns.owner]: access.userId },
          ...(access.scopeDepartmentIds.length ? [{ [columns.department]: { [Op.in]: [...access.scopeDepartmentIds] } }] : []),
        ],
      };
  }
}

/**
 * A customer in 公海 is nobody's (server/README.md#customer-pool-公海): it keeps its last owner on
 * file (the cool-down's former owner), but the owner branch of the scope does not reach it, so it
 * leaves that owner's list, figures and workbench; its department's managers still see it (they
 * assign from the pool), and the pool page lists it for those who may claim it. An open stay is a
 * row of `customer_pool_entries` whose `live_customer_id` is the customer.
 */
export const inPoolSql = (customerIdColumn: string) => `EXISTS (SELECT 1 FROM customer_pool_entries pe WHERE pe.live_customer_id = ${customerIdColumn})`;

/** The owner column of `customers` as the scope reads it: NULL (nobody) while the customer is in 公海. `alias` is the customers alias. */
export const customerOwnerSql = (alias: string) => `(CASE WHEN ${inPoolSql(`${alias}.id`)} THEN NULL ELSE ${alias}.owner_user_id END)`;

/** Customers not in 公海 (a Sequelize condition on the customers model). */
export const notInPoolWhere = (): WhereOptions => ({
  id: { [Op.notIn]: literal('(SELECT live_customer_id FROM customer_pool_entries WHERE live_customer_id IS NOT NULL)') },
});

/** `scopeSql` for customers (`alias` the customers alias): the owner branch stops at a customer in 公海. */
export const customerScopeSql = (access: Access, alias = 'c') => scopeSql(access, { owner: customerOwnerSql(alias), department: `${alias}.department_id` });

/** The same check for one already-loaded record. */
export function canSee(access: Access, record: { ownerUserId: number | null; departmentId: number | null }): boolean {
  switch (access.dataScope) {
    case 'all':
      return true;
    case 'self':
      return record.ownerUserId === access.userId;
    default:
      return record.ownerUserId === access.userId || (record.departmentId !== null && access.scopeDepartmentIds.includes(record.departmentId));
  }
}

/**
 * `scopeWhere` for raw SQL (dashboard aggregates): a condition on `owner` / `department` columns
 * (trusted identifiers, e.g. `c.owner_user_id`) and its replacements.
 */
export function scopeSql(access: Access, columns: ScopeColumns): { sql: string; params: unknown[] } {
  switch (access.dataScope) {
    case 'all':
      return { sql: '1 = 1', params: [] };
    case 'self':
      return { sql: `${columns.owner} = ?`, params: [access.userId] };
    case 'department':
    case 'department_tree': {
      const departments = access.scopeDepartmentIds;
      if (!departments.length) return { sql: `${columns.owner} = ?`, params: [access.userId] };
      return { sql: `(${columns.owner} = ? OR ${columns.department} IN (${sqlList(departments)}))`, params: [access.userId, ...departments] };
    }
  }
}
