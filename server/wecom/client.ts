/**
 * Typed client over the WeCom server APIs we use (server/wecom/README.md#the-server-apis-we-call). One HTTP path with a timeout;
 * tokens per secret from the shared credential cache; one refresh-and-retry on token errcodes;
 * backoff with jitter on -1 / 45009 / 45033 / network errors; a concurrency limit per API family.
 */
import type { Logger } from '../logger';
import { API_BLOCKED, NO_EXTERNAL_CONTACTS, WecomApiError, WecomTransportError, redactWecomSecrets } from './errors';
import { BlockBoard } from './blocks';
import type { CallBudget } from './budget';
import { Semaphore, backoffDelay } from './limiter';
import { CredentialCache, credentialKey, type Credential } from './token-cache';
import type {
  AccessTokenResponse,
  AppMessage,
  BatchGetByUserRequest,
  BatchGetByUserResponse,
  CorpTagListResponse,
  DepartmentGetResponse,
  DepartmentListResponse,
  DepartmentSimpleListResponse,
  DirectorySecret,
  ExternalContactGetResponse,
  ExternalContactListResponse,
  FollowUserListResponse,
  GroupChatGetResponse,
  GroupChatListRequest,
  GroupChatListResponse,
  GroupChatTransferResponse,
  GroupMsgListItem,
  GroupMsgSendResult,
  GroupMsgTask,
  MsgTemplateRequest,
  MsgTemplateResponse,
  MarkTagRequest,
  AddCorpTagResponse,
  AddContactWayResponse,
  ContactWayRequest,
  GetContactWayResponse,
  MediaUploadResponse,
  WelcomeMessageRequest,
  MessageSendResponse,
  RemarkRequest,
  SecretKind,
  TicketResponse,
  TransferCustomerRequest,
  TransferCustomerResponse,
  TransferKind,
  TransferResult,
  TransferResultResponse,
  UnassignedContact,
  UnassignedListResponse,
  UserDetailResponse,
  UserGetResponse,
  UserInfoResponse,
  UserListIdResponse,
  UserListResponse,
  WecomResponse,
} from './types';
import type { KvStore } from '../db/kv-store';

export interface WecomClientOptions {
  apiBase: string;
  corpId: string;
  agentId: string;
  secrets: Record<SecretKind, string>;
  store: KvStore;
  logger?: Logger;
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures. */
  maxRetries?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Concurrent requests per API family (`user`, `externalcontact`, …). */
  familyConcurrency?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * Background work waits out a blocked API (45009) and is told how long; without it a call to a
   * blocked API fails at once with the time left.
   */
  onBlocked?: (api: string, waitMs: number) => void | Promise<void>;
  /** Charged before every request sent (people's calls, budget.ts); none for background work. */
  budget?: CallBudget;
  /**
   * Whether a call that timed out is tried again. A timed-out write may have landed in WeCom, and a
   * person has waited a whole deadline already: their client reports it instead (the caller
   * reconciles, e.g. tags.ts reads the contact back).
   */
  retryAfterTimeout?: boolean;
}

type Query = Record<string, string | number | undefined>;

interface CallSpec {
  /** Path under `/cgi-bin/`, e.g. `user/get`. */
  api: string;
  /** Which secret's token to send; `null` for gettoken itself. */
  secret: SecretKind | null;
  query?: Query;
  body?: unknown;
  /** A file sent as multipart/form-data (media uploads) instead of a JSON body. */
  file?: { field: string; fileName: string; type: string; bytes: Buffer };
  /** Errcodes that are answers, not errors (84061 for externalcontact/list). */
  acceptErrcodes?: readonly number[];
}

/** A blocked API is waited out this long at most (the hourly block is an hour). */
const MAX_BLOCK_WAIT_MS = 61 * 60_000;

/**
 * A person waiting on a page gets an answer within a few seconds: each request to WeCom may take
 * this long (its answers come in well under a second), and is tried at most once more, quickly,
 * after a transient failure that is not a timeout.
 */
export const PERSON_TIMEOUT_MS = 3_000;
const PERSON_RETRIES = 1;
/** The deadline of a file upload, whoever waits for it. */
const UPLOAD_TIMEOUT_MS = 30_000;

