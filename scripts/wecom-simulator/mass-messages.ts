/**
 * 企业群发 (客户群发 through 群发助手) as WeCom documents it (developer.work.weixin.qq.com/document/path/N):
 *
 * - 创建企业群发 `externalcontact/add_msg_template` (92135): `chat_type` single (default) or group;
 *   for single, `external_userid` at most 10,000 customers; `sender` is required for group and,
 *   when given for single, only the sender's own customers are kept (the others come back in
 *   `fail_list`); without a sender each customer's task goes to the member who follows them (WeCom:
 *   「仅会推送给最后跟客户进行聊天互动的企业成员」 — here the latest follower). Text at most 4,000
 *   bytes, at most 9 attachments, not both empty. The call sends nothing: it creates one task per
 *   member, and only the member's confirmation in the WeCom client sends (「需要成员确认后才会执行发送」).
 * - chat_type group (92135): `sender` — the group owner — is required; `chat_id_list` at most 2,000
 *   客户群 (「最多可一次指定2000个客户群」), only the sender's own groups are taken (the others come
 *   back in `fail_list`); without it the task lets the owner choose among all their groups. When
 *   the owner confirms, a group dismissed or handed to another owner meanwhile gets nothing
 *   (status 2 in the send result: 发送失败).
 * - The receiving limit (92135, 2025-11-17): 「每位客户/每个客户群每月最多可接收条数为当月天数」, and the
 *   corp may change it in 群发助手 → 设置群发规则 to seven a week or one a day. A customer over it when
 *   the member confirms gets nothing: status 3 in the send result.
 * - 获取群发记录列表 `get_groupmsg_list_v2` (93338): `start_time` / `end_time` required, at most one
 *   month apart; `filter_type` 0 企业发表 / 1 个人发表 / 2 all; `limit` ≤ 100 (default 50); cursor.
 * - 获取群发成员发送任务列表 `get_groupmsg_task` (93338): per member `status` 0 未发送 / 2 已发送 and
 *   `send_time`; `limit` ≤ 1000 (default 500); cursor.
 * - 获取企业群发成员执行结果 `get_groupmsg_send_result` (93338): per customer `status` 0 未发送, 1 已发送,
 *   2 因客户不是好友导致发送失败, 3 因客户已经收到其他群发消息导致发送失败; `limit` ≤ 1000 (default 500).
 * - 提醒成员群发 `remind_groupmsg_send` (97610): at most three reminders per message in 24 hours.
 * - 停止企业群发 `cancel_groupmsg_send` (97611): members can no longer send what they have not sent.
 */
import { randomBytes } from 'node:crypto';
import { SimulatorError, type CorpState } from './state';

/** 92135: at most this many customers per call. */
export const MASS_RECIPIENTS_MAX = 10_000;
/** 92135: at most this many 客户群 per group task. */
export const MASS_CHATS_MAX = 2000;
export const MASS_TEXT_MAX_BYTES = 4000;
export const MASS_ATTACHMENTS_MAX = 9;
/** 97610: reminders per message within 24 hours. */
export const MASS_REMINDERS_PER_DAY = 3;
/** 93338: the list's window may span at most a month. */
const LIST_WINDOW_MAX_S = 31 * 86_400;

/** 92135 设置群发规则: the default (days of the month per month), seven a week, or one a day. */
export type ReceiveRule = 'month' | 'week' | 'day';

export type MassSendStatus = 0 | 1 | 2 | 3;

export interface SimMassTask {
  userid: string;
  /** 0 未发送, 2 已发送 (93338 get_groupmsg_task). */
  status: 0 | 2;
  send_time?: number;
  recipients: Map<string, { status: MassSendStatus; send_time?: number }>;
}

export interface SimMassMessage {
  msgid: string;
  chat_type: 'single' | 'group';
  /** 0 企业发表 (the API), 1 个人发表. */
  create_type: 0 | 1;
  creator?: string;
  create_time: number;
  text?: { content: string };
  attachments: Record<string, unknown>[];
  tasks: Map<string, SimMassTask>;
  cancelled: boolean;
  reminders: number[];
}

