/**
 * The WeCom server API (`/cgi-bin/...`) as the simulator answers it: same paths, JSON shapes,
 * errcodes, token expiry, cursors, page limits and per-API rate limits (WECOM.md §C).
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { SecretKind } from '../../server/wecom/types';
import type { FaultInjector } from './faults';
import { SimulatorError, type CorpState } from './state';

export interface ApiSettings {
  corpId: string;
  agentId: string;
  secrets: Record<SecretKind, string>;
  tokenTtlSeconds: number;
  ticketTtlSeconds: number;
  codeTtlSeconds: number;
  rateLimitPerMinute: number;
}

interface IssuedToken {
  kind: SecretKind;
  expiresAt: number;
  revoked: boolean;
}

interface IssuedCode {
  userid: string;
  scope: string;
  expiresAt: number;
}

/** Which secrets may call which API families (48002 otherwise). */
const ALLOWED_SECRETS: [prefix: string, kinds: SecretKind[]][] = [
  ['department/', ['contact', 'agent']],
  ['user/', ['contact', 'agent']],
  ['externalcontact/', ['external', 'agent']],
  ['auth/', ['agent']],
  ['message/', ['agent']],
  ['get_jsapi_ticket', ['agent']],
  ['ticket/', ['agent']],
];

const MESSAGES_PER_MEMBER_PER_MINUTE = 30;

export class SimulatedApi {
  readonly calls = new Map<string, number>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly rateLimits = new Map<string, number>();
  /** The list a `batch/get_by_user` paging session walks, taken at its first page (like a cursor snapshot). */
  private contactPaging: { userids: string; all: ReturnType<CorpState['contactsOfAll']> } | undefined;
  private readonly windows = new Map<string, { start: number; count: number }>();
  /** App messages delivered (`message/send`), with when; `GET /admin/messages` lists them. */
  readonly sentMessages: (Record<string, unknown> & { sent_at?: number })[] = [];
  /** WeCom lets one app send a member about 30 messages a minute: delivery times per member. */
  private readonly deliveriesTo = new Map<string, number[]>();
  /** Highest number of requests in progress at once, per API family (`user`, `externalcontact`…). */
  readonly peakConcurrency = new Map<string, number>();
  private readonly inProgress = new Map<string, number>();

  constructor(
    private readonly state: CorpState,
    private readonly faults: FaultInjector,
    readonly settings: ApiSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Per-minute call limit of one API (45009 beyond it). */
  setRateLimit(api: string, perMinute: number): void {
    this.rateLimits.set(api, perMinute);
    this.windows.delete(api);
  }

  /** Every token issued so far answers 42001 from now on. */
  invalidateTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** An OAuth code for `userid`, single-use, valid `codeTtlSeconds`. */
  issueCode(userid: string, scope = 'snsapi_base'): string {
    this.state.requireUser(userid);
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { userid, scope, expiresAt: this.now() + this.settings.codeTtlSeconds * 1000 });
    return code;
  }

  callCount(api: string): number {
    return this.calls.get(api) ?? 0;
  }

