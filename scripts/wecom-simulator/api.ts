/**
 * The WeCom server API (`/cgi-bin/...`) as the simulator answers it: same paths, JSON shapes,
 * errcodes, token expiry, cursors, page limits and per-API rate limits (server/wecom/README.md#the-server-apis-we-call).
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { SecretKind, WecomExternalContact } from '../../server/wecom/types';
import type { FaultInjector } from './faults';
import {
  BATCH_LIMIT_MAX,
  CALLS_PER_HOUR,
  FOLLOWERS_PER_PAGE,
  HOUR_BLOCK_MS,
  MESSAGES_PER_MEMBER_PER_HOUR,
  MESSAGES_PER_MEMBER_PER_MINUTE,
  MINUTE_BLOCK_MS,
  memberAsSeenBy,
  refusal,
  visibleUnionid,
  type SimulatorRules,
} from './rules';
import { messageAsDelivered } from './messages';
import { SimulatorError, type CorpState } from './state';
import { GroupChatTransfers, type TransferDesk, type TransferKind } from './transfers';
import { ContactWays, MediaStore } from './engagement';
import { MassMessages } from './mass-messages';
import { readUploadedFile } from '../../server/http/multipart';

export interface ApiSettings {
  corpId: string;
  agentId: string;
  secrets: Record<SecretKind, string>;
  tokenTtlSeconds: number;
  ticketTtlSeconds: number;
  codeTtlSeconds: number;
  rateLimitPerMinute: number;
  rateLimitPerHour?: number;
  rules: SimulatorRules;
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

export class SimulatedApi {
  readonly calls = new Map<string, number>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly rateLimits = new Map<string, number>();
  /** The list a `batch/get_by_user` paging session walks, taken at its first page (like a cursor snapshot). */
  private contactPaging: { userids: string; all: ReturnType<CorpState['contactsOfAll']> } | undefined;
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly hourWindows = new Map<string, { start: number; count: number }>();
  /** APIs blocked after crossing a limit, until when (current rules: the whole window). */
  private readonly blockedUntil = new Map<string, number>();
  /** App messages delivered (`message/send`), with when; `GET /admin/messages` lists them. */
  readonly sentMessages: (Record<string, unknown> & { sent_at?: number })[] = [];
  /** Messages WeCom accepted (errcode 0) but dropped: over a member's budget (current rules). */
  readonly droppedMessages: (Record<string, unknown> & { dropped_at: number; reason: string })[] = [];
  /** `send_welcome_msg` calls that delivered, with their welcome_code. */
  readonly welcomeMessages: (Record<string, unknown> & { sent_at: number })[] = [];
  /** WeCom lets one app send a member about 30 messages a minute: delivery times per member. */
  private readonly deliveriesTo = new Map<string, number[]>();
  /** Highest number of requests in progress at once, per API family (`user`, `externalcontact`…). */
  readonly peakConcurrency = new Map<string, number>();
  private readonly inProgress = new Map<string, number>();
  private readonly chatTransfers: GroupChatTransfers;
  /** 「联系我」 codes the app created. */
  readonly contactWays: ContactWays;
  readonly media: MediaStore;
  /** 企业群发 tasks (92135, 93338). */
  readonly massMessages: MassMessages;

  constructor(
    private readonly state: CorpState,
    private readonly faults: FaultInjector,
    readonly settings: ApiSettings,
    readonly transfers: TransferDesk,
    private readonly now: () => number = Date.now,
    publicBaseUrl?: string,
  ) {
    this.chatTransfers = new GroupChatTransfers(state, now);
    this.contactWays = new ContactWays(state, now, publicBaseUrl);
    this.media = new MediaStore(now);
    this.massMessages = new MassMessages(state, now, (a) => this.checkAttachment(a));
  }

  /** Per-minute call limit of one API (45009 beyond it). */
  setRateLimit(api: string, perMinute: number): void {
    this.rateLimits.set(api, perMinute);
    this.windows.delete(api);
    this.blockedUntil.delete(api);
  }

  get rules(): SimulatorRules {
    return this.settings.rules;
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
    const handle = (api: string, method: 'get' | 'post', fn: (ctx: Context) => Record<string, unknown> | Promise<Record<string, unknown>>) => {
      const answer = async (ctx: Context): Promise<void> => {
        const latency = this.faults.latencyFor(api);
        // A caller that gives up (a deadline) ends the wait: nothing is left running for it.
        if (latency) {
          await new Promise<void>((r) => {
            const timer = setTimeout(r, latency);
            ctx.res.once('close', () => {
              clearTimeout(timer);
              r();
            });
          });
        }
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
          if (api !== 'gettoken') ctx.state.tokenKind = this.checkToken(ctx, api);
          ctx.body = { errcode: 0, errmsg: 'ok', ...(await fn(ctx)) };
          // Done, but the answer is held back (a lost reply): the caller times out though the write landed.
          const late = this.faults.lateAnswerFor(api);
          if (late)
            await new Promise<void>((r) => {
              const timer = setTimeout(r, late);
              ctx.res.once('close', () => {
                clearTimeout(timer);
                r();
              });
            });
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
      const kind = (Object.keys(this.settings.secrets) as SecretKind[]).find((k) => this.settings.secrets[k] === corpsecret);
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

    handle('department/get', 'get', (ctx) => {
      const id = optionalInt(ctx.query.id);
      if (id === undefined) throw new SimulatorError(40009, 'id required');
      return { department: structuredClone(this.state.requireDepartment(id)) };
    });

    handle('department/simplelist', 'get', (ctx) => ({
      department_id: this.subtree(optionalInt(ctx.query.id)).map(({ id, parentid, order }) => ({ id, parentid, order })),
    }));

    handle(
      'user/get',
      'get',
      (ctx) => memberAsSeenBy(this.state.requireUser(String(ctx.query.userid ?? '')), ctx.state.tokenKind, this.rules) as unknown as Record<string, unknown>,
    );

    handle('user/list', 'get', (ctx) => {
      const id = optionalInt(ctx.query.department_id);
      if (id === undefined) throw new SimulatorError(40009, 'department_id required');
      this.state.requireDepartment(id);
      return {
        userlist: [...this.state.users.values()].filter((u) => u.department.includes(id)).map((u) => memberAsSeenBy(u, ctx.state.tokenKind, this.rules)),
      };
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
      const follows = entry.follows.map((f) => this.state.followUser(f));
      if (this.rules.era === 'legacy') return { external_contact: this.contactAsSeen(entry.contact), follow_user: follows, next_cursor: '' };
      const raw = String(ctx.query.cursor ?? '');
      const offset = raw ? decodeCursor(raw) : 0;
      return page(follows, offset, FOLLOWERS_PER_PAGE, (items, next) => ({
        external_contact: this.contactAsSeen(entry.contact),
        follow_user: items,
        next_cursor: next,
      }));
    });

    handle('externalcontact/batch/get_by_user', 'post', (ctx) => {
      const request = body(ctx);
      const userids = Array.isArray(request.userid_list) ? (request.userid_list as string[]) : [];
      if (userids.length === 0 || userids.length > 100) throw new SimulatorError(40058, 'userid_list must hold 1..100 userids');
      const { cursor, limit } = pageParams(ctx, this.rules.era === 'legacy' ? 100 : Number.MAX_SAFE_INTEGER, 50);
      for (const u of userids) this.state.requireUser(u);
      // Copies of the one page asked for only: a corp of 100k contacts is paged 100 at a time.
      const key = userids.join(',');
      if (!cursor || this.contactPaging?.userids !== key) this.contactPaging = { userids: key, all: this.state.contactsOfAll(userids) };
      const all = this.contactPaging.all;
      return page(all, cursor, Math.min(limit, BATCH_LIMIT_MAX), (items, next) => ({
        external_contact_list: items.map(({ contact, follow }) => ({
          external_contact: this.contactAsSeen(contact),
          follow_info: this.state.followInfo(follow),
        })),
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
        groups = groups.map((g) => ({ ...g, tag: g.tag.filter((t) => tagIds.includes(t.id)) })).filter((g) => g.tag.length > 0);
      }
      return { tag_group: structuredClone(groups) };
    });

    // 92118 编辑客户企业标签: 「add_tag和remove_tag不可同时为空」; like every API change, no callback (96361).
    handle('externalcontact/mark_tag', 'post', (ctx) => {
      const r = body(ctx);
      const add = (r.add_tag as string[] | undefined) ?? [];
      const remove = (r.remove_tag as string[] | undefined) ?? [];
      if (!add.length && !remove.length) throw new SimulatorError(40058, 'add_tag and remove_tag are both empty');
      this.state.markTags(String(r.external_userid), String(r.userid), add, remove);
      return {};
    });

    // 92115 / 96317 修改客户备注信息: remark ≤ 20, description ≤ 150, remark_company ≤ 20 characters (微信
    // contacts only); not all empty; remark_mobiles replaces the old ones ("" clears them). No callback.
    handle('externalcontact/remark', 'post', (ctx) => {
      const r = body(ctx);
      const follow = this.state.requireFollow(String(r.external_userid), String(r.userid));
      const fields = ['remark', 'description', 'remark_company', 'remark_mobiles', 'remark_pic_mediaid'];
      if (!fields.some((f) => r[f] !== undefined)) throw new SimulatorError(40058, 'remark fields are all empty');
      const tooLong = (f: string, max: number) => typeof r[f] === 'string' && [...(r[f] as string)].length > max;
      if (tooLong('remark', 20) || tooLong('remark_company', 20) || tooLong('description', 150)) throw new SimulatorError(40058, 'remark field too long');
      if (typeof r.remark === 'string') follow.remark = r.remark;
      if (typeof r.description === 'string') follow.description = r.description;
      if (typeof r.remark_company === 'string' && this.state.externalContacts.get(String(r.external_userid))?.contact.type === 1) {
        follow.remark_corp_name = r.remark_company;
      }
      if (r.remark_mobiles === '') follow.remark_mobiles = [];
      else if (Array.isArray(r.remark_mobiles)) follow.remark_mobiles = r.remark_mobiles.map(String);
      return {};
    });

    // 92117 管理企业标签 (state.ts).
    handle('externalcontact/add_corp_tag', 'post', (ctx) => ({ tag_group: this.state.addCorpTag(body(ctx)) }));
    handle('externalcontact/edit_corp_tag', 'post', (ctx) => {
      this.state.editCorpTag(body(ctx));
      return {};
    });
    handle('externalcontact/del_corp_tag', 'post', (ctx) => {
      this.state.delCorpTag(body(ctx));
      return {};
    });

    // 「联系我」 (engagement.ts).
    handle('externalcontact/add_contact_way', 'post', (ctx) => this.contactWays.add(body(ctx)));
    handle('externalcontact/get_contact_way', 'post', (ctx) => ({ contact_way: structuredClone(this.contactWays.get(body(ctx).config_id)) }));
    handle('externalcontact/update_contact_way', 'post', (ctx) => {
      this.contactWays.update(body(ctx));
      return {};
    });
    handle('externalcontact/del_contact_way', 'post', (ctx) => {
      this.contactWays.delete(body(ctx).config_id);
      return {};
    });
    handle('externalcontact/list_contact_way', 'post', (ctx) => {
      const { cursor, limit } = pageParams(ctx, 1000, 100);
      const all = this.contactWays.list(body(ctx)).map((w) => ({ config_id: w.config_id }));
      return page(all, cursor, limit, (contact_way, next_cursor) => ({ contact_way, next_cursor }));
    });

    handle('media/upload', 'post', async (ctx) => this.media.upload(String(ctx.query.type ?? ''), await uploaded(ctx)));
    handle('media/uploadimg', 'post', async (ctx) => this.media.uploadImage(await uploaded(ctx)));

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
      for (const m of chat.member_list) {
        if (m.type !== 2) continue;
        const unionid = visibleUnionid({ type: this.state.externalContacts.get(m.userid)?.contact.type ?? 1, unionid: m.unionid }, this.rules);
        if (unionid === undefined) delete m.unionid;
      }
      return { group_chat: chat };
    });

    // 客户继承 (transfers.ts has the rules and their pages).
    const transferCustomers = (kind: TransferKind) => (ctx: Context) => {
      const r = body(ctx);
      const handover = String(r.handover_userid ?? '');
      const takeover = String(r.takeover_userid ?? '');
      const customer =
        kind === 'onjob'
          ? this.transfers.transferOnJob(handover, takeover, r.external_userid, r.transfer_success_msg)
          : this.transfers.transferResigned(handover, takeover, r.external_userid);
      return { customer };
    };
    const transferResults = (kind: TransferKind) => (ctx: Context) => {
      const r = body(ctx);
      const all = this.transfers.results(kind, String(r.handover_userid ?? ''), String(r.takeover_userid ?? ''));
      const raw = typeof r.cursor === 'string' ? r.cursor : '';
      return page(all, raw ? decodeCursor(raw) : 0, 1000, (customer, next_cursor) => ({ customer, next_cursor }));
    };
    handle('externalcontact/transfer_customer', 'post', transferCustomers('onjob'));
    handle('externalcontact/transfer_result', 'post', transferResults('onjob'));
    handle('externalcontact/resigned/transfer_customer', 'post', transferCustomers('resigned'));
    handle('externalcontact/resigned/transfer_result', 'post', transferResults('resigned'));
    handle('externalcontact/get_unassigned_list', 'post', (ctx) => {
      const { cursor, limit } = pageParams(ctx, 1000, 1000, 'page_size');
      const all = this.transfers.unassigned();
      return page(all, cursor, limit, (info, next_cursor) => ({ info, is_last: next_cursor === '', next_cursor }));
    });
    handle('externalcontact/groupchat/onjob_transfer', 'post', (ctx) => this.chatTransfers.transfer('onjob', body(ctx).chat_id_list, body(ctx).new_owner));
    handle('externalcontact/groupchat/transfer', 'post', (ctx) => this.chatTransfers.transfer('resigned', body(ctx).chat_id_list, body(ctx).new_owner));

    handle('get_jsapi_ticket', 'get', () => ({
      ticket: `jsapi-${randomBytes(12).toString('hex')}`,
      expires_in: this.settings.ticketTtlSeconds,
    }));

    handle('ticket/get', 'get', (ctx) => {
      if (ctx.query.type !== 'agent_config') throw new SimulatorError(40058, 'type must be agent_config');
      return { ticket: `agent-${randomBytes(12).toString('hex')}`, expires_in: this.settings.ticketTtlSeconds };
    });

    handle('message/send', 'post', (ctx) => this.sendAppMessage(body(ctx)));

    // 企业群发 (mass-messages.ts): 92135, 93338, 97610, 97611.
    handle('externalcontact/add_msg_template', 'post', (ctx) => this.massMessages.add(body(ctx)));
    handle('externalcontact/get_groupmsg_list_v2', 'post', (ctx) => {
      const { cursor, limit } = pageParams(ctx, 100, 50);
      const all = this.massMessages.list(body(ctx)).map((m) => ({
        msgid: m.msgid,
        creator: m.creator,
        create_time: String(m.create_time),
        create_type: m.create_type,
        ...(m.text ? { text: m.text } : {}),
        attachments: m.attachments,
      }));
      return page(all, cursor, limit, (items, next) => ({ group_msg_list: items, next_cursor: next }));
    });
    handle('externalcontact/get_groupmsg_task', 'post', (ctx) => {
      const { cursor, limit } = pageParams(ctx, 1000, 500);
      const all = [...this.massMessages.require(body(ctx).msgid).tasks.values()].map((t) => ({
        userid: t.userid,
        status: t.status,
        ...(t.send_time ? { send_time: t.send_time } : {}),
      }));
      return page(all, cursor, limit, (items, next) => ({ task_list: items, next_cursor: next }));
    });
    handle('externalcontact/get_groupmsg_send_result', 'post', (ctx) => {
      const r = body(ctx);
      const { cursor, limit } = pageParams(ctx, 1000, 500);
      const message = this.massMessages.require(r.msgid);
      const task = message.tasks.get(String(r.userid ?? ''));
      const all = task
        ? [...task.recipients].map(([id, x]) => ({
            ...(message.chat_type === 'group' ? { chat_id: id } : { external_userid: id }),
            userid: task.userid,
            status: x.status,
            ...(x.send_time ? { send_time: x.send_time } : {}),
          }))
        : [];
      return page(all, cursor, limit, (items, next) => ({ send_list: items, next_cursor: next }));
    });
    handle('externalcontact/remind_groupmsg_send', 'post', (ctx) => {
      this.massMessages.remind(body(ctx).msgid);
      return {};
    });
    handle('externalcontact/cancel_groupmsg_send', 'post', (ctx) => {
      this.massMessages.cancel(body(ctx).msgid);
      return {};
    });

    handle('externalcontact/send_welcome_msg', 'post', (ctx) => {
      const r = body(ctx);
      const code = String(r.welcome_code ?? '');
      const issued = this.state.welcomeCodes.get(code);
      if (!issued) throw new SimulatorError(40058, 'invalid welcome_code');
      // 92599: a delivered welcome makes any further call 41051; past 20 s the code is no good.
      if (issued.usedAt !== null) throw new SimulatorError(41051, 'externaluser has started chatting');
      if (issued.expiresAt <= this.now()) throw new SimulatorError(40058, 'welcome_code expired');
      const text = (r.text as { content?: unknown } | undefined)?.content;
      const attachments = Array.isArray(r.attachments) ? r.attachments : [];
      if (text === undefined && attachments.length === 0) throw new SimulatorError(41049, 'text and attachments are both empty');
      if (attachments.length > 9) throw new SimulatorError(40058, 'at most 9 attachments');
      for (const a of attachments as Record<string, Record<string, unknown> | undefined>[]) this.checkAttachment(a);
      if (typeof text === 'string' && Buffer.byteLength(text) > 4000) throw new SimulatorError(40058, 'text.content exceeds 4000 bytes');
      issued.usedAt = this.now();
      this.welcomeMessages.push({ ...r, external_userid: issued.externalUserid, userid: issued.userid, sent_at: this.now() });
      return {};
    });

    return router;
  }

  /**
   * `message/send`, its body checked and cut as WeCom does (messages.ts). Recipients who are not
   * members come back in `invaliduser`, members without a licence in `unlicenseduser` (all of them
   * invalid: 81013). Over a member's budget WeCom drops the message and still answers 0 under the
   * current rules (90454); the legacy simulator said 45009.
   */
  private sendAppMessage(body: Record<string, unknown>): Record<string, unknown> {
    if (String(body.agentid) !== this.settings.agentId) throw new SimulatorError(40056, 'invalid agentid');
    const r = messageAsDelivered(body);
    const to = String(r.touser ?? '')
      .split('|')
      .filter(Boolean);
    const invalid = to.filter((u) => u !== '@all' && !this.state.users.has(u));
    const unlicensed = to.filter((u) => this.state.users.get(u)?.status === 4);
    const reachable = to.filter((u) => !invalid.includes(u) && !unlicensed.includes(u));
    if (reachable.length === 0) throw new SimulatorError(81013, 'user & party & tag all invalid');
    const now = this.now();
    const within = (u: string, ms: number) => (this.deliveriesTo.get(u) ?? []).filter((t) => now - t < ms);
    const overBudget = (u: string) => within(u, 60_000).length >= MESSAGES_PER_MEMBER_PER_MINUTE || within(u, 3_600_000).length >= MESSAGES_PER_MEMBER_PER_HOUR;
    const answer = { invaliduser: invalid.map((u) => u.toLowerCase()).join('|'), unlicenseduser: unlicensed.join('|'), msgid: randomBytes(8).toString('hex') };
    if (this.rules.era === 'legacy') {
      if (reachable.some((u) => within(u, 60_000).length >= MESSAGES_PER_MEMBER_PER_MINUTE))
        throw new SimulatorError(45009, 'api freq out of limit: too many messages to this member');
    }
    const delivered = reachable.filter((u) => !overBudget(u));
    for (const u of reachable.filter(overBudget)) this.droppedMessages.push({ ...r, touser: u, dropped_at: now, reason: 'member budget' });
    for (const u of delivered) this.deliveriesTo.set(u, [...within(u, 3_600_000), now]);
    if (delivered.length) this.sentMessages.push({ ...r, touser: delivered.join('|'), sent_at: now });
    return answer;
  }

  /** 92599: an image needs a live media_id, a link its title and url, a mini-program its title, picture, appid and page. */
  private checkAttachment(a: Record<string, Record<string, unknown> | undefined>): void {
    const type = String((a as Record<string, unknown>).msgtype ?? '');
    const item = a[type];
    if (!item) throw new SimulatorError(40058, `attachment ${type || '(no msgtype)'} is missing its body`);
    if (type === 'image') this.media.requireLive(item.media_id);
    else if (type === 'link') {
      if (!item.title || !item.url) throw new SimulatorError(40058, 'link needs title and url');
    } else if (type === 'miniprogram') {
      if (!item.title || !item.appid || !item.page) throw new SimulatorError(40058, 'miniprogram needs title, appid and page');
      this.media.requireLive(item.pic_media_id);
    } else if (type === 'video' || type === 'file') this.media.requireLive(item.media_id, type);
    else throw new SimulatorError(40058, `unknown attachment msgtype ${type}`);
  }

  /** An external contact as this corp's API shows it: unionid only where the rules give one. */
  private contactAsSeen(contact: WecomExternalContact): WecomExternalContact {
    const copy = structuredClone(contact);
    const unionid = visibleUnionid(copy, this.rules);
    if (unionid === undefined) delete copy.unionid;
    return copy;
  }

  private checkToken(ctx: Context, api: string): SecretKind {
    const raw = ctx.query.access_token;
    if (!raw) throw new SimulatorError(41001, 'access_token missing');
    const token = this.tokens.get(String(raw));
    if (!token) throw new SimulatorError(40014, 'invalid access_token');
    if (token.revoked || token.expiresAt <= this.now()) throw new SimulatorError(42001, 'access_token expired');
    const rule = ALLOWED_SECRETS.find(([prefix]) => api.startsWith(prefix));
    if (rule && !rule[1].includes(token.kind)) throw new SimulatorError(48002, 'api forbidden');
    const refused = refusal(api, token.kind, this.rules);
    if (refused) throw new SimulatorError(refused.errcode, refused.errmsg);
    return token.kind;
  }

  private checkRateLimit(api: string): void {
    const now = this.now();
    if ((this.blockedUntil.get(api) ?? 0) > now) throw new SimulatorError(45009, 'api freq out of limit');
    const count = (windows: Map<string, { start: number; count: number }>, length: number) => {
      let window = windows.get(api);
      if (!window || now - window.start >= length) {
        window = { start: now, count: 0 };
        windows.set(api, window);
      }
      return ++window.count;
    };
    const perMinute = count(this.windows, 60_000);
    const perHour = count(this.hourWindows, 3_600_000);
    const minuteLimit = this.rateLimits.get(api) ?? this.settings.rateLimitPerMinute;
    const hourLimit = this.settings.rateLimitPerHour ?? CALLS_PER_HOUR;
    if (perMinute <= minuteLimit && (this.rules.era === 'legacy' || perHour <= hourLimit)) return;
    // Today's WeCom blocks the API for the whole window (60 s, or 60 min for the hourly limit).
    if (this.rules.era === 'current') this.blockedUntil.set(api, now + (perHour > hourLimit ? HOUR_BLOCK_MS : MINUTE_BLOCK_MS));
    throw new SimulatorError(45009, 'api freq out of limit');
  }

  /** Until when `api` is blocked (0: not blocked). */
  blockedApiUntil(api: string): number {
    return this.blockedUntil.get(api) ?? 0;
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

/** The multipart field `media` (90253), or undefined when none came. */
async function uploaded(ctx: Context): Promise<{ bytes: Buffer; filename: string } | undefined> {
  try {
    const file = await readUploadedFile(ctx, 'media', 20 * 1024 * 1024);
    return { bytes: file.body, filename: file.fileName };
  } catch {
    return undefined;
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
function pageParams(ctx: Context, max: number, fallback: number | undefined, limitField = 'limit'): { cursor: number; limit: number } {
  const r = body(ctx);
  const limit = r[limitField] === undefined ? fallback : Number(r[limitField]);
  if (limit === undefined || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new SimulatorError(40058, `limit must be 1..${max}`);
  }
  const raw = typeof r.cursor === 'string' ? r.cursor : '';
  return { cursor: raw ? decodeCursor(raw) : 0, limit };
}

function decodeCursor(raw: string): number {
  const decoded = /^c(\d+)$/.exec(Buffer.from(raw, 'base64url').toString());
  if (!decoded) throw new SimulatorError(40058, 'invalid cursor');
  return Number(decoded[1]);
}

function page<T>(all: T[], offset: number, limit: number, shape: (items: T[], nextCursor: string) => Record<string, unknown>): Record<string, unknown> {
  const items = all.slice(offset, offset + limit);
  const next = offset + limit < all.length ? Buffer.from(`c${offset + limit}`).toString('base64url') : '';
  return shape(items, next);
}
