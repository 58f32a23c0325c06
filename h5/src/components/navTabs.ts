import type { Permission } from '@shared/permissions';
import { computed } from 'vue';
import { ADMIN_PERMISSIONS } from '@/admin-permissions';
import { homeOf, useCan } from '@/composables/useCan';
import { useSessionStore } from '@/stores/session';

export interface NavTab {
  to: string;
  label: string;
  icon: string;
  permission?: Permission | readonly Permission[];
}

/**
 * The top-level areas, as the tab bar (phone) and the side navigation (desktop) show them; an entry
 * guarded by a permission shows only to those who hold it. The second is the caller's home: 工作台
 * for those who work customers, 合规 for compliance, 运营 for operations.
 */
const HOME_TABS: Record<string, NavTab> = {
  '/compliance': { to: '/compliance', label: '合规', icon: 'shield-o' },
  '/operations': { to: '/operations', label: '运营', icon: 'cluster-o' },
};

export function useNavTabs() {
  const session = useSessionStore();
  const { canAny } = useCan();
  return computed(() => {
    const all: NavTab[] = [
      { to: '/customers', label: '客户', icon: 'friends-o' },
      HOME_TABS[homeOf(session.me)] ?? { to: '/workbench', label: '工作台', icon: 'apps-o' },
      { to: '/dashboard', label: '看板', icon: 'chart-trending-o', permission: 'dashboard.view' },
      { to: '/admin', label: '管理', icon: 'setting-o', permission: ADMIN_PERMISSIONS },
      { to: '/me', label: '我的', icon: 'user-o' },
    ];
    return all.filter((t) => !t.permission || canAny(t.permission));
  });
}
