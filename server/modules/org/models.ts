import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { UserStatus } from '@shared/permissions';
import { idColumn, modelsFor, TIMESTAMP_COLUMNS } from '../../db/model-registry';

interface Timestamps {
  created_at: Date;
  updated_at: Date;
}

export interface DepartmentRow extends Timestamps {
  /** The WeCom department id. */
  id: number;
  name: string;
  parent_id: number | null;
  sort_order: number;
  deleted_at: Date | null;
}

export interface UserRow extends Timestamps {
  id: number;
  wecom_userid: string;
  name: string;
  mobile: string | null;
  email: string | null;
  avatar: string | null;
  position: string | null;
  status: UserStatus;
  main_department_id: number | null;
  last_login_at: Date | null;
}

export interface UserDepartmentRow extends Timestamps {
  user_id: number;
  department_id: number;
  is_leader: boolean;
}

type AutoFields = keyof Timestamps;
export type DepartmentModel = ModelStatic<Model<DepartmentRow, Optional<DepartmentRow, AutoFields | 'deleted_at'>>>;
export type UserModel = ModelStatic<Model<UserRow, Optional<UserRow, AutoFields | 'id' | 'last_login_at'>>>;
export type UserDepartmentModel = ModelStatic<Model<UserDepartmentRow, Optional<UserDepartmentRow, AutoFields>>>;

export const orgModels = modelsFor((sequelize) => {
  const Department: DepartmentModel = sequelize.define(
    'Department',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true },
      name: DataTypes.STRING,
      parent_id: DataTypes.INTEGER,
      sort_order: DataTypes.BIGINT,
      deleted_at: DataTypes.DATE,
      ...TIMESTAMP_COLUMNS,
    },
    { tableName: 'departments', underscored: true },
  );
  const User: UserModel = sequelize.define(
    'User',
    {
      id: idColumn(),
      wecom_userid: DataTypes.STRING,
      name: DataTypes.STRING,
      mobile: DataTypes.STRING,
      email: DataTypes.STRING,
      avatar: DataTypes.STRING,
      position: DataTypes.STRING,
      status: DataTypes.STRING,
      main_department_id: DataTypes.INTEGER,
      last_login_at: DataTypes.DATE,
      ...TIMESTAMP_COLUMNS,
    },
    { tableName: 'users', underscored: true },
  );
  const UserDepartment: UserDepartmentModel = sequelize.define(
    'UserDepartment',
    {
      user_id: { type: DataTypes.INTEGER, primaryKey: true },
      department_id: { type: DataTypes.INTEGER, primaryKey: true },
      is_leader: DataTypes.BOOLEAN,
      ...TIMESTAMP_COLUMNS,
    },
    { tableName: 'user_departments', underscored: true },
  );
  return { Department, User, UserDepartment };
});
