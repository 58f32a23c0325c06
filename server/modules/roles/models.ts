import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { DataScopeKind, RoleGrantCode } from '@shared/permissions';
import { idColumn, modelsFor, TIMESTAMP_COLUMNS } from '../../db/model-registry';

export interface RoleRow {
  id: number;
  code: string;
  name: string;
  data_scope: DataScopeKind;
  /** JSON array of permission codes; `["*"]` for every permission. */
  permissions: string;
  is_system: boolean;
  created_at: Date;
  updated_at: Date;
}

/** Why a user holds a role (migration 0026): only a `leader` grant is ever taken back by a sync. */
export type GrantOrigin = 'hand' | 'leader' | 'default' | 'bootstrap';

export interface UserRoleRow {
  user_id: number;
  role_id: number;
  origin: GrantOrigin;
  created_at: Date;
  updated_at: Date;
}

export type RoleModel = ModelStatic<Model<RoleRow, Optional<RoleRow, 'id' | 'created_at' | 'updated_at' | 'is_system'>>>;
export type UserRoleModel = ModelStatic<Model<UserRoleRow, Optional<UserRoleRow, 'created_at' | 'updated_at' | 'origin'>>>;

export const roleModels = modelsFor((sequelize) => {
  const Role: RoleModel = sequelize.define(
    'Role',
    {
      id: idColumn(),
      code: DataTypes.STRING,
      name: DataTypes.STRING,
      data_scope: DataTypes.STRING,
      permissions: DataTypes.TEXT,
      is_system: DataTypes.BOOLEAN,
      ...TIMESTAMP_COLUMNS,
    },
    { tableName: 'roles', underscored: true },
  );
  const UserRole: UserRoleModel = sequelize.define(
    'UserRole',
    {
      user_id: { type: DataTypes.INTEGER, primaryKey: true },
      role_id: { type: DataTypes.INTEGER, primaryKey: true },
      origin: { type: DataTypes.STRING, defaultValue: 'hand' },
      ...TIMESTAMP_COLUMNS,
    },
    { tableName: 'user_roles', underscored: true },
  );
  return { Role, UserRole };
});

/**
 * A role's stored `permissions` JSON: written only through the roles routes' enum (and the
 * migrations' seeds), so every entry was a RoleGrantCode when written; a code a later version
 * dropped stays visible in the role and grants nothing (`accessFrom` keeps only known ones).
 */
export const storedGrants = (json: string): RoleGrantCode[] => JSON.parse(json) as RoleGrantCode[];