export class WecomClient {
  private readonly credentials: CredentialCache;
  private readonly families: Map<string, Semaphore> = new Map();
  private readonly blocks: BlockBoard;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly familyConcurrency: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly options: WecomClientOptions,
    shared?: { credentials: CredentialCache; families: Map<string, Semaphore>; blocks: BlockBoard },
  ) {
    this.now = options.now ?? Date.now;
    this.credentials = shared?.credentials ?? new CredentialCache(options.store, this.now);
    this.blocks = shared?.blocks ?? new BlockBoard(options.store, options.corpId, this.now);
    if (shared) this.families = shared.families;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.backoffBaseMs = options.backoffBaseMs ?? 200;
    this.backoffCapMs = options.backoffCapMs ?? 5_000;
    this.familyConcurrency = options.familyConcurrency ?? 8;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * The same client (same token cache and per-family limits) with a different retry budget:
   * background jobs such as a full sync can afford to wait out a bad minute.
   */
  withRetries(maxRetries: number): WecomClient {
    return this.with({ maxRetries });
  }

  /** The same client, waiting out blocked APIs and telling `onBlocked` how long. */
  waitingOutBlocks(onBlocked: NonNullable<WecomClientOptions['onBlocked']>): WecomClient {
    return this.with({ onBlocked });
  }

  /**
   * The client for requests people make (every route gets this one, server/app.ts): each call is
   * charged to the person the request acts for (budget.ts), waits at most PERSON_TIMEOUT_MS, and a
   * transient failure is tried once more — a timeout is not, it is reported (504) for the caller to
   * reconcile. Blocked APIs fail at once with the time left (503).
   */
  forPeople(budget: CallBudget): WecomClient {
    return this.with({ budget, timeoutMs: PERSON_TIMEOUT_MS, maxRetries: PERSON_RETRIES, retryAfterTimeout: false });
  }

  private with(changes: Partial<WecomClientOptions>): WecomClient {
    return new WecomClient({ ...this.options, ...changes }, { credentials: this.credentials, families: this.families, blocks: this.blocks });
  }

  get corpId(): string {
    return this.options.corpId;
  }

  get agentId(): string {
    return this.options.agentId;
  }

  // ---- auth --------------------------------------------------------------------------------

  /** In-app / QR OAuth code → member userid (or openid for non-members). Codes are single-use. */
  getUserInfo(code: string): Promise<UserInfoResponse> {
    return this.call({ api: 'auth/getuserinfo', secret: 'agent', query: { code } });
  }

  getUserDetail(userTicket: string): Promise<UserDetailResponse> {
    return this.call({ api: 'auth/getuserdetail', secret: 'agent', body: { user_ticket: userTicket } });
  }

  // ---- org (通讯录) ---------------------------------------------------------------------------

  /*
   * Directory reads take the secret to use: which one may call what depends on the corp's age
   * and the caller's IP (server/modules/org/directory.ts tries them in turn).
   */

  listDepartments(id?: number, secret: DirectorySecret = 'contact'): Promise<DepartmentListResponse> {
    return this.call({ api: 'department/list', secret, query: { id } });
  }

  getDepartment(id: number, secret: DirectorySecret = 'contact'): Promise<DepartmentGetResponse> {
    return this.call({ api: 'department/get', secret, query: { id } });
  }

  listDepartmentIds(id?: number, secret: DirectorySecret = 'contact'): Promise<DepartmentSimpleListResponse> {
    return this.call({ api: 'department/simplelist', secret, query: { id } });
  }

  getUser(userid: string, secret: DirectorySecret = 'contact'): Promise<UserGetResponse> {
    return this.call({ api: 'user/get', secret, query: { userid } });
  }

  listUsers(departmentId: number, secret: DirectorySecret = 'contact'): Promise<UserListResponse> {
    return this.call({ api: 'user/list', secret, query: { department_id: departmentId } });
  }

  /** 96269 (获取成员ID列表): the 通讯录同步 secret only. */
  listUserIds(cursor?: string, limit = 10_000): Promise<UserListIdResponse> {
    return this.call({ api: 'user/list_id', secret: 'contact', body: { cursor, limit } });
  }

  /**
   * The secrets that may read the directory, in the order to try them: the 通讯录同步 secret
   * first where one is configured (it sees the whole corp), then the app's (its 可见范围).
   */
  get directorySecrets(): DirectorySecret[] {
    const { contact, agent } = this.options.secrets;
    return contact === agent ? ['agent'] : ['contact', 'agent'];
  }

  // ---- external contacts (客户联系) ------------------------------------------------------------

  getFollowUserList(): Promise<FollowUserListResponse> {
    return this.call({ api: 'externalcontact/get_follow_user_list', secret: 'external' });
  }

  /** External userids of an employee's customers; an employee with none gives `[]` (84061). */
  async listExternalContacts(userid: string): Promise<string[]> {
    const res = await this.call<ExternalContactListResponse>({
      api: 'externalcontact/list',
      secret: 'external',
      query: { userid },
      acceptErrcodes: [NO_EXTERNAL_CONTACTS],
    });
    return res.errcode === NO_EXTERNAL_CONTACTS ? [] : res.external_userid;
  }

  /**
   * One external contact with every follower: WeCom pages `follow_user` 500 at a time for a
   * contact followed by more (96315), so the pages are read until `next_cursor` is empty.
   */
  async getExternalContact(externalUserid: string): Promise<ExternalContactGetResponse> {
    let cursor: string | undefined;
    let merged: ExternalContactGetResponse | undefined;
    do {
      const page: ExternalContactGetResponse = await this.call({
        api: 'externalcontact/get',
        secret: 'external',
        query: { external_userid: externalUserid, cursor },
      });
      merged = merged ? { ...merged, follow_user: [...merged.follow_user, ...page.follow_user] } : page;
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return { ...merged, next_cursor: '' };
  }

  batchGetExternalContactsByUser(request: BatchGetByUserRequest): Promise<BatchGetByUserResponse> {
    return this.call({ api: 'externalcontact/batch/get_by_user', secret: 'external', body: request });
  }

  getCorpTagList(filter: { tag_id?: string[]; group_id?: string[] } = {}): Promise<CorpTagListResponse> {
    return this.call({ api: 'externalcontact/get_corp_tag_list', secret: 'external', body: filter });
  }

  markTag(request: MarkTagRequest): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/mark_tag', secret: 'external', body: request });
  }

  remark(request: RemarkRequest): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/remark', secret: 'external', body: request });
  }

  listGroupChats(request: GroupChatListRequest): Promise<GroupChatListResponse> {
    return this.call({ api: 'externalcontact/groupchat/list', secret: 'external', body: request });
  }

  getGroupChat(chatId: string, needName = true): Promise<GroupChatGetResponse> {
    return this.call({
      api: 'externalcontact/groupchat/get',
      secret: 'external',
      body: { chat_id: chatId, need_name: needName ? 1 : 0 },
    });
  }

  // ---- engagement: tags, remarks, 「联系我」, welcome messages, media ---------------------------

  /** 92117 管理企业标签: new tags in a group (`group_id`) or a new group (`group_name`). */
  addCorpTag(request: { group_id?: string; group_name?: string; order?: number; tag: { name: string; order?: number }[] }): Promise<AddCorpTagResponse> {
    return this.call({ api: 'externalcontact/add_corp_tag', secret: 'external', body: request });
  }

  editCorpTag(request: { id: string; name?: string; order?: number }): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/edit_corp_tag', secret: 'external', body: request });
  }

  delCorpTag(request: { tag_id?: string[]; group_id?: string[] }): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/del_corp_tag', secret: 'external', body: request });
  }

  /** 92228 「联系我」: a QR code (scene 2) for one member (type 1) or several (type 2). */
  addContactWay(request: ContactWayRequest): Promise<AddContactWayResponse> {
    return this.call({ api: 'externalcontact/add_contact_way', secret: 'external', body: request });
  }

  updateContactWay(request: Partial<ContactWayRequest> & { config_id: string }): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/update_contact_way', secret: 'external', body: request });
  }

  getContactWay(configId: string): Promise<GetContactWayResponse> {
    return this.call({ api: 'externalcontact/get_contact_way', secret: 'external', body: { config_id: configId } });
  }

  delContactWay(configId: string): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/del_contact_way', secret: 'external', body: { config_id: configId } });
  }

  /** 92599 发送新客户欢迎语: once per WelcomeCode, within 20 s of the add event. */
  sendWelcomeMessage(request: WelcomeMessageRequest): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/send_welcome_msg', secret: 'external', body: request });
  }

  /** 90253 上传临时素材: a media_id good for three days. */
  uploadMedia(type: 'image' | 'file' | 'video', file: { fileName: string; mime: string; bytes: Buffer }): Promise<MediaUploadResponse> {
    return this.call({
      api: 'media/upload',
      secret: 'agent',
      query: { type },
      file: { field: 'media', fileName: file.fileName, type: file.mime, bytes: file.bytes },
    });
  }

  // ---- 企业群发 (mass messages) ----------------------------------------------------------------

  /**
   * 92135 创建企业群发: one task per member; nothing reaches a customer before the member confirms in
   * the WeCom client. Returns the msgid and the customers the task could not take (`fail_list`).
   */
  addMsgTemplate(request: MsgTemplateRequest): Promise<MsgTemplateResponse> {
    return this.call({ api: 'externalcontact/add_msg_template', secret: 'external', body: request });
  }

  /** 93338 获取群发记录列表 (a window of at most one month, 100 a page). */
  async listGroupMsgs(request: {
    chat_type?: 'single' | 'group';
    start_time: number;
    end_time: number;
    creator?: string;
    filter_type?: 0 | 1 | 2;
  }): Promise<GroupMsgListItem[]> {
    const all: GroupMsgListItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call<WecomResponse & { group_msg_list: GroupMsgListItem[]; next_cursor?: string }>({
        api: 'externalcontact/get_groupmsg_list_v2',
        secret: 'external',
        body: { ...request, limit: 100, ...(cursor ? { cursor } : {}) },
      });
      all.push(...page.group_msg_list);
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return all;
  }

  /** 93338 获取群发成员发送任务列表: every member's task of a message (1,000 a page). */
  async groupMsgTasks(msgid: string): Promise<GroupMsgTask[]> {
    const all: GroupMsgTask[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call<WecomResponse & { task_list: GroupMsgTask[]; next_cursor?: string }>({
        api: 'externalcontact/get_groupmsg_task',
        secret: 'external',
        body: { msgid, limit: 1000, ...(cursor ? { cursor } : {}) },
      });
      all.push(...page.task_list);
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return all;
  }

  /** 93338 获取企业群发成员执行结果: one member's result per customer (1,000 a page). */
  async groupMsgSendResults(msgid: string, userid: string): Promise<GroupMsgSendResult[]> {
    const all: GroupMsgSendResult[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call<WecomResponse & { send_list: GroupMsgSendResult[]; next_cursor?: string }>({
        api: 'externalcontact/get_groupmsg_send_result',
        secret: 'external',
        body: { msgid, userid, limit: 1000, ...(cursor ? { cursor } : {}) },
      });
      all.push(...page.send_list);
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return all;
  }

  /** 97610 提醒成员群发: at most three reminders per message in 24 hours. */
  remindGroupMsgSend(msgid: string): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/remind_groupmsg_send', secret: 'external', body: { msgid } });
  }

  /** 97611 停止企业群发: members can no longer send what they have not sent. */
  cancelGroupMsgSend(msgid: string): Promise<WecomResponse> {
    return this.call({ api: 'externalcontact/cancel_groupmsg_send', secret: 'external', body: { msgid } });
  }

  /** The same client with a short deadline and no retries: for work that must finish fast (a welcome within 20 s). */
  hurried(timeoutMs: number): WecomClient {
    return this.with({ timeoutMs, maxRetries: 0 });
  }

  // ---- 客户继承 (transfers) -------------------------------------------------------------------

  /**
   * 92125 分配在职成员的客户 / 94081 分配离职成员的客户: one errcode per customer (0: the takeover has
   * started and happens after the customer's 24 h, unless they object). The resigned API takes no message.
   */
  transferCustomers(kind: TransferKind, request: TransferCustomerRequest): Promise<TransferCustomerResponse> {
    const api = kind === 'onjob' ? 'externalcontact/transfer_customer' : 'externalcontact/resigned/transfer_customer';
    const { transfer_success_msg, ...rest } = request;
    return this.call({ api, secret: 'external', body: kind === 'onjob' && transfer_success_msg ? request : rest });
  }

  /** 94088 / 94082 查询客户接替状态: every customer of the pair, all pages (≤ 1,000 each). */
  async transferResults(kind: TransferKind, handoverUserid: string, takeoverUserid: string): Promise<TransferResult[]> {
    const api = kind === 'onjob' ? 'externalcontact/transfer_result' : 'externalcontact/resigned/transfer_result';
    const all: TransferResult[] = [];
    let cursor: string | undefined;
    do {
      const page: TransferResultResponse = await this.call({
        api,
        secret: 'external',
        body: { handover_userid: handoverUserid, takeover_userid: takeoverUserid, cursor },
      });
      all.push(...page.customer);
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return all;
  }

  /** 92124 获取待分配的离职成员列表: every page (1,000 a page). */
  async unassignedContacts(): Promise<UnassignedContact[]> {
    const all: UnassignedContact[] = [];
    let cursor: string | undefined;
    do {
      const page: UnassignedListResponse = await this.call({
        api: 'externalcontact/get_unassigned_list',
        secret: 'external',
        body: { cursor, page_size: 1000 },
      });
      all.push(...page.info);
      cursor = page.is_last ? undefined : page.next_cursor || undefined;
    } while (cursor);
    return all;
  }

  /** 95703 分配在职成员的客户群 / 92127 分配离职成员的客户群: 1–100 chats; those that could not move come back. */
  transferGroupChats(kind: TransferKind, chatIds: string[], newOwner: string): Promise<GroupChatTransferResponse> {
    const api = kind === 'onjob' ? 'externalcontact/groupchat/onjob_transfer' : 'externalcontact/groupchat/transfer';
    return this.call({ api, secret: 'external', body: { chat_id_list: chatIds, new_owner: newOwner } });
  }

  // ---- app messages and JS-SDK tickets ------------------------------------------------------

  sendMessage(message: AppMessage): Promise<MessageSendResponse> {
    return this.call({
      api: 'message/send',
      secret: 'agent',
      body: { ...message, agentid: Number(this.options.agentId) },
    });
  }

  /** Corp jsapi ticket for `wx.config` / `ww.register` config signatures (cached, shared). */
  getJsapiTicket(): Promise<string> {
    return this.ticket('jsapi_ticket', 'get_jsapi_ticket', {});
  }

  /** App ticket for `agentConfig` signatures (cached, shared). */
  getAgentTicket(): Promise<string> {
    return this.ticket('agent_ticket', 'ticket/get', { type: 'agent_config' });
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** An access token for one of the three secrets, from cache or gettoken. */
  accessToken(kind: SecretKind, rejected?: string): Promise<string> {
    const secret = this.options.secrets[kind];
    const key = credentialKey(`token`, this.options.corpId, secret);
    return this.credentials.get(key, () => this.fetchToken(kind, secret), rejected);
  }

  private async fetchToken(kind: SecretKind, secret: string): Promise<Credential> {
    const res = await this.call<AccessTokenResponse>({
      api: 'gettoken',
      secret: null,
      query: { corpid: this.options.corpId, corpsecret: secret },
    });
    this.options.logger?.info({ secretKind: kind, expiresIn: res.expires_in }, 'WeCom access token refreshed');
    return { value: res.access_token, expiresAt: this.now() + res.expires_in * 1000 };
  }

  private async ticket(kind: string, api: string, query: Query): Promise<string> {
    const key = credentialKey(kind, this.options.corpId, `${this.options.agentId}:${this.options.secrets.agent}`);
    return this.credentials.get(key, async () => {
      const res = await this.call<TicketResponse>({ api, secret: 'agent', query });
      return { value: res.ticket, expiresAt: this.now() + res.expires_in * 1000 };
    });
  }

  /**
   * One API call with every policy applied. Token errcodes: refresh once and retry once.
   * Retryable failures: up to `maxRetries` more attempts with full-jitter backoff.
   */
  async call<T extends WecomResponse>(spec: CallSpec): Promise<T> {
    let tokenRefreshed = false;
    let rejectedToken: string | undefined;
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      waited += await this.waitWhileBlocked(spec.api, waited);
      const token = spec.secret ? await this.accessToken(spec.secret, rejectedToken) : undefined;
      // gettoken is the client's own upkeep (cached and shared); everything else is the caller's.
      if (spec.secret) await this.options.budget?.charge(spec.api);
      try {
        return await this.family(spec.api).run(() => this.send<T>(spec, token));
      } catch (err) {
        if (err instanceof WecomApiError && err.action === 'refresh_token' && spec.secret && !tokenRefreshed) {
          tokenRefreshed = true;
          rejectedToken = token;
          attempt--; // the refresh-and-retry is not a backoff attempt
          continue;
        }
        if (err instanceof WecomApiError && err.action === 'blocked') {
          const until = await this.blocks.block(spec.api);
          // Retrying inside the window only spends calls: wait it out, or say how long it lasts.
          if (!this.options.onBlocked) throw new WecomApiError(err.api, err.errcode, err.errmsg, Math.max(0, until - this.now()));
          attempt--; // waiting out the window is not a failed attempt
          continue;
        }
        const retryable = err instanceof WecomTransportError || (err instanceof WecomApiError && err.retryable);
        const timedOutForGood = err instanceof WecomTransportError && err.timedOut && this.options.retryAfterTimeout === false;
        if (!retryable || timedOutForGood || attempt >= this.maxRetries) throw err;
        const delay = backoffDelay(attempt, this.backoffBaseMs, this.backoffCapMs, this.random);
        this.options.logger?.warn({ api: spec.api, attempt: attempt + 1, delayMs: delay, error: (err as Error).message }, 'WeCom call failed, retrying');
        await this.sleep(delay);
      }
    }
  }

  private async send<T extends WecomResponse>(spec: CallSpec, token: string | undefined): Promise<T> {
    const url = new URL(`${this.options.apiBase}/cgi-bin/${spec.api}`);
    if (token) url.searchParams.set('access_token', token);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    let res: Response;
    // An upload's time grows with its size (media/upload takes files up to 20 MB, 90253): a person's short deadline would cut it off.
    const timeoutMs = spec.file ? Math.max(this.timeoutMs, UPLOAD_TIMEOUT_MS) : this.timeoutMs;
    try {
      res = await fetch(url, { ...requestBody(spec), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      const reason = timedOut ? `timed out after ${timeoutMs} ms` : (err as Error).message;
      throw new WecomTransportError(spec.api, redactWecomSecrets(reason), timedOut);
    }
    if (!res.ok) throw new WecomTransportError(spec.api, `HTTP ${res.status}`);
    let payload: WecomResponse;
    try {
      payload = (await res.json()) as WecomResponse;
    } catch {
      throw new WecomTransportError(spec.api, 'response is not JSON');
    }
    const errcode = typeof payload.errcode === 'number' ? payload.errcode : 0;
    if (errcode !== 0 && !spec.acceptErrcodes?.includes(errcode)) {
      throw new WecomApiError(spec.api, errcode, redactWecomSecrets(String(payload.errmsg ?? '')));
    }
    return payload as T;
  }

  /**
   * Waits while `api` is blocked (background clients) or fails with the time left; returns the
   * time waited.
   */
  private async waitWhileBlocked(api: string, waitedSoFar: number): Promise<number> {
    const until = await this.blocks.blockedUntil(api);
    const left = until - this.now();
    if (left <= 0) return 0;
    if (!this.options.onBlocked || waitedSoFar + left > MAX_BLOCK_WAIT_MS) {
      throw new WecomApiError(api, API_BLOCKED, `api freq out of limit (blocked for another ${Math.ceil(left / 1000)} s)`, left);
    }
    this.options.logger?.warn({ api, waitMs: left }, 'WeCom API blocked, waiting for the window to end');
    await this.options.onBlocked(api, left);
    await this.sleep(left);
    return left;
  }

  private family(api: string): Semaphore {
    const name = familyOf(api);
    let semaphore = this.families.get(name);
    if (!semaphore) {
      semaphore = new Semaphore(this.familyConcurrency);
      this.families.set(name, semaphore);
    }
    return semaphore;
  }
}

/** GET, a JSON POST, or a multipart POST of one file (FormData writes its own content type). */
function requestBody(spec: CallSpec): RequestInit {
  if (spec.file) {
    const form = new FormData();
    form.append(spec.file.field, new Blob([new Uint8Array(spec.file.bytes)], { type: spec.file.type }), spec.file.fileName);
    return { method: 'POST', body: form };
  }
  if (spec.body === undefined) return { method: 'GET' };
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec.body) };
}

/** `externalcontact/batch/get_by_user` → `externalcontact`: the unit of concurrency limits and blocks. */
const familyOf = (api: string) => api.split('/')[0]!;
