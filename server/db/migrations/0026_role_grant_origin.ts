import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * Why a user holds a role (`user_roles.origin`): `hand` (an admin set it in 管理 → 角色), `leader`
 * (granted because WeCom names them a department leader, is_leader_in_dept), `default` (the role
 * a new member gets from their department) or `bootstrap` (WECOM_ADMIN_USERIDS). The org sync
 * takes back a `leader` grant when the leadership ends; a role given by hand is never taken back.
 *
 * Rows on file predate the column: they count as given by hand, except `manager` held by someone
 * who leads a department today, which the sync granted (and takes back once they stop leading).
 */
export const migration: Migration = {
  name: '0026_role_grant_origin',
  async up({ queryInterface: q, sequelize }) {
    await q.addColumn('user_roles', 'origin', { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'hand' });
    await sequelize.query(
      `UPDATE user_roles SET origin = 'leader'
        WHERE role_id IN (SELECT id FROM roles WHERE code = 'manager')
          AND user_id IN (SELECT user_id FROM user_departments WHERE is_leader = ?)`,
      { replacements: [true] },
    );
  },
  async down({ queryInterface: q }) {
    await q.removeColumn('user_roles', 'origin');
  },
};
