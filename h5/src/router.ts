import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Permission } from '@shared/permissions';
import { ADMIN_PERMISSIONS } from './admin-permissions';
import { homeOf } from './composables/useCan';
import { useSessionStore } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title shown in the nav bar and the document title. */
    title: string;
    /** Pages reached from the tab bar show it; detail pages don't. */
    tab?: boolean;
    /** Pages only some roles may open (holding any one of these): others are sent to their home (homeOf). */
    permission?: Permission | readonly Permission[];
    /** A page for someone who is not an employee (the customer's 风险测评): no login, no session. */
    public?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  {
    // The customer's own 风险测评, opened from the link a rep sent (WeChat or any browser): outside the login guard.
    path: '/risk-survey/:token',
    name: 'risk-survey',
    component: () => import('./pages/public/RiskSurveyPage.vue'),
    meta: { title: '风险测评', public: true },
  },
  {
    // Each role's own home (composables/useCan.ts homeOf): 合规 their workspace, 运营 the data view,
    // managers the board, reps the workbench. The guard below has loaded the session by now.
    path: '/',
    name: 'home',
    component: () => import('./pages/workbench/WorkbenchPage.vue'),
    beforeEnter: (to) => ({ path: homeOf(useSessionStore().me), query: to.query, replace: true }),
  },
  {
    path: '/customers',
    name: 'customers',
    component: () => import('./pages/customers/CustomersPage.vue'),
    meta: { title: '客户', tab: true },
  },
  {
    path: '/customers/new',
    name: 'customer-new',
    component: () => import('./pages/customers/CustomerFormPage.vue'),
    meta: { title: '新建客户', permission: 'customer.write' },
  },
  {
    path: '/customers/:id(\\d+)/edit',
    name: 'customer-edit',
    component: () => import('./pages/customers/CustomerFormPage.vue'),
    meta: { title: '编辑客户', permission: 'customer.write' },
  },
  {
    path: '/customers/:id(\\d+)/merge',
    name: 'customer-merge',
    component: () => import('./pages/customers/CustomerMergePage.vue'),
    meta: { title: '合并重复客户', permission: 'customer.merge' },
  },
  {
    path: '/customers/:id(\\d+)',
    name: 'customer',
    component: () => import('./pages/customers/CustomerDetailPage.vue'),
    meta: { title: '客户详情' },
  },
  {
    path: '/opportunities',
    name: 'opportunities',
    component: () => import('./pages/opportunities/OpportunitiesPage.vue'),
    meta: { title: '商机', permission: 'customer.read' },
  },
  {
    path: '/pool',
    name: 'pool',
    component: () => import('./pages/pool/PoolPage.vue'),
    meta: { title: '公海', permission: 'customer.read' },
  },
  {
    path: '/sales',
    name: 'sales',
    component: () => import('./pages/sales/SalesPage.vue'),
    meta: { title: '我的销售', permission: 'sales.read' },
  },
  {
    path: '/sales/new',
    name: 'sale-new',
    component: () => import('./pages/sales/SaleFormPage.vue'),
    meta: { title: '录入销售', permission: 'sales.write' },
  },
  {
    path: '/sales/:id(\\d+)/edit',
    name: 'sale-edit',
    component: () => import('./pages/sales/SaleFormPage.vue'),
    meta: { title: '编辑销售', permission: 'sales.write' },
  },
  {
    path: '/mass-messages',
    name: 'mass-messages',
    component: () => import('./pages/outreach/MassMessagesPage.vue'),
    meta: { title: '客户群发' },
  },
  {
    path: '/mass-messages/new',
    name: 'mass-message-new',
    component: () => import('./pages/outreach/MassMessageCreatePage.vue'),
    meta: { title: '新建群发', permission: 'mass_message.manage' },
  },
  {
    path: '/mass-messages/:id(\\d+)',
    name: 'mass-message',
    component: () => import('./pages/outreach/MassMessageDetailPage.vue'),
    meta: { title: '群发详情' },
  },
  {
    path: '/approvals',
    name: 'approvals',
    component: () => import('./pages/approvals/ApprovalsPage.vue'),
    meta: { title: '审批' },
  },
  {
    path: '/approvals/:id(\\d+)',
    name: 'approval',
    component: () => import('./pages/approvals/ApprovalDetailPage.vue'),
    meta: { title: '审批详情' },
  },
  {
    path: '/partners',
    name: 'partners',
    component: () => import('./pages/partners/PartnersPage.vue'),
    meta: { title: '代销机构', permission: 'partner.read' },
  },
  {
    path: '/partners/:id(\\d+)',
    name: 'partner',
    component: () => import('./pages/partners/PartnerDetailPage.vue'),
    meta: { title: '代销机构', permission: 'partner.read' },
  },
  {
    path: '/products',
    name: 'products',
    component: () => import('./pages/partners/ProductsPage.vue'),
    meta: { title: '产品', permission: 'product.read' },
  },
  // Manager side (看板 / 目标 / 代销机构与产品 / 管理): added after '/products'.
  {
    path: '/products/new',
    name: 'product-new',
    component: () => import('./pages/partners/ProductFormPage.vue'),
    meta: { title: '新建产品', permission: 'product.manage' },
  },
  {
    path: '/products/:id(\\d+)/edit',
    name: 'product-edit',
    component: () => import('./pages/partners/ProductFormPage.vue'),
    meta: { title: '编辑产品', permission: 'product.manage' },
  },
  {
    path: '/products/:id(\\d+)',
    name: 'product',
    component: () => import('./pages/partners/ProductDetailPage.vue'),
    meta: { title: '产品详情', permission: 'product.read' },
  },
  {
    path: '/partners/new',
    name: 'partner-new',
    component: () => import('./pages/partners/PartnerFormPage.vue'),
    meta: { title: '新建代销机构', permission: 'partner.write' },
  },
  {
    path: '/partners/:id(\\d+)/edit',
    name: 'partner-edit',
    component: () => import('./pages/partners/PartnerFormPage.vue'),
    meta: { title: '编辑代销机构', permission: 'partner.write' },
  },
  {
    path: '/targets',
    name: 'targets',
    component: () => import('./pages/targets/TargetsPage.vue'),
    meta: { title: '目标设置', permission: 'target.manage' },
  },
  {
    path: '/aum',
    name: 'aum',
    component: () => import('./pages/aum/AumPage.vue'),
    meta: { title: '资产规模', permission: 'dashboard.view' },
  },
  {
    path: '/transfers',
    name: 'transfers',
    component: () => import('./pages/transfers/TransfersPage.vue'),
    meta: { title: '客户转接', permission: 'customer.transfer' },
  },
  {
    path: '/follow-ups',
    name: 'my-follow-ups',
    component: () => import('./pages/follow-ups/MyFollowUpsPage.vue'),
    meta: { title: '我的跟进', permission: 'customer.write' },
  },
  {
    path: '/workbench',
    name: 'workbench',
    component: () => import('./pages/workbench/WorkbenchPage.vue'),
    meta: { title: '工作台', tab: true },
  },
  {
    path: '/compliance',
    name: 'compliance',
    component: () => import('./pages/compliance/CompliancePage.vue'),
    meta: { title: '合规工作台', tab: true, permission: 'compliance.view' },
  },
  {
    path: '/operations',
    name: 'operations',
    component: () => import('./pages/operations/OperationsPage.vue'),
    meta: { title: '数据与运营', tab: true, permission: ['import.run', 'engagement.manage'] },
  },
  {
    path: '/dashboard',
    name: 'dashboard',
    component: () => import('./pages/dashboard/DashboardPage.vue'),
    meta: { title: '看板', tab: true, permission: 'dashboard.view' },
  },
  {
    path: '/admin',
    name: 'admin',
    component: () => import('./pages/admin/AdminPage.vue'),
    meta: { title: '管理', tab: true, permission: ADMIN_PERMISSIONS },
  },
  {
    path: '/admin/roles',
    name: 'admin-roles',
    component: () => import('./pages/admin/RolesPage.vue'),
    meta: { title: '角色与人员', permission: 'role.manage' },
  },
  {
    path: '/admin/dictionaries',
    name: 'admin-dictionaries',
    component: () => import('./pages/admin/DictionariesPage.vue'),
    meta: { title: '字典', permission: 'dictionary.manage' },
  },
  {
    path: '/admin/import',
    name: 'admin-import',
    component: () => import('./pages/admin/ImportPage.vue'),
    meta: { title: '导入', permission: 'import.run' },
  },
  {
    path: '/admin/notifications',
    name: 'admin-notifications',
    component: () => import('./pages/admin/NotificationsPage.vue'),
    meta: { title: '提醒与通知', permission: 'settings.manage' },
  },
  {
    path: '/admin/approval-rules',
    name: 'admin-approval-rules',
    component: () => import('./pages/admin/ApprovalRulesPage.vue'),
    meta: { title: '审批规则', permission: 'approval.manage' },
  },
  {
    path: '/admin/risk-questionnaires',
    name: 'admin-risk-questionnaires',
    component: () => import('./pages/admin/RiskQuestionnairesPage.vue'),
    meta: { title: '风险测评问卷', permission: 'settings.manage' },
  },
  {
    path: '/admin/audit',
    name: 'admin-audit',
    component: () => import('./pages/admin/AuditPage.vue'),
    meta: { title: '审计日志', permission: 'audit.read' },
  },
  {
    path: '/admin/welcome',
    name: 'admin-welcome',
    component: () => import('./pages/admin/WelcomePage.vue'),
    meta: { title: '欢迎语', permission: 'engagement.manage' },
  },
  {
    path: '/admin/welcome/edit',
    name: 'admin-welcome-edit',
    component: () => import('./pages/admin/WelcomeEditPage.vue'),
    meta: { title: '编辑欢迎语', permission: 'engagement.manage' },
  },
  {
    path: '/admin/contact-ways',
    name: 'admin-contact-ways',
    component: () => import('./pages/admin/ContactWaysPage.vue'),
    meta: { title: '渠道活码', permission: 'engagement.manage' },
  },
  {
    path: '/admin/contact-ways/new',
    name: 'admin-contact-way-new',
    component: () => import('./pages/admin/ContactWayFormPage.vue'),
    meta: { title: '新建渠道活码', permission: 'engagement.manage' },
  },
  {
    path: '/admin/contact-ways/:id(\\d+)/edit',
    name: 'admin-contact-way-edit',
    component: () => import('./pages/admin/ContactWayFormPage.vue'),
    meta: { title: '编辑渠道活码', permission: 'engagement.manage' },
  },
  {
    path: '/admin/corp-tags',
    name: 'admin-corp-tags',
    component: () => import('./pages/admin/CorpTagsPage.vue'),
    meta: { title: '标签管理', permission: 'engagement.manage' },
  },
  {
    path: '/admin/quick-replies',
    name: 'admin-quick-replies',
    component: () => import('./pages/admin/QuickRepliesPage.vue'),
    meta: { title: '话术库', permission: 'engagement.manage' },
  },
  {
    path: '/me',
    name: 'me',
    component: () => import('./pages/me/MePage.vue'),
    meta: { title: '我的', tab: true },
  },
  {
    // Opened in the WeCom chat sidebar (聊天工具栏); its own chunk, no tab bar.
    path: '/sidebar',
    name: 'sidebar',
    component: () => import('./pages/sidebar/SidebarPage.vue'),
    meta: { title: '客户侧边栏' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./pages/NotFoundPage.vue'),
    meta: { title: '页面不存在' },
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

// Every page needs the logged-in user; the first navigation loads it (or starts the login).
router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const session = useSessionStore();
  await session.ensure();
  if (to.meta.permission && session.me && !session.holdsAny(to.meta.permission)) return { path: homeOf(session.me), replace: true };
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.public ? to.meta.title : `${to.meta.title} · 企微客户管理`;
});
