import { QueryTypes, type Sequelize } from 'sequelize';
// Raw SQL on other modules' tables, on purpose: the caller read is one statement over the session, its user
// and their roles (sessions, users, roles/access's joins): every request runs it, and a read per module
// would triple its round trips.
import type { Config } from '../../../config';
import type { IdentityResolver } from '../../http/auth';
import { sessionToken } from './session';
import type { MeResponse } from '@shared/permissions';
import { DomainError, forbidden } from '../../errors';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import { audit } from '../audit/service';
import { orgModels, type UserRow } from '../org/models';
import { DirectoryReader } from '../org/directory';
import { applyDepartments, applyEmployee, applyGrantedDetails, departmentsOfUser, findUserByWecomId, recordLogin, type RoleBootstrap } from '../org/service';
import { accessJoinSql, accessOfRows, type Access } from '../roles/access';
import { grantRoles } from '../roles/service';
import { checkSession, SESSION_STATE_COLUMNS, sessionKey, sessionStateOf, type SessionPolicy } from '../sessions/service';

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
  if (deps.bootstrap.adminUserIds.includes(userid)) await grantRoles(sequelize, user.id, [{ code: 'admin', origin: 'bootstrap' }]);
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
    const token = sessionToken(ctx);
    if (!token) return null;
    const caller = await readCaller(sequelize, config.sessions, token);
    if (!caller) return null;
    ctx.state.user = caller.user;
    ctx.state.access = caller.access;
    return caller.access;
  };
}

/** The caller read's statement and the users columns it brings (timestamps marked), per Sequelize instance. */
const callerStatements = new WeakMap<Sequelize, { sql: string; users: string[]; dates: Set<string> }>();

function callerStatement(sequelize: Sequelize): { sql: string; users: string[]; dates: Set<string> } {
  let statement = callerStatements.get(sequelize);
  if (!statement) {
    const attributes = orgModels(sequelize).User.getAttributes() as Record<string, { field?: string; type: { key?: string } }>;
    // createdAt / updatedAt are the timestamps' aliases of created_at / updated_at.
    const users = Object.keys(attributes).filter((n) => (attributes[n]!.field ?? n) === n);
    const access = accessJoinSql('s.user_id');
    const sql = `SELECT ${SESSION_STATE_COLUMNS}, ${users.map((c) => `u.${c}`).join(', ')}, ${access.columns}
                   FROM sessions s JOIN users u ON u.id = s.user_id ${access.joins}
                  WHERE s.id = ?`;
    statement = { sql, users, dates: new Set(users.filter((n) => attributes[n]!.type.key === 'DATE')) };
    callerStatements.set(sequelize, statement);
  }
  return statement;
}

/**
 * The caller of a session token: the session, its user and the user's access in one statement (a
 * row per role × department), since this runs before every authenticated request. The parts stay with their modules — the
 * sessions module judges the session (revoked, expired, idle; `last_seen_at` touched at most once
 * a minute), roles computes the access — and auth, which composes sessions, org and roles anyway,
 * joins their reads here. Only the statement's text is kept, nothing read: a revoked session, a
 * disabled employee or a changed role shows on the very next request.
 */
export async function readCaller(
  sequelize: Sequelize,
  policy: SessionPolicy,
  token: string,
  now = new Date(),
): Promise<{ user: UserRow; access: Access } | null> {
  const { sql, users, dates } = callerStatement(sequelize);
  const rows = await sequelize.query<Record<string, unknown>>(sql, { replacements: [sessionKey(token)], type: QueryTypes.SELECT });
  const row = rows[0];
  if (!row || !(await checkSession(sequelize, policy, sessionStateOf(row), now))) return null;
  if (row.status !== 'active') return null;
  const user = Object.fromEntries(
    users.map((c) => [c, dates.has(c) && row[c] !== null && !(row[c] instanceof Date) ? new Date(row[c] as string) : row[c]]),
  ) as unknown as UserRow;
  return { user, access: await accessOfRows(sequelize, user.id, rows) };
}