  router(): Router {
    const router = new Router({ prefix: '/cgi-bin' });
    const handle = (api: string, method: 'get' | 'post', fn: (ctx: Context) => Record<string, unknown>) => {
      const answer = async (ctx: Context): Promise<void> => {
        const latency = this.faults.latencyFor(api);
        if (latency) await new Promise((r) => setTimeout(r, latency));
        const fault = this.faults.decide(api);
        if (fault.kind === 'hang') {
          await new Promise<void>((r) => ctx.req.once('close', () => r()));
          return;
        }
        if (fault.kind === 'http') {
          ctx.status = fault.status;
          ctx.body = 'upstream error';
          return;
        }
        try {
          if (fault.kind === 'errcode') throw new SimulatorError(fault.errcode, 'injected fault');
          this.checkRateLimit(api);
          if (api !== 'gettoken') this.checkToken(ctx, api);
          ctx.body = { errcode: 0, errmsg: 'ok', ...fn(ctx) };
        } catch (err) {
          if (!(err instanceof SimulatorError)) throw err;
          ctx.body = { errcode: err.errcode, errmsg: `${err.message}, hint: [simulator]` };
        }
      };
      router[method](`/${api}`, async (ctx) => {
        this.calls.set(api, this.callCount(api) + 1);
        const family = api.split('/')[0]!;
        const running = (this.inProgress.get(family) ?? 0) + 1;
        this.inProgress.set(family, running);
        this.peakConcurrency.set(family, Math.max(running, this.peakConcurrency.get(family) ?? 0));
        try {
          await answer(ctx);
        } finally {
          this.inProgress.set(family, (this.inProgress.get(family) ?? 1) - 1);
        }
      });
    };

    handle('gettoken', 'get', (ctx) => {
      const { corpid, corpsecret } = ctx.query as Record<string, string | undefined>;
      if (corpid !== this.settings.corpId) throw new SimulatorError(40013, 'invalid corpid');
      const kind = (Object.keys(this.settings.secrets) as SecretKind[]).find(
        (k) => this.settings.secrets[k] === corpsecret,
      );
      if (!corpsecret || !kind) throw new SimulatorError(40001, 'invalid credential');
      const token = randomBytes(24).toString('base64url');
      this.tokens.set(token, { kind, expiresAt: this.now() + this.settings.tokenTtlSeconds * 1000, revoked: false });
      return { access_token: token, expires_in: this.settings.tokenTtlSeconds };
    });

    handle('auth/getuserinfo', 'get', (ctx) => {
      const code = String(ctx.query.code ?? '');
      const issued = this.codes.get(code);
      this.codes.delete(code); // single use, even when expired
      if (!issued || issued.expiresAt <= this.now()) throw new SimulatorError(40029, 'invalid code');
      return issued.scope === 'snsapi_privateinfo'
        ? { userid: issued.userid, user_ticket: `ticket-${issued.userid}`, expires_in: 1800 }
        : { userid: issued.userid };
    });

    handle('auth/getuserdetail', 'post', (ctx) => {
      const ticket = String(body(ctx).user_ticket ?? '');
      const user = this.state.users.get(ticket.replace(/^ticket-/, ''));
      if (!ticket.startsWith('ticket-') || !user) throw new SimulatorError(40129, 'invalid user_ticket');
      return { userid: user.userid, gender: user.gender, avatar: user.avatar, mobile: user.mobile, email: user.email };
    });

    handle('department/list', 'get', (ctx) => ({ department: this.subtree(optionalInt(ctx.query.id)) }));

    handle('department/simplelist', 'get', (ctx) => ({
      department_id: this.subtree(optionalInt(ctx.query.id)).map(({ id, parentid, order }) => ({ id, parentid, order })),
    }));

    handle('user/get', 'get', (ctx) => structuredClone(this.state.requireUser(String(ctx.query.userid ?? ''))) as unknown as Record<string, unknown>);

    handle('user/list', 'get', (ctx) => {
      const id = optionalInt(ctx.query.department_id);
      if (id === undefined) throw new SimulatorError(40009, 'department_id required');
      this.state.requireDepartment(id);
      return { userlist: [...this.state.users.values()].filter((u) => u.department.includes(id)) };
    });

    handle('user/list_id', 'post', (ctx) => {
      const { cursor, limit } = pageParams(ctx, 10_000, 10_000);
      const all = [...this.state.users.values()].flatMap((u) => u.department.map((d) => ({ userid: u.userid, department: d })));
      return page(all, cursor, limit, (items, next) => ({ dept_user: items, next_cursor: next }));
    });

    handle('externalcontact/get_follow_user_list', 'get', () => ({
      follow_user: [...this.state.followUsers].filter((u) => this.state.users.has(u)),
    }));

    handle('externalcontact/list', 'get', (ctx) => {
      const userid = String(ctx.query.userid ?? '');
      this.state.requireUser(userid);
      const ids = this.state.contactsOf(userid).map((c) => c.contact.external_userid);
      if (ids.length === 0) throw new SimulatorError(84061, 'not external contact');
      return { external_userid: ids };
    });

    handle('externalcontact/get', 'get', (ctx) => {
      const id = String(ctx.query.external_userid ?? '');
      if (!/^w[mo][\w-]+$/.test(id)) throw new SimulatorError(40096, 'invalid external userid');
      const entry = this.state.requireExternalContact(id);
      return {
        external_contact: structuredClone(entry.contact),
        follow_user: entry.follows.map((f) => this.state.followUser(f)),
        next_cursor: '',
      };
    });

    handle('externalcontact/batch/get_by_user', 'post', (ctx) => {
      const request = body(ctx);
      const userids = Array.isArray(request.userid_list) ? (request.userid_list as string[]) : [];
      if (userids.length === 0 || userids.length > 100) throw new SimulatorError(40058, 'userid_list must hold 1..100 userids');
      const { cursor, limit } = pageParams(ctx, 100, 50);
      for (const u of userids) this.state.requireUser(u);
      // Copies of the one page asked for only: a corp of 100k contacts is paged 100 at a time.
      const key = userids.join(',');
      if (!cursor || this.contactPaging?.userids !== key) this.contactPaging = { userids: key, all: this.state.contactsOfAll(userids) };
      const all = this.contactPaging.all;
      return page(all, cursor, limit, (items, next) => ({
        external_contact_list: items.map(({ contact, follow }) => ({ external_contact: structuredClone(contact), follow_info: this.state.followInfo(follow) })),
        next_cursor: next,
      }));
    });

    handle('externalcontact/get_corp_tag_list', 'post', (ctx) => {
      const request = body(ctx);
      const groupIds = (request.group_id as string[] | undefined) ?? [];
      const tagIds = (request.tag_id as string[] | undefined) ?? [];
      let groups = [...this.state.tagGroups.values()];
      if (groupIds.length) groups = groups.filter((g) => groupIds.includes(g.group_id));
      if (tagIds.length) {
        groups = groups
          .map((g) => ({ ...g, tag: g.tag.filter((t) => tagIds.includes(t.id)) }))
          .filter((g) => g.tag.length > 0);
      }
      return { tag_group: structuredClone(groups) };
    });

    handle('externalcontact/mark_tag', 'post', (ctx) => {
      const r = body(ctx);
      this.state.markTags(String(r.external_userid), String(r.userid), (r.add_tag as string[]) ?? [], (r.remove_tag as string[]) ?? []);
      return {};
    });

    handle('externalcontact/remark', 'post', (ctx) => {
      const r = body(ctx);
      const follow = this.state.requireFollow(String(r.external_userid), String(r.userid));
      if (typeof r.remark === 'string') follow.remark = r.remark;
      if (typeof r.description === 'string') follow.description = r.description;
      if (typeof r.remark_company === 'string') follow.remark_corp_name = r.remark_company;
      if (Array.isArray(r.remark_mobiles)) follow.remark_mobiles = r.remark_mobiles as string[];
      return {};
    });

    handle('externalcontact/groupchat/list', 'post', (ctx) => {
      const r = body(ctx);
      const { cursor, limit } = pageParams(ctx, 1000, undefined);
      const owners = (r.owner_filter as { userid_list?: string[] } | undefined)?.userid_list;
      const chats = [...this.state.groupChats.values()]
        .filter((c) => !owners?.length || owners.includes(c.owner))
        .map((c) => ({ chat_id: c.chat_id, status: 0 }));
      return page(chats, cursor, limit, (items, next) => ({ group_chat_list: items, next_cursor: next }));
    });

    handle('externalcontact/groupchat/get', 'post', (ctx) => {
      const r = body(ctx);
      const chat = structuredClone(this.state.requireGroupChat(String(r.chat_id ?? '')));
      if (r.need_name !== 1) for (const m of chat.member_list) delete m.name;
      return { group_chat: chat };
    });

    handle('get_jsapi_ticket', 'get', () => ({
      ticket: `jsapi-${randomBytes(12).toString('hex')}`,
      expires_in: this.settings.ticketTtlSeconds,
    }));

    handle('ticket/get', 'get', (ctx) => {
      if (ctx.query.type !== 'agent_config') throw new SimulatorError(40058, 'type must be agent_config');
      return { ticket: `agent-${randomBytes(12).toString('hex')}`, expires_in: this.settings.ticketTtlSeconds };
    });

    handle('message/send', 'post', (ctx) => {
      const r = body(ctx);
      if (String(r.agentid) !== this.settings.agentId) throw new SimulatorError(40056, 'invalid agentid');
      const to = String(r.touser ?? '').split('|').filter(Boolean);
      const invalid = to.filter((u) => u !== '@all' && !this.state.users.has(u));
      const now = this.now();
      const recent = (u: string) => (this.deliveriesTo.get(u) ?? []).filter((t) => now - t < 60_000);
      if (to.some((u) => recent(u).length >= MESSAGES_PER_MEMBER_PER_MINUTE)) throw new SimulatorError(45009, 'api freq out of limit: too many messages to this member');
      for (const u of to) this.deliveriesTo.set(u, [...recent(u), now]);
      this.sentMessages.push({ ...r, sent_at: now });
      return { invaliduser: invalid.join('|'), msgid: randomBytes(8).toString('hex') };
    });

    return router;
  }

