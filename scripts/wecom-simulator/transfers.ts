/**
 * 客户继承 in the simulator: handing customers and customer groups from one member to another, as
 * WeCom documents it (developer.work.weixin.qq.com/document/path/N).
 *
 * - 在职继承 `externalcontact/transfer_customer` (92125 / 96325 分配在职成员的客户): at most 100 customers
 *   a call, each the handover member's customer; 「0表示成功发起接替，待24小时后自动接替」 — the customer
 *   may object within 24 hours (compressed here to `objectionMs`); 「90个自然日内，在职成员的每位客户仅可
 *   被转接2次」 (40128 beyond); `transfer_success_msg` at most 200 characters.
 * - `transfer_result` (94088): status 1 接替完毕, 2 等待接替, 3 客户拒绝, 4 接替成员客户达到上限,
 *   5 无接替记录; `takeover_time` is the future automatic takeover while waiting; pages of ≤ 1,000.
 * - 离职继承 `get_unassigned_list` (92124: page_size ≤ 1000, cursor, is_last),
 *   `resigned/transfer_customer` (94081 / 96331: 「handover_userid必须是已离职用户」, no message) and
 *   `resigned/transfer_result` (94082 / 96333: statuses 1–4).
 * - Customer groups: `groupchat/onjob_transfer` (95703) and `groupchat/transfer` (92127 / 96334:
 *   「群主离职了的客户群，才可继承」, 90500 otherwise), 1–100 chats a call, failures in `failed_chat_list`.
 * - A refusal (the customer taps 暂不添加) or a takeover member over their limit makes WeCom send
 *   `change_external_contact / transfer_fail` with `FailReason` `customer_refused` |
 *   `customer_limit_exceed` and UserID the takeover member (server/wecom/README.md#callback-events). A takeover that goes
 *   through sends `add_external_contact` to the takeover member (92125: 「如果接替成员在转接前已成为客户
 *   好友，则不会触发添加企业客户事件」) and, on the job, `del_external_contact` with Source
 *   `DELETE_BY_TRANSFER` to the handover member.
 */
import type { CorpState } from './state';
import { SimulatorError } from './state';

export type TransferStatus = 1 | 2 | 3 | 4 | 5;
export type TransferKind = 'onjob' | 'resigned';

export interface SimTransfer {
  kind: TransferKind;
  handover: string;
  takeover: string;
  externalUserid: string;
  status: TransferStatus;
  /** When the relation moves if nobody objects (the 24 h window, compressed). */
  takeoverAt: number;
  startedAt: number;
  message: string | null;
}

export interface TransferSettings {
  /** The customer's 24 h objection window, compressed. */
  objectionMs: number;
  /** Customers one member may have at most (接替成员客户达到上限). */
  maxCustomersPerMember: number;
}

/** WeCom's own limit on customers per member (the 客户联系 default, raisable): the demo never meets it. */
export const DEFAULT_TRANSFER_SETTINGS: TransferSettings = { objectionMs: 5_000, maxCustomersPerMember: 50_000 };

const NINETY_DAYS_MS = 90 * 86_400_000;
const PER_CALL = 100;
const SUCCESS_MSG_MAX = 200;

export class TransferDesk {
  readonly transfers: SimTransfer[] = [];

  constructor(
    private readonly state: CorpState,
    readonly settings: TransferSettings,
    private readonly now: () => number,
  ) {}

  /** `transfer_customer`: one answer per customer, 0 when the takeover has started. */
  transferOnJob(handover: string, takeover: string, externalUserids: unknown, message: unknown): { external_userid: string; errcode: number }[] {
    this.state.requireUser(handover);
    this.state.requireUser(takeover);
    const ids = customerList(externalUserids);
    if (message !== undefined && (typeof message !== 'string' || [...message].length > SUCCESS_MSG_MAX)) {
      throw new SimulatorError(40058, `transfer_success_msg must be a string of at most ${SUCCESS_MSG_MAX} characters`);
    }
    this.settle();
    return ids.map((id) => {
      const errcode = this.onJobRefusal(handover, takeover, id);
      if (errcode) return { external_userid: id, errcode };
      this.start({ kind: 'onjob', handover, takeover, externalUserid: id, message: (message as string | undefined) ?? null });
      return { external_userid: id, errcode: 0 };
    });
  }

  /** `resigned/transfer_customer`: the handover member must have left (40097 otherwise). */
  transferResigned(handover: string, takeover: string, externalUserids: unknown): { external_userid: string; errcode: number }[] {
    this.state.requireUser(takeover);
    if (!this.state.resignedAt.has(handover)) throw new SimulatorError(40097, 'handover user is not resigned');
    const ids = customerList(externalUserids);
    this.settle();
    return ids.map((id) => {
      if (handover === takeover) return { external_userid: id, errcode: 40130 };
      if (!this.followedBy(id, handover)) return { external_userid: id, errcode: 40131 };
      if (this.pending(id)) return { external_userid: id, errcode: 40129 };
      this.start({ kind: 'resigned', handover, takeover, externalUserid: id, message: null });
      return { external_userid: id, errcode: 0 };
    });
  }

  /** `transfer_result` / `resigned/transfer_result`: the newest attempt per customer of the pair. */
  results(kind: TransferKind, handover: string, takeover: string): { external_userid: string; status: TransferStatus; takeover_time: number }[] {
    this.settle();
    const latest = new Map<string, SimTransfer>();
    for (const t of this.transfers) if (t.kind === kind && t.handover === handover && t.takeover === takeover) latest.set(t.externalUserid, t);
    return [...latest.values()].map((t) => ({ external_userid: t.externalUserid, status: t.status, takeover_time: Math.floor(t.takeoverAt / 1000) }));
  }

