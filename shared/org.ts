/** People and departments as pickers and the admin pages show them. */
import type { UserStatus } from './permissions';

export interface DepartmentOption {
  id: number;
  name: string;
  parentId: number | null;
}

/** An active colleague someone may hand work to (transfer picker). */
export interface Colleague {
  id: number;
  wecomUserid: string;
  name: string;
  avatar: string | null;
  department: { id: number; name: string } | null;
}

/** An employee with the CRM roles they hold (管理 → 角色). */
export interface UserWithRoles {
  id: number;
  wecomUserid: string;
  name: string;
  status: UserStatus;
  department: { id: number; name: string } | null;
  roles: { code: string; name: string }[];
}

/** 新成员默认角色: the role a first-time member of this department (or a subdepartment) gets. */
export interface DepartmentRoleView {
  departmentId: number;
  departmentName: string;
  roleCode: string;
  roleName: string;
}