  private checkToken(ctx: Context, api: string): void {
    const raw = ctx.query.access_token;
    if (!raw) throw new SimulatorError(41001, 'access_token missing');
    const token = this.tokens.get(String(raw));
    if (!token) throw new SimulatorError(40014, 'invalid access_token');
    if (token.revoked || token.expiresAt <= this.now()) throw new SimulatorError(42001, 'access_token expired');
    const rule = ALLOWED_SECRETS.find(([prefix]) => api.startsWith(prefix));
    if (rule && !rule[1].includes(token.kind)) throw new SimulatorError(48002, 'api forbidden');
  }

  private checkRateLimit(api: string): void {
    const limit = this.rateLimits.get(api) ?? this.settings.rateLimitPerMinute;
    const now = this.now();
    let window = this.windows.get(api);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.windows.set(api, window);
    }
    window.count++;
    if (window.count > limit) throw new SimulatorError(45009, 'api freq out of limit');
  }

  private subtree(rootId: number | undefined) {
    const all = [...this.state.departments.values()];
    if (rootId === undefined) return structuredClone(all);
    this.state.requireDepartment(rootId);
    const ids = new Set([rootId]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const d of all) {
        if (!ids.has(d.id) && ids.has(d.parentid)) {
          ids.add(d.id);
          grew = true;
        }
      }
    }
    return structuredClone(all.filter((d) => ids.has(d.id)));
  }
}

