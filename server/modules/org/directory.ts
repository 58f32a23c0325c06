/**
 * Reading the WeCom directory (通讯录) under today's rules, whatever the corp allows:
 *
 * - since 2022-08-15 the 通讯录同步 secret used from a new IP may not call `department/list`,
 *   `department/get`, `user/get` or `user/list` (48009 "api forbidden for contact assistant";
 *   96255 读取成员, 96260 获取部门成员详情, 90344 获取部门列表): only `user/list_id` (96269, that
 *   secret only) and `department/simplelist` (95406);
 * - the self-built app's secret reads details, but only inside the app's 可见范围 (60011 outside),
 *   and since 2022-06-20 without mobile, e-mail, avatar or gender (96255) — those come from the
 *   employee's own OAuth consent (snsapi_privateinfo, 96443);
 * - a third-party app is never given a real name (91122): the userid stands in.
 *
 * Each read tries the secrets in turn and remembers the first that answers; what was refused,
 * and what the admin can configure about it, is collected in Chinese for the sync run's notes.
 */
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import type { DirectorySecret, WecomDepartment, WecomUser } from '../../wecom/types';
import { wecomApiWords } from '../../wecom/errors';

// People read the secrets by what they are in the WeCom console, never by the variable that holds them.
const SECRET_NAMES: Record<DirectorySecret, string> = { contact: '通讯录同步 Secret', agent: '自建应用 Secret' };

/** "This secret may not call this API" (48002, 48009, 60011…): try the next secret. */
const isRefusal = (err: unknown): err is WecomApiError => err instanceof WecomApiError && err.refused;
const isGone = (err: unknown) => err instanceof WecomApiError && err.gone;

export class DirectoryReader {
  private readonly working = new Map<string, DirectorySecret>();
  private readonly probes = new Map<string, Promise<void>>();
  private readonly exhausted = new Set<string>();
  private readonly refused = new Map<string, { secret: DirectorySecret; errcode: number }[]>();
  /** What the admin should know about this read, in Chinese. */
  readonly notes: string[] = [];

  constructor(private readonly wecom: WecomClient) {}

  /** The department tree: `department/list`, else ids from `simplelist` with names from `department/get`. */
  async departments(): Promise<WecomDepartment[]> {
    const listed = await this.attempt('department/list', (secret) => this.wecom.listDepartments(undefined, secret));
    if (listed) {
      this.note('department/list');
      return listed.department;
    }
    const ids = await this.attempt('department/simplelist', (secret) => this.wecom.listDepartmentIds(undefined, secret));
    if (!ids) throw this.unreadable('department/simplelist');
    let unnamed = 0;
    const departments = await Promise.all(
      ids.department_id.map(async ({ id, parentid, order }) => {
        const detail = await this.attempt('department/get', (secret) => this.wecom.getDepartment(id, secret)).catch((err: unknown) => {
          if (isGone(err)) return null;
          throw err;
        });
        if (!detail) unnamed++;
        return { id, parentid, order, name: detail?.department.name ?? `部门 ${id}` };
      }),
    );
    this.note('department/list');
    if (unnamed)
      this.notes.push(`${unnamed} 个部门的名称无法读取，暂以部门 ID 显示：请把自建应用的可见范围设为全公司（管理后台 → 应用管理 → 本应用 → 可见范围）。`);
    return departments;
  }

  /** One department's details (`department/get`, else its entry in `department/list`), or null if gone. */
  async department(id: number): Promise<WecomDepartment | null> {
    try {
      const detail = await this.attempt('department/get', (secret) => this.wecom.getDepartment(id, secret));
      if (detail) return detail.department;
      const listed = await this.attempt('department/list', (secret) => this.wecom.listDepartments(id, secret));
      return listed?.department.find((d) => d.id === id) ?? null;
    } catch (err) {
      if (isGone(err)) return null;
      throw err;
    }
  }

  /**
   * Members with details from `user/list`, one call per department, or null when no secret may
   * call it (the caller then enumerates with `memberIds` and reads each with `member`).
   */
  async membersOf(departmentId: number): Promise<WecomUser[] | null> {
    try {
      const page = await this.attempt('user/list', (secret) => this.wecom.listUsers(departmentId, secret));
      return page ? page.userlist : null;
    } catch (err) {
      // Removed since the department list was read: no members to list.
      if (isGone(err)) return [];
      throw err;
    }
  }

