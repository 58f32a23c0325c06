/** Permission codes (server/README.md#permissions-and-data-scopes). A role holding `*` has every permission. */
export const PERMISSIONS = {
  'customer.read': '查看客户',
  'customer.write': '编辑客户',
  'customer.transfer': '转移客户',
  'customer.export': '导出客户与代销机构',
  'customer.merge': '合并客户',
  /** Sends the customer the 风险测评问卷 (a rep no longer types a level: server/README.md#risk-questionnaire-风险测评问卷). */
  'customer.risk': '发送风险测评',
  /** Phones and ID numbers whole in lists and on the customer page; without it they are masked and a reveal is audited. */
  'customer.view_sensitive': '查看完整手机号和证件号',
  'partner.read': '查看代销机构',
  'partner.write': '编辑代销机构',
  'product.read': '查看产品',
  'product.manage': '管理产品',
  'sales.read': '查看销售',
  'sales.write': '录入销售',
  'sales.override_suitability': '适当性例外审批',
  /** A rep's buy above the customer's level goes to approval instead of being refused (server/README.md#approvals-审批). */
  'sales.request_exception': '提交适当性例外申请',
  'target.read': '查看目标',
  'target.manage': '管理目标',
  'dashboard.view': '查看看板',
  'import.run': '导入数据',
  'org.sync': '同步组织架构',
  'admin.events': '回调事件管理',
  'role.manage': '角色管理',
  'audit.read': '查看审计日志',
  'dictionary.manage': '字典管理',
  'settings.manage': '企业设置',
  'engagement.manage': '客户运营（欢迎语、渠道活码、标签、话术库）',
  'approval.manage': '审批规则设置',
  /** 合规工作台: every pending approval, the suitability ledger, exceptions, lapsing assessments, the audit log (server/README.md#compliance-workspace-合规). */
  'compliance.view': '合规工作台',
  /** Sets or corrects a customer's risk level by hand (合规, with a reason; audited). */
  'suitability.correct_level': '更正风险等级',
  /** 客户群发: build an audience, write the content, submit it to 合规, follow the results (server/README.md#客户群发). */
  'mass_message.manage': '客户群发',
  /** Approves 群发内容 (granted to 合规). */
  'mass_message.review': '群发内容审核',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

/** What a role stores and grants: a permission, or `*` for every one. */
export type RoleGrantCode = Permission | '*';

/** A stored or sent code that names a permission (a role may still hold one a newer version dropped). */
export const isPermission = (code: string): code is Permission => Object.hasOwn(PERMISSIONS, code);

export const DATA_SCOPES = ['self', 'department', 'department_tree', 'all'] as const;
export type DataScopeKind = (typeof DATA_SCOPES)[number];

export const DATA_SCOPE_LABELS: Record<DataScopeKind, string> = {
  self: '本人',
  department: '本部门',
  department_tree: '本部门及下级',
  all: '全部',
};

/** A role as 管理 → 角色 shows and edits it; `admin` keeps every permission (isSystem roles can't be removed). */
export interface RoleView {
  id: number;
  code: string;
  name: string;
  dataScope: DataScopeKind;
  permissions: RoleGrantCode[];
  isSystem: boolean;
}

export type UserStatus = 'active' | 'disabled' | 'left';

export interface MeResponse {
  user: {
    id: number;
    wecomUserid: string;
    name: string;
    avatar: string | null;
    position: string | null;
    /** Null until the employee grants it (WeCom withholds it from apps created after 2022-06-20). */
    mobile: string | null;
    email: string | null;
  };
  departments: { id: number; name: string; isLeader: boolean }[];
  roles: { code: string; name: string }[];
  dataScope: DataScopeKind;
  permissions: Permission[];
}
