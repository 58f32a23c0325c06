import type { Permission } from '@shared/permissions';

/** Holding any of these opens 管理; each section inside asks for its own. */
export const ADMIN_PERMISSIONS: readonly Permission[] = [
  'org.sync',
  'admin.events',
  'role.manage',
  'dictionary.manage',
  'audit.read',
  'import.run',
  'settings.manage',
  'customer.transfer',
  'engagement.manage',
  'approval.manage',
];
