import type { MeResponse, Permission } from '@shared/permissions';
import { useSessionStore } from '@/stores/session';

/**
 * What the caller may do, from their permissions in /api/me (h5/README.md#permissions-and-homes):
 * a page shows a button only when `can(...)` says the action would be allowed, so a read-only role
 * (运营, 合规) never meets a button that fails with 「需要权限」. Reactive in templates and computeds.
 *
 *   const { can } = useCan();
 *   <van-button v-if="can('customer.write')">编辑</van-button>
 */
export function useCan() {
  const session = useSessionStore();
  /** Holds the permission (a role with `*` holds all: /api/me lists them expanded). */
  const can = (permission: Permission): boolean => session.me?.permissions.includes(permission) ?? false;
  /** Holds any one of these. */
  const canAny = (permissions: Permission | readonly Permission[]): boolean => (typeof permissions === 'string' ? [permissions] : permissions).some(can);
  return { can, canAny };
}

/**
 * Where each role lands (`/`, and a page its role may not open): 合规 their workspace, 运营 the data
 * and import view, managers their team's board, reps their workbench. Read from what the caller
 * may do, not from role codes, so a corp's own roles land by what they hold.
 */
export function homeOf(me: Pick<MeResponse, 'permissions' | 'dataScope'> | null): string {
  if (!me) return '/workbench';
  const holds = (p: Permission) => me.permissions.includes(p);
  if (!holds('customer.write')) {
    if (holds('compliance.view')) return '/compliance';
    if (holds('import.run') || holds('engagement.manage')) return '/operations';
    return '/customers';
  }
  if (me.dataScope !== 'self' && holds('dashboard.view')) return '/dashboard';
  return '/workbench';
}