  /** Every (member, department) pair from `user/list_id` (cursor pages of up to 10,000). */
  async memberIds(): Promise<{ userid: string; department: number }[]> {
    const pairs: { userid: string; department: number }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.wecom.listUserIds(cursor).catch((err: unknown) => {
        if (isRefusal(err)) {
          throw new WecomApiError(
            'user/list_id',
            err.errcode,
            `${err.errmsg}。成员详情和成员 ID 列表都无法读取：请把自建应用的可见范围设为全公司，或配置通讯录同步 Secret 并把服务器 IP 加入其可信 IP`,
          );
        }
        throw err;
      });
      pairs.push(...page.dept_user);
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return pairs;
  }

  /** One member's details, or — where no secret may read them — the userid standing in for the name. */
  async member(userid: string, departments: number[]): Promise<WecomUser | null> {
    try {
      const detail = await this.attempt('user/get', (secret) => this.wecom.getUser(userid, secret));
      return detail ?? { userid, name: userid, department: departments, main_department: departments[0], status: 1 };
    } catch (err) {
      if (isGone(err)) return null;
      throw err;
    }
  }

  /** Adds the notes about refused APIs (once each) and about names and private fields WeCom withheld. */
  finish(members: readonly WecomUser[]): void {
    for (const api of ['user/list', 'user/get']) this.note(api);
    const nameless = members.filter((m) => !m.name || m.name === m.userid).length;
    if (nameless) {
      this.notes.push(
        `${nameless} 名成员企业微信没有返回姓名（第三方应用不返回真实姓名，或成员不在自建应用的可见范围内），暂以账号显示：请使用自建应用并把可见范围设为全公司。`,
      );
    }
    if (members.length && members.every((m) => !m.mobile && !m.avatar && !m.email)) {
      this.notes.push(
        '说明：按企业微信现行规则，2022-06-20 后创建的自建应用读不到成员的手机号、头像和邮箱，成员本人登录并授权后自动补全（需在部署配置中开启「登录时请求成员敏感信息授权」，并在应用详情中勾选这些字段）。同步本身不受影响。',
      );
    }
  }

  /**
   * `read` with each directory secret in turn (the one that worked first); null if every one is
   * refused. The first call of an API finds the secret and concurrent calls wait for it, so a
   * refusal costs one call, not one per member.
   */
  private async attempt<T>(api: string, read: (secret: DirectorySecret) => Promise<T>): Promise<T | null> {
    if (!this.working.has(api)) {
      const probe = this.probes.get(api);
      if (!probe) {
        const first = this.tryEach(api, read);
        // A probe that failed for another reason (a member removed meanwhile) settles nothing.
        this.probes.set(
          api,
          first.then(
            () => undefined,
            () => void (this.exhausted.has(api) || this.probes.delete(api)),
          ),
        );
        return first;
      }
      await probe;
      if (this.exhausted.has(api)) return null;
    }
    return this.tryEach(api, read);
  }

  private async tryEach<T>(api: string, read: (secret: DirectorySecret) => Promise<T>): Promise<T | null> {
    const known = this.working.get(api);
    for (const secret of known ? [known] : this.wecom.directorySecrets) {
      try {
        const answer = await read(secret);
        this.working.set(api, secret);
        return answer;
      } catch (err) {
        if (!isRefusal(err)) throw err;
        if (known) {
          // It worked before and is refused now (another member out of the 可见范围): that member only.
          if (err.errcode === 60011) return null;
          throw err;
        }
        this.refused.set(api, [...(this.refused.get(api) ?? []), { secret, errcode: err.errcode }]);
      }
    }
    this.exhausted.add(api);
    return null;
  }

  private note(api: string): void {
    const refused = this.refused.get(api);
    if (!refused?.length) return;
    this.refused.delete(api);
    const worked = this.working.get(api);
    const refusedText = refused.map((r) => `${SECRET_NAMES[r.secret]}${r.errcode === 48009 ? '（从新 IP 不能读取通讯录详情）' : ''}`).join('、');
    const what = `「${wecomApiWords(api)}」`;
    // A rule of WeCom worked around is information, not a fault: said as such (the errcodes are in the log).
    this.notes.push(
      worked
        ? `说明：按企业微信现行规则，${what}由${SECRET_NAMES[worked]} 读取（${refusedText}无权读取），同步不受影响。`
        : `${what}对 ${refusedText} 都不可用，已改用企业微信允许的接口（成员 ID 列表 / 部门 ID 列表）。`,
    );
  }

  private unreadable(api: string): WecomApiError {
    this.note(api);
    return new WecomApiError(
      api,
      48009,
      `通讯录无法读取：${this.notes.join(' ')} 请为自建应用设置可见范围，或配置通讯录同步 Secret 并把服务器 IP 加入其可信 IP`,
    );
  }
}