export class MassMessages {
  readonly messages = new Map<string, SimMassMessage>();
  /** Receipts per customer (seconds), for the receiving limit. */
  private readonly receipts = new Map<string, number[]>();
  /** 群发助手 → 设置群发规则 of the corp. */
  receiveRule: ReceiveRule = 'month';

  constructor(
    private readonly state: CorpState,
    private readonly now: () => number,
    private readonly checkAttachment: (a: Record<string, Record<string, unknown> | undefined>) => void,
  ) {}

  add(r: Record<string, unknown>): { msgid: string; fail_list: string[] } {
    const chatType = r.chat_type === undefined ? 'single' : r.chat_type;
    if (chatType !== 'single' && chatType !== 'group') throw new SimulatorError(40058, 'chat_type must be single or group');
    const text = (r.text as { content?: unknown } | undefined)?.content;
    const attachments = Array.isArray(r.attachments) ? (r.attachments as Record<string, unknown>[]) : [];
    if ((text === undefined || text === '') && attachments.length === 0) throw new SimulatorError(41049, 'text and attachments are both empty');
    if (typeof text === 'string' && Buffer.byteLength(text) > MASS_TEXT_MAX_BYTES)
      throw new SimulatorError(40058, `text.content exceeds ${MASS_TEXT_MAX_BYTES} bytes`);
    if (attachments.length > MASS_ATTACHMENTS_MAX) throw new SimulatorError(40058, `at most ${MASS_ATTACHMENTS_MAX} attachments`);
    for (const a of attachments) this.checkAttachment(a as Record<string, Record<string, unknown> | undefined>);
    const sender = typeof r.sender === 'string' && r.sender ? r.sender : undefined;
    if (sender) this.state.requireUser(sender);
    const tasks = new Map<string, SimMassTask>();
    const taskOf = (userid: string) => {
      let task = tasks.get(userid);
      if (!task) tasks.set(userid, (task = { userid, status: 0, recipients: new Map() }));
      return task;
    };
    const failList: string[] = [];
    if (chatType === 'group') {
      if (!sender) throw new SimulatorError(40058, 'sender is required for chat_type group');
      if (Array.isArray(r.chat_id_list) && r.chat_id_list.length > MASS_CHATS_MAX) throw new SimulatorError(40058, `chat_id_list exceeds ${MASS_CHATS_MAX}`);
      const chats = Array.isArray(r.chat_id_list)
        ? [...new Set(r.chat_id_list.map(String))]
        : [...this.state.groupChats.values()].filter((c) => c.owner === sender).map((c) => c.chat_id);
      for (const chatId of chats) {
        const chat = this.state.groupChats.get(chatId);
        if (!chat || chat.owner !== sender) failList.push(chatId);
        else taskOf(sender).recipients.set(chatId, { status: 0 });
      }
    } else {
      const ids = Array.isArray(r.external_userid) ? [...new Set(r.external_userid.map(String))] : [];
      if (ids.length > MASS_RECIPIENTS_MAX) throw new SimulatorError(40058, `external_userid exceeds ${MASS_RECIPIENTS_MAX}`);
      if (ids.length === 0 && !sender) throw new SimulatorError(40058, 'external_userid or sender required');
      for (const id of ids) {
        const follows = this.state.externalContacts.get(id)?.follows ?? [];
        const follow = sender ? follows.find((f) => f.userid === sender) : [...follows].sort((a, b) => b.createtime - a.createtime)[0];
        if (!follow) failList.push(id);
        else taskOf(follow.userid).recipients.set(id, { status: 0 });
      }
    }
    if (tasks.size === 0) throw new SimulatorError(41048, 'no valid external user or chat to send to');
    const message: SimMassMessage = {
      msgid: `msg${randomBytes(12).toString('base64url')}`,
      chat_type: chatType,
      create_type: 0,
      create_time: this.seconds(),
      ...(typeof text === 'string' && text ? { text: { content: text } } : {}),
      attachments: structuredClone(attachments),
      tasks,
      cancelled: false,
      reminders: [],
    };
    this.messages.set(message.msgid, message);
    return { msgid: message.msgid, fail_list: failList };
  }

