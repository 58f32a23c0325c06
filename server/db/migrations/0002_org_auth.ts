import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/** Org structure, roles, sync runs, leases, OAuth states and the audit log (server/README.md#data-model, #sync-flow, #permissions-and-data-scopes). */
export const migration: Migration = {
  name: '0002_org_auth',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'departments',
      {
        // The WeCom department id: stable across renames and moves, unique in the corp.
        id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
        name: { type: DataTypes.STRING(128), allowNull: false },
        parent_id: { type: DataTypes.INTEGER, allowNull: true },
        sort_order: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('departments', ['parent_id'], { name: 'departments_parent_id' });

    await q.createTable(
      'users',
      {
        ...id,
        wecom_userid: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(64), allowNull: false },
        mobile: { type: DataTypes.STRING(32), allowNull: true },
        email: { type: DataTypes.STRING(128), allowNull: true },
        avatar: { type: DataTypes.STRING(512), allowNull: true },
        position: { type: DataTypes.STRING(128), allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
        main_department_id: { type: DataTypes.INTEGER, allowNull: true },
        last_login_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('users', ['main_department_id'], { name: 'users_main_department_id' });

    await q.createTable(
      'user_departments',
      {
        user_id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
        department_id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
        is_leader: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('user_departments', ['department_id'], { name: 'user_departments_department_id' });

    await q.createTable(
      'roles',
      {
        ...id,
        code: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(64), allowNull: false },
        data_scope: { type: DataTypes.STRING(32), allowNull: false },
        permissions: { type: DataTypes.TEXT, allowNull: false },
        is_system: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        ...timestamps,
      },
      tableOptions,
    );

    await q.createTable(
      'user_roles',
      {
        user_id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
        role_id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false, references: { model: 'roles', key: 'id' }, onDelete: 'CASCADE' },
        ...timestamps,
      },
      tableOptions,
    );

    await q.createTable(
      'sync_runs',
      {
        ...id,
        kind: { type: DataTypes.STRING(32), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        started_by: { type: DataTypes.INTEGER, allowNull: true },
        progress: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        phase: { type: DataTypes.STRING(64), allowNull: true },
        created_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        updated_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        unchanged_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        left_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        error: { type: DataTypes.TEXT, allowNull: true },
        started_at: { type: DataTypes.DATE, allowNull: false },
        finished_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('sync_runs', ['kind', 'status'], { name: 'sync_runs_kind_status' });

    await q.createTable(
      'leases',
      {
        name: { type: DataTypes.STRING(128), primaryKey: true, allowNull: false },
        owner: { type: DataTypes.STRING(128), allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );

    await q.createTable(
      'oauth_states',
      {
        id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        redirect: { type: DataTypes.STRING(1024), allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        used_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('oauth_states', ['expires_at'], { name: 'oauth_states_expires_at' });

    await q.createTable(
      'audit_logs',
      {
        ...id,
        actor_user_id: { type: DataTypes.INTEGER, allowNull: true },
        actor_label: { type: DataTypes.STRING(64), allowNull: false },
        action: { type: DataTypes.STRING(64), allowNull: false },
        entity: { type: DataTypes.STRING(64), allowNull: true },
        entity_id: { type: DataTypes.STRING(64), allowNull: true },
        summary: { type: DataTypes.STRING(512), allowNull: false },
        diff: { type: DataTypes.TEXT, allowNull: true },
        ip: { type: DataTypes.STRING(64), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('audit_logs', ['action', 'created_at'], { name: 'audit_logs_action_created_at' });
    await q.addIndex('audit_logs', ['entity', 'entity_id'], { name: 'audit_logs_entity' });
    await q.addIndex('audit_logs', ['actor_user_id', 'created_at'], { name: 'audit_logs_actor' });

    const now = new Date();
    await q.bulkInsert(
      'roles',
      DEFAULT_ROLES.map((r) => ({ ...r, permissions: JSON.stringify(r.permissions), is_system: true, created_at: now, updated_at: now })),
    );
  },
  async down({ queryInterface: q }) {
    for (const table of ['audit_logs', 'oauth_states', 'leases', 'sync_runs', 'user_roles', 'roles', 'user_departments', 'users', 'departments']) {
      await q.dropTable(table);
    }
  },
};

/** Seed roles as of this migration; later changes to defaults come in their own migrations. */
const DEFAULT_ROLES = [
  {
    code: 'admin',
    name: '系统管理员',
    data_scope: 'all',
    permissions: ['*'],
  },
  {
    code: 'manager',
    name: '部门经理',
    data_scope: 'department_tree',
    permissions: [
      'customer.read',
      'customer.write',
      'customer.transfer',
      'customer.export',
      'partner.read',
      'partner.write',
      'product.read',
      'sales.read',
      'sales.write',
      'target.read',
      'target.manage',
      'dashboard.view',
    ],
  },
  {
    code: 'sales',
    name: '销售',
    data_scope: 'self',
    permissions: ['customer.read', 'customer.write', 'partner.read', 'partner.write', 'product.read', 'sales.read', 'sales.write', 'target.read'],
  },
];
