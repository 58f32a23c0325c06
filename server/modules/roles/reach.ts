/**
 * What a role manager may hand out: only permissions and a data scope they hold themselves
 * (issue 29). Without this a holder of `role.manage` alone could grant itself `admin`, or write
 * `*` into a role it holds. Every path that puts permissions in someone's hands checks it: a role
 * created or edited, roles set on a user, a department's default role for new members.
 */
import { ALL_PERMISSIONS, DATA_SCOPE_LABELS, PERMISSIONS, isPermission, type DataScopeKind, type RoleGrantCode } from '@shared/permissions';
import { forbidden } from '../../errors';
import { BREADTH, type Access } from './access';

/** Who changes roles: a person's access, or the system itself (CLI, bootstrap, tests), which may grant anything. */
export type Grantor = Access | 'system';

export interface RoleGrant {
  name: string;
  dataScope: DataScopeKind;
  /** Stored codes; `*` is every permission. */
  permissions: readonly RoleGrantCode[];
}

/** Throws 403 (in Chinese, naming what is missing) when `role` grants more than `grantor` holds. */
export function requireWithinReach(grantor: Grantor, role: RoleGrant, what = `角色「${role.name}」`): void {
  if (grantor === 'system') return;
  const granted = role.permissions.includes('*') ? ALL_PERMISSIONS : role.permissions.filter(isPermission);
  const lacking = granted.filter((p) => !grantor.permissions.has(p));
  if (lacking.length) {
    throw forbidden(`${what}包含你没有的权限：${lacking.map((p) => PERMISSIONS[p]).join('、')}。只能授予自己拥有的权限`, 'beyond_own_permissions');
  }
  if (BREADTH[role.dataScope] > BREADTH[grantor.dataScope]) {
    throw forbidden(
      `${what}的数据范围（${DATA_SCOPE_LABELS[role.dataScope]}）大于你自己的（${DATA_SCOPE_LABELS[grantor.dataScope]}）。只能授予自己拥有的数据范围`,
      'beyond_own_permissions',
    );
  }
}