function body(ctx: Context): Record<string, unknown> {
  const b = (ctx.request as { body?: unknown }).body;
  return b && typeof b === 'object' ? (b as Record<string, unknown>) : {};
}

function optionalInt(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new SimulatorError(40058, 'invalid id');
  return n;
}

/** Opaque cursor and a limit checked against WeCom's maximum for the API. */
function pageParams(ctx: Context, max: number, fallback: number | undefined): { cursor: number; limit: number } {
  const r = body(ctx);
  const limit = r.limit === undefined ? fallback : Number(r.limit);
  if (limit === undefined || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new SimulatorError(40058, `limit must be 1..${max}`);
  }
  const raw = typeof r.cursor === 'string' ? r.cursor : '';
  let cursor = 0;
  if (raw) {
    const decoded = /^c(\d+)$/.exec(Buffer.from(raw, 'base64url').toString());
    if (!decoded) throw new SimulatorError(40058, 'invalid cursor');
    cursor = Number(decoded[1]);
  }
  return { cursor, limit };
}

function page<T>(
  all: T[],
  offset: number,
  limit: number,
  shape: (items: T[], nextCursor: string) => Record<string, unknown>,
): Record<string, unknown> {
  const items = all.slice(offset, offset + limit);
  const next = offset + limit < all.length ? Buffer.from(`c${offset + limit}`).toString('base64url') : '';
  return shape(items, next);
}
