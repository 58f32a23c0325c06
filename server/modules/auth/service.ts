import type { Sequelize } from 'sequelize';
import type { Config } from '../../../config';
import type { IdentityResolver } from '../../http/auth';
import { sessionUserId } from './session';
import type { MeResponse } from '@shared/permissions';
import { DomainError, forbidden } from '../../errors';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import { audit } from '../audit/service';
import type { UserRow } from '../org/models';
import { DirectoryReader } from '../org/directory';
import {
  applyDepartments,
  applyEmployee,
  applyGrantedDetails,
  departmentsOfUser,
  findUserById,
  findUserByWecomId,
  recordLogin,
  type RoleBootstrap,
} from '../org/service';
import { loadAccess, type Access } from '../roles/access';
import { grantRoles } from '../roles/service';

const INVALID_CODE = 40029;

/**
 * Exchanges an OAuth code for the local user. An employee not synced yet is read from WeCom
 * (through the directory reader: whatever secret may) and created; only active employees may log
 * in. With the snsapi_privateinfo scope the employee's consent brings a `user_ticket`, and with it
 * the mobile, e-mail and avatar WeCom no longer gives apps otherwise (96443).
 */
export async function loginWithCode(deps: { sequelize: Sequelize; wecom: WecomClient; bootstrap: RoleBootstrap }, code: string, ip: string): Promise<UserRow> {
  const { sequelize, wecom } = deps;
  let userid: string | undefined;
  let userTicket: string | undefined;
  try {
    ({ userid, user_ticket: userTicket } = await wecom.getUserInfo(code));
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === INVALID_CODE) {
      throw new DomainError('invalid', 'invalid_code', '登录凭证无效或已过期，请重新登录');
    }
    throw err;
  }
  if (!userid) throw forbidden('仅企业成员可以登录，请使用企业微信账号打开');

  let user = await findUserByWecomId(sequelize, userid);
  if (!user) {
    // Not synced yet: create the employee, and the departments it belongs to if we lack them.
    const directory = new DirectoryReader(wecom);
    const detail = await directory.member(userid, []);
    if (!detail) throw forbidden('企业微信中没有这位成员，请联系管理员');
    const departments = (await directory.departments()).filter((d) => detail.department.includes(d.id));
    await sequelize.transaction(async (t) => {
      await applyDepartments(sequelize, departments, t, new Date(), false);
      await applyEmployee(sequelize, detail, deps.bootstrap, t);
    });
    user = await findUserByWecomId(sequelize, userid);
  }
  if (!user || user.status !== 'active') {
    throw forbidden('你的账号已停用或已离职，无法登录。如有疑问请联系管理员', 'account_inactive');
  }
  if (deps.bootstrap.adminUserIds.includes(userid)) await grantRoles(sequelize, user.id, ['admin']);
  if (userTicket) await applyGrantedDetails(sequelize, user.id, await wecom.getUserDetail(userTicket));
  await recordLogin(sequelize, user.id);
  await audit(
    sequelize,
    { userId: user.id, label: user.wecom_userid, ip },
    { action: 'auth.login', entity: 'user', entityId: user.id, summary: `${user.name} 登录` },
  );
  return user;
}

export async function describeMe(sequelize: Sequelize, user: UserRow, access: Access): Promise<MeResponse> {
  return {
    user: {
      id: user.id,
      wecomUserid: user.wecom_userid,
      name: user.name,
      avatar: user.avatar,
      position: user.position,
      mobile: user.mobile,
      email: user.email,
    },
    departments: await departmentsOfUser(sequelize, user.id),
    roles: access.roles,
    dataScope: access.dataScope,
    permissions: [...access.permissions].sort(),
  };
}

/**
 * The caller behind a request's session cookie: an active employee and their access, put on
 * `ctx.state` for routes (see caller.ts); the access is what the HTTP edge checks permissions on.
 */
export function sessionCaller(config: Config, sequelize: Sequelize): IdentityResolver {
  return async (ctx) => {
    const userId = await sessionUserId(ctx, config, sequelize);
    if (userId === null) return null;
    const user = await findUserById(sequelize, userId);
    if (user?.status !== 'active') return null;
    const access = await loadAccess(sequelize, user.id);
    ctx.state.user = user;
    ctx.state.access = access;
    return access;
  };
}