  /** `get_unassigned_list`: customers of members who left, not handed over (or being handed over) yet. */
  unassigned(): { handover_userid: string; external_userid: string; dimission_time: number }[] {
    this.settle();
    const out: { handover_userid: string; external_userid: string; dimission_time: number }[] = [];
    for (const [id, entry] of this.state.externalContacts) {
      for (const f of entry.follows) {
        const leftAt = this.state.resignedAt.get(f.userid);
        if (leftAt !== undefined && !this.pending(id)) out.push({ handover_userid: f.userid, external_userid: id, dimission_time: Math.floor(leftAt / 1000) });
      }
    }
    return out;
  }

  /** The customer taps 暂不添加 within the window. */
  refuse(externalUserid: string): SimTransfer {
    this.settle();
    const t = this.transfers.find((x) => x.externalUserid === externalUserid && x.status === 2);
    if (!t) throw new SimulatorError(40096, `no pending transfer of ${externalUserid}`);
    t.status = 3;
    this.state.emitTransferFail(t.takeover, externalUserid, 'customer_refused');
    return t;
  }

  /** Transfers whose window has passed take effect: the relation moves, or the takeover limit stops it. */
  settle(): void {
    for (const t of this.transfers) {
      if (t.status !== 2 || t.takeoverAt > this.now()) continue;
      if (this.state.contactsOf(t.takeover).length >= this.settings.maxCustomersPerMember) {
        t.status = 4;
        this.state.emitTransferFail(t.takeover, t.externalUserid, 'customer_limit_exceed');
        continue;
      }
      this.state.moveFollow(t.externalUserid, t.handover, t.takeover, { announceRemoval: t.kind === 'onjob' });
      t.status = 1;
    }
  }

  private start(t: Omit<SimTransfer, 'status' | 'takeoverAt' | 'startedAt'>): void {
    const at = this.now();
    this.transfers.push({ ...t, status: 2, startedAt: at, takeoverAt: at + this.settings.objectionMs });
    // Nobody has to ask for the takeover to happen: WeCom moves the relation when the window ends.
    setTimeout(() => this.settle(), this.settings.objectionMs + 10).unref();
  }

  private onJobRefusal(handover: string, takeover: string, id: string): number | null {
    if (!/^w[mo][\w-]+$/.test(id)) return 40096;
    if (handover === takeover) return 40130;
    if (!this.followedBy(id, handover)) return 40131;
    if (this.pending(id)) return 40129;
    // 「90个自然日内，在职成员的每位客户仅可被转接2次」: counted per customer, whoever handed it over.
    const recent = this.transfers.filter((x) => x.kind === 'onjob' && x.externalUserid === id && this.now() - x.startedAt < NINETY_DAYS_MS);
    return recent.length >= 2 ? 40128 : null;
  }

  private followedBy(id: string, userid: string): boolean {
    return this.state.externalContacts.get(id)?.follows.some((f) => f.userid === userid) ?? false;
  }

  private pending(id: string): boolean {
    return this.transfers.some((t) => t.externalUserid === id && t.status === 2);
  }
}

function customerList(raw: unknown): string[] {
  const ids = Array.isArray(raw) ? raw.map(String) : [];
  if (ids.length === 0) throw new SimulatorError(41035, 'missing external userid');
  if (ids.length > PER_CALL) throw new SimulatorError(40058, `external_userid holds at most ${PER_CALL} customers`);
  return ids;
}

/**
 * `groupchat/onjob_transfer` / `groupchat/transfer`: new owner for 1–100 chats; the chats that could
 * not move come back in `failed_chat_list` (90500: the owner has not left, for the resigned API;
 * 「90个自然日内，在职成员的每个客户群仅可被转接2次」 on the job).
 */
export class GroupChatTransfers {
  private readonly history: { chatId: string; at: number }[] = [];

  constructor(
    private readonly state: CorpState,
    private readonly now: () => number,
  ) {}

  transfer(kind: TransferKind, chatIds: unknown, newOwner: unknown): { failed_chat_list: { chat_id: string; errcode: number; errmsg: string }[] } {
    const ids = Array.isArray(chatIds) ? chatIds.map(String) : [];
    if (ids.length === 0 || ids.length > PER_CALL) throw new SimulatorError(40058, `chat_id_list must hold 1..${PER_CALL} chats`);
    const owner = String(newOwner ?? '');
    this.state.requireUser(owner);
    const failed: { chat_id: string; errcode: number; errmsg: string }[] = [];
    for (const id of ids) {
      const chat = this.state.groupChats.get(id);
      const resigned = chat ? this.state.resignedAt.has(chat.owner) : false;
      const recent = this.history.filter((h) => h.chatId === id && this.now() - h.at < NINETY_DAYS_MS).length;
      const refusal: [number, string] | null = !chat
        ? [90501, 'chat is not external group chat']
        : kind === 'resigned' && !resigned
          ? [90500, 'the owner of this chat is not resigned']
          : kind === 'onjob' && resigned
            ? [40097, 'the owner of this chat is resigned']
            : chat.owner === owner
              ? [40130, 'new owner is the current owner']
              : kind === 'onjob' && recent >= 2
                ? [40128, 'chat transferred too often']
                : null;
      if (refusal) {
        failed.push({ chat_id: id, errcode: refusal[0], errmsg: refusal[1] });
        continue;
      }
      if (kind === 'onjob') this.history.push({ chatId: id, at: this.now() });
      this.state.changeGroupOwner(id, owner);
    }
    return { failed_chat_list: failed };
  }
}