  require(msgid: unknown): SimMassMessage {
    const message = this.messages.get(String(msgid ?? ''));
    if (!message) throw new SimulatorError(40058, 'invalid msgid');
    return message;
  }

  list(r: Record<string, unknown>): SimMassMessage[] {
    if (r.start_time === undefined || r.end_time === undefined) throw new SimulatorError(40058, 'start_time and end_time are required');
    const start = Number(r.start_time);
    const end = Number(r.end_time);
    if (!(end >= start) || end - start > LIST_WINDOW_MAX_S) throw new SimulatorError(40058, 'the time range must be within one month');
    const chatType = r.chat_type === 'group' ? 'group' : 'single';
    const filter = r.filter_type === undefined ? 2 : Number(r.filter_type);
    return [...this.messages.values()].filter(
      (m) =>
        m.chat_type === chatType &&
        m.create_time >= start &&
        m.create_time <= end &&
        (filter === 2 || m.create_type === filter) &&
        (r.creator === undefined || m.creator === r.creator),
    );
  }

  /** The member confirms in the WeCom client (the test hook `POST /admin/mass-messages/:msgid/confirm`). */
  confirm(msgid: string, userid: string): SimMassTask {
    const message = this.require(msgid);
    const task = message.tasks.get(userid);
    if (!task) throw new SimulatorError(40058, `${userid} has no task in ${msgid}`);
    if (message.cancelled) throw new SimulatorError(40058, 'the mass message was cancelled');
    if (task.status === 2) return task;
    const now = this.seconds();
    for (const [id, recipient] of task.recipients) {
      const gone =
        message.chat_type === 'single'
          ? !this.state.externalContacts.get(id)?.follows.some((f) => f.userid === userid)
          : this.state.groupChats.get(id)?.owner !== userid;
      if (gone) {
        recipient.status = 2;
      } else if (this.overLimit(id, now)) {
        recipient.status = 3;
      } else {
        recipient.status = 1;
        recipient.send_time = now;
        this.receipts.set(id, [...(this.receipts.get(id) ?? []), now]);
      }
    }
    task.status = 2;
    task.send_time = now;
    return task;
  }

  remind(msgid: unknown): void {
    const message = this.require(msgid);
    const now = this.seconds();
    message.reminders = message.reminders.filter((t) => now - t < 86_400);
    if (message.reminders.length >= MASS_REMINDERS_PER_DAY) throw new SimulatorError(45009, 'api freq out of limit: at most 3 reminders in 24 hours');
    message.reminders.push(now);
  }

  cancel(msgid: unknown): void {
    this.require(msgid).cancelled = true;
  }

  /** A customer has received `count` corp mass messages already (a test's way to reach the limit). */
  received(externalUserid: string, count: number): void {
    const now = this.seconds();
    this.receipts.set(externalUserid, [...(this.receipts.get(externalUserid) ?? []), ...Array.from({ length: count }, () => now)]);
  }

  private overLimit(id: string, now: number): boolean {
    const at = new Date(now * 1000);
    const got = this.receipts.get(id) ?? [];
    if (this.receiveRule === 'day') return got.some((t) => new Date(t * 1000).toDateString() === at.toDateString());
    if (this.receiveRule === 'week') return got.filter((t) => now - t < 7 * 86_400).length >= 7;
    const daysInMonth = new Date(at.getFullYear(), at.getMonth() + 1, 0).getDate();
    return got.filter((t) => new Date(t * 1000).getMonth() === at.getMonth() && new Date(t * 1000).getFullYear() === at.getFullYear()).length >= daysInMonth;
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
