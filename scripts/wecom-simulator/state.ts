/**
 * The simulated corp: departments, employees, external contacts with their follow relations,
 * corp tags and group chats. Every mutation reports the callback event WeCom would send, through
 * the `emit` hook (the event sender encrypts and delivers it).
 */
import { randomBytes } from 'node:crypto';
import { CURRENT_RULES, WELCOME_CODE_TTL_MS, type SimulatorRules } from './rules';

const TAG_NAME_MAX = 30;
const CORP_TAGS_MAX = 10_000;
import type { CorpTagGroup, FollowInfo, WecomDepartment, WecomExternalContact, WecomFollowUser, WecomGroupChat, WecomUser } from '../../server/wecom/types';

export type SimEvent = Record<string, string | number | Record<string, unknown> | Record<string, unknown>[]>;

export interface SimFollow extends Omit<WecomFollowUser, 'tags'> {
  tag_ids: string[];
}

export interface SimExternalContact {
  contact: WecomExternalContact;
  follows: SimFollow[];
}

export class SimulatorError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CorpSnapshot {
  departments: WecomDepartment[];
  users: WecomUser[];
  externalContacts: SimExternalContact[];
  tagGroups: CorpTagGroup[];
  groupChats: WecomGroupChat[];
}

/** A WelcomeCode handed out with an add event: 20 s, one use (92599). */
export interface IssuedWelcomeCode {
  externalUserid: string;
  userid: string;
  expiresAt: number;
  usedAt: number | null;
}

export class CorpState {
  /** The rules the corp lives under (set by the simulator; see rules.ts). */
  rules: SimulatorRules = CURRENT_RULES;
  readonly welcomeCodes = new Map<string, IssuedWelcomeCode>();
  readonly departments = new Map<number, WecomDepartment>();
  readonly users = new Map<string, WecomUser>();
  readonly externalContacts = new Map<string, SimExternalContact>();
  readonly tagGroups = new Map<string, CorpTagGroup>();
  readonly groupChats = new Map<string, WecomGroupChat>();
  /** Employees with the 客户联系 permission; by default every employee who follows someone. */
  readonly followUsers = new Set<string>();
  /**
   * Members who left, with when: their customers stay theirs, 待分配, until 离职继承 hands them
   * over (92124 获取待分配的离职成员列表).
   */
  readonly resignedAt = new Map<string, number>();
  /** Corp tags and groups this app created through the API: the only ones it may edit or delete (92117). */
  readonly appTags = new Set<string>();

  constructor(
    private readonly emit: (event: SimEvent) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  load(snapshot: CorpSnapshot): void {
    this.departments.clear();
    this.users.clear();
    this.externalContacts.clear();
    this.tagGroups.clear();
    this.groupChats.clear();
    this.followUsers.clear();
    this.resignedAt.clear();
    this.appTags.clear();
    for (const d of snapshot.departments) this.departments.set(d.id, structuredClone(d));
    for (const u of snapshot.users) this.users.set(u.userid, structuredClone(u));
    for (const c of snapshot.externalContacts) {
      this.externalContacts.set(c.contact.external_userid, structuredClone(c));
      for (const f of c.follows) this.followUsers.add(f.userid);
    }
    for (const g of snapshot.tagGroups) this.tagGroups.set(g.group_id, structuredClone(g));
    for (const g of snapshot.groupChats) this.groupChats.set(g.chat_id, structuredClone(g));
  }

  private get createTime(): number {
    return Math.floor(this.now() / 1000);
  }

  // ---- departments -------------------------------------------------------------------------

  createDepartment(dept: WecomDepartment): WecomDepartment {
    if (this.departments.has(dept.id)) throw new SimulatorError(60008, `department ${dept.id} exists`);
    if (dept.parentid !== 0 && !this.departments.has(dept.parentid)) {
      throw new SimulatorError(60004, `parent department ${dept.parentid} not found`);
    }
    this.departments.set(dept.id, structuredClone(dept));
    this.emit({
      ...contactEvent('create_party', this.createTime),
      Id: dept.id,
      Name: dept.name,
      ParentId: String(dept.parentid),
      Order: dept.order,
    });
    return dept;
  }

  updateDepartment(id: number, patch: Partial<Omit<WecomDepartment, 'id'>>): WecomDepartment {
    const dept = this.requireDepartment(id);
    Object.assign(dept, patch);
    const event: SimEvent = { ...contactEvent('update_party', this.createTime), Id: id };
    if (patch.name !== undefined) event.Name = patch.name;
    if (patch.parentid !== undefined) event.ParentId = String(patch.parentid);
    this.emit(event);
    return dept;
  }

  deleteDepartment(id: number): void {
    this.requireDepartment(id);
    if ([...this.departments.values()].some((d) => d.parentid === id)) {
      throw new SimulatorError(60006, 'department has sub-departments');
    }
    if ([...this.users.values()].some((u) => u.department.includes(id))) {
      throw new SimulatorError(60005, 'department has members');
    }
    this.departments.delete(id);
    this.emit({ ...contactEvent('delete_party', this.createTime), Id: id });
  }

  requireDepartment(id: number): WecomDepartment {
    const dept = this.departments.get(id);
    if (!dept) throw new SimulatorError(60123, `department ${id} not found`);
    return dept;
  }

  // ---- employees ---------------------------------------------------------------------------

  createUser(user: WecomUser): WecomUser {
    if (this.users.has(user.userid)) throw new SimulatorError(60102, `userid ${user.userid} exists`);
    for (const d of user.department) this.requireDepartment(d);
    const stored = structuredClone({ ...user, main_department: user.main_department ?? user.department[0] });
    this.users.set(user.userid, stored);
    this.resignedAt.delete(user.userid);
    this.emit({ ...contactEvent('create_user', this.createTime), ...userEventFields(stored) });
    return stored;
  }

  /** Updates an employee; `newUserid` renames it (WeCom's NewUserID). */
  updateUser(userid: string, patch: Partial<Omit<WecomUser, 'userid'>> & { newUserid?: string }): WecomUser {
    const user = this.requireUser(userid);
    const { newUserid, ...fields } = patch;
    for (const d of fields.department ?? []) this.requireDepartment(d);
    Object.assign(user, fields);
    const event: SimEvent = { ...contactEvent('update_user', this.createTime), UserID: userid };
    if (newUserid && newUserid !== userid) {
      if (this.users.has(newUserid)) throw new SimulatorError(60102, `userid ${newUserid} exists`);
      this.users.delete(userid);
      user.userid = newUserid;
      this.users.set(newUserid, user);
      event.NewUserID = newUserid;
      for (const c of this.externalContacts.values()) {
        for (const f of c.follows) if (f.userid === userid) f.userid = newUserid;
      }
      if (this.followUsers.delete(userid)) this.followUsers.add(newUserid);
    }
    Object.assign(event, pickUserEventFields(fields));
    this.emit(event);
    return user;
  }

  deleteUser(userid: string): void {
    this.requireUser(userid);
    this.users.delete(userid);
    this.followUsers.delete(userid);
    this.resignedAt.set(userid, this.now());
    this.emit({ ...contactEvent('delete_user', this.createTime), UserID: userid });
  }

  requireUser(userid: string): WecomUser {
    const user = this.users.get(userid);
    if (!user) throw new SimulatorError(60111, `userid ${userid} not found`);
    return user;
  }

  // ---- external contacts -------------------------------------------------------------------

  /** A customer adds an employee (or is added by one): add_external_contact. */
  addExternalContact(contact: WecomExternalContact, follow: Omit<SimFollow, 'createtime'> & { createtime?: number }): SimExternalContact {
    this.requireUser(follow.userid);
    let entry = this.externalContacts.get(contact.external_userid);
    if (!entry) {
      entry = { contact: structuredClone(contact), follows: [] };
      this.externalContacts.set(contact.external_userid, entry);
    }
    if (entry.follows.some((f) => f.userid === follow.userid)) {
      throw new SimulatorError(84071, `${follow.userid} already follows ${contact.external_userid}`);
    }
    const stored: SimFollow = { ...structuredClone(follow), createtime: follow.createtime ?? this.createTime };
    entry.follows.push(stored);
    this.followUsers.add(follow.userid);
    const event: SimEvent = {
      ...externalEvent('add_external_contact', this.createTime),
      UserID: follow.userid,
      ExternalUserID: contact.external_userid,
    };
    if (follow.state) event.State = follow.state;
    // No WelcomeCode when the admin configured the welcome message in the console (92599).
    if (!this.rules.consoleWelcome) event.WelcomeCode = this.issueWelcomeCode(contact.external_userid, follow.userid);
    this.emit(event);
    return entry;
  }

  private issueWelcomeCode(externalUserid: string, userid: string): string {
    const code = `wc${randomBytes(12).toString('hex')}`;
    this.welcomeCodes.set(code, { externalUserid, userid, expiresAt: this.now() + WELCOME_CODE_TTL_MS, usedAt: null });
    return code;
  }

  /**
   * The employee edits remark / description / mobiles / tags in the client: edit_external_contact —
   * except when only the remark mobiles changed: 「仅修改外部联系人备注手机号时不会触发回调」 (96361, 92277).
   */
  editFollow(externalUserid: string, userid: string, patch: Partial<Omit<SimFollow, 'userid'>>): SimFollow {
    const follow = this.requireFollow(externalUserid, userid);
    Object.assign(follow, patch);
    if (Object.keys(patch).every((k) => k === 'remark_mobiles')) return follow;
    this.emit({
      ...externalEvent('edit_external_contact', this.createTime),
      UserID: userid,
      ExternalUserID: externalUserid,
    });
    return follow;
  }

  /**
   * Ends a follow relation. `by: 'employee'` → del_external_contact (the employee deleted the
   * customer); `by: 'customer'` → del_follow_user (the customer deleted the employee).
   */
  removeFollow(externalUserid: string, userid: string, by: 'employee' | 'customer'): void {
    const entry = this.requireExternalContact(externalUserid);
    this.requireFollow(externalUserid, userid);
    entry.follows = entry.follows.filter((f) => f.userid !== userid);
    const event: SimEvent = {
      ...externalEvent(by === 'employee' ? 'del_external_contact' : 'del_follow_user', this.createTime),
      UserID: userid,
      ExternalUserID: externalUserid,
    };
    if (by === 'employee') event.Source = 'DELETE_BY_USER';
    this.emit(event);
  }

  /**
   * A takeover went through (客户继承): the takeover member follows the customer (with the
   * handover member's remark and tags, added by 管理员/负责人分配, add_way 202) and the handover
   * member no longer does. `announceRemoval`: on the job, the handover member gets
   * del_external_contact with Source DELETE_BY_TRANSFER; a member who left gets nothing.
   */
  moveFollow(externalUserid: string, from: string, to: string, options: { announceRemoval: boolean }): void {
    const entry = this.requireExternalContact(externalUserid);
    const old = this.requireFollow(externalUserid, from);
    const alreadyFriend = entry.follows.some((f) => f.userid === to);
    entry.follows = entry.follows.filter((f) => f.userid !== from);
    if (!alreadyFriend) {
      const moved: SimFollow = { ...structuredClone(old), userid: to, add_way: 202, oper_userid: to, createtime: this.createTime };
      delete moved.state; // the 渠道 was the handover member's
      entry.follows.push(moved);
      this.followUsers.add(to);
    }
    if (options.announceRemoval) {
      this.emit({ ...externalEvent('del_external_contact', this.createTime), UserID: from, ExternalUserID: externalUserid, Source: 'DELETE_BY_TRANSFER' });
    }
    // 92125: no add event when the takeover member was already the customer's friend.
    if (!alreadyFriend) this.emit({ ...externalEvent('add_external_contact', this.createTime), UserID: to, ExternalUserID: externalUserid });
  }

  /** 客户接替失败事件: UserID is the takeover member. */
  emitTransferFail(takeover: string, externalUserid: string, reason: 'customer_refused' | 'customer_limit_exceed'): void {
    this.emit({ ...externalEvent('transfer_fail', this.createTime), UserID: takeover, ExternalUserID: externalUserid, FailReason: reason });
  }

  requireExternalContact(externalUserid: string): SimExternalContact {
    const entry = this.externalContacts.get(externalUserid);
    if (!entry || entry.follows.length === 0) {
      throw new SimulatorError(84061, `external contact ${externalUserid} not found`);
    }
    return entry;
  }

  requireFollow(externalUserid: string, userid: string): SimFollow {
    const follow = this.externalContacts.get(externalUserid)?.follows.find((f) => f.userid === userid);
    if (!follow) throw new SimulatorError(84061, `${userid} does not follow ${externalUserid}`);
    return follow;
  }

  /** External contacts of one employee, in a stable order (insertion). */
  contactsOf(userid: string): { contact: WecomExternalContact; follow: SimFollow }[] {
    return this.contactsOfAll([userid]);
  }

  /** The contacts of several employees, employee by employee, in one pass over the corp. */
  contactsOfAll(userids: readonly string[]): { contact: WecomExternalContact; follow: SimFollow }[] {
    const of = new Map(userids.map((u) => [u, [] as { contact: WecomExternalContact; follow: SimFollow }[]]));
    for (const entry of this.externalContacts.values()) {
      for (const follow of entry.follows) of.get(follow.userid)?.push({ contact: entry.contact, follow });
    }
    return [...of.values()].flat();
  }

  followInfo(follow: SimFollow): FollowInfo {
    const { tag_ids, ...rest } = follow;
    return { ...rest, tag_id: [...tag_ids] };
  }

  followUser(follow: SimFollow): WecomFollowUser {
    const { tag_ids, ...rest } = follow;
    return { ...rest, tags: tag_ids.map((id) => this.describeTag(id)).filter((t) => t !== undefined) };
  }

  // ---- corp tags ---------------------------------------------------------------------------

  createTagGroup(group: CorpTagGroup): CorpTagGroup {
    this.tagGroups.set(group.group_id, structuredClone(group));
    this.emit({ ...tagEvent('create', this.createTime), Id: group.group_id, TagType: 'tag_group' });
    return group;
  }

  renameTag(tagId: string, name: string): void {
    for (const group of this.tagGroups.values()) {
      const tag = group.tag.find((t) => t.id === tagId);
      if (tag) {
        tag.name = name;
        this.emit({ ...tagEvent('update', this.createTime), Id: tagId, TagType: 'tag' });
        return;
      }
    }
    throw new SimulatorError(40068, `tag ${tagId} not found`);
  }

  deleteTag(tagId: string): void {
    for (const group of this.tagGroups.values()) {
      const before = group.tag.length;
      group.tag = group.tag.filter((t) => t.id !== tagId);
      if (group.tag.length !== before) {
        this.emit({ ...tagEvent('delete', this.createTime), Id: tagId, TagType: 'tag' });
        return;
      }
    }
    throw new SimulatorError(40068, `tag ${tagId} not found`);
  }

  // ---- corp tags through the API (92117 / 96320 管理企业标签) -------------------------------------
  // 「通过API进行的操作不会产生回调」 (96361): none of these emits an event.

  /**
   * `add_corp_tag`: tags into the group `group_id`, or a new group named `group_name` (an empty
   * group may not be created); names at most 30 characters; 10,000 tags a corp (40126).
   */
  addCorpTag(r: { group_id?: string; group_name?: string; order?: number; tag?: { name?: string; order?: number }[] }): CorpTagGroup {
    const tags = r.tag ?? [];
    if (!tags.length) throw new SimulatorError(40058, 'tag list is empty');
    for (const t of tags) if (!t.name || [...t.name].length > TAG_NAME_MAX) throw new SimulatorError(40058, 'tag name must be 1..30 characters');
    const total = [...this.tagGroups.values()].reduce((n, g) => n + g.tag.length, 0);
    if (total + tags.length > CORP_TAGS_MAX) throw new SimulatorError(40126, 'corp tag count exceeds the limit');
    let group = r.group_id ? this.tagGroups.get(r.group_id) : undefined;
    if (r.group_id && !group) throw new SimulatorError(40068, `group ${r.group_id} not found`);
    if (!group) {
      if (!r.group_name || [...r.group_name].length > TAG_NAME_MAX) throw new SimulatorError(40058, 'group_name must be 1..30 characters');
      group = { group_id: `etgrp${randomBytes(8).toString('hex')}`, group_name: r.group_name, create_time: this.createTime, order: r.order ?? 0, tag: [] };
      this.tagGroups.set(group.group_id, group);
      this.appTags.add(group.group_id);
    }
    const added = [];
    for (const t of tags) {
      if (group.tag.some((x) => x.name === t.name)) throw new SimulatorError(40071, `tag name ${t.name} exists`);
      const tag = { id: `et${randomBytes(10).toString('hex')}`, name: t.name!, create_time: this.createTime, order: t.order ?? 0 };
      group.tag.push(tag);
      this.appTags.add(tag.id);
      added.push(tag);
    }
    return { ...structuredClone(group), tag: structuredClone(added) };
  }

  /** `edit_corp_tag`: a tag's or group's name / order — only one this app created. */
  editCorpTag(r: { id?: string; name?: string; order?: number }): void {
    const id = String(r.id ?? '');
    this.requireAppTag(id);
    if (r.name !== undefined && (!r.name || [...r.name].length > TAG_NAME_MAX)) throw new SimulatorError(40058, 'name must be 1..30 characters');
    const group = this.tagGroups.get(id);
    if (group) {
      if (r.name !== undefined) group.group_name = r.name;
      if (r.order !== undefined) group.order = r.order;
      return;
    }
    for (const g of this.tagGroups.values()) {
      const tag = g.tag.find((t) => t.id === id);
      if (!tag) continue;
      if (r.name !== undefined && g.tag.some((t) => t.id !== id && t.name === r.name)) throw new SimulatorError(40071, `tag name ${r.name} exists`);
      if (r.name !== undefined) tag.name = r.name;
      if (r.order !== undefined) tag.order = r.order;
      return;
    }
    throw new SimulatorError(40068, `tag ${id} not found`);
  }

  /** `del_corp_tag`: tags and whole groups this app created; a group left empty goes too. */
  delCorpTag(r: { tag_id?: string[]; group_id?: string[] }): void {
    const tagIds = r.tag_id ?? [];
    const groupIds = r.group_id ?? [];
    if (!tagIds.length && !groupIds.length) throw new SimulatorError(40058, 'tag_id and group_id are both empty');
    for (const id of [...tagIds, ...groupIds]) this.requireAppTag(id);
    for (const id of groupIds) this.tagGroups.delete(id);
    for (const g of [...this.tagGroups.values()]) {
      g.tag = g.tag.filter((t) => !tagIds.includes(t.id));
      if (!g.tag.length) this.tagGroups.delete(g.group_id);
    }
    for (const c of this.externalContacts.values()) for (const f of c.follows) f.tag_ids = f.tag_ids.filter((t) => !tagIds.includes(t));
  }

  /**
   * 92117: 「应用仅能编辑和删除本应用创建的标签」. The page names no errcode for the refusal; the
   * simulator answers 48002 (api forbidden).
   */
  private requireAppTag(id: string): void {
    const exists = this.tagGroups.has(id) || [...this.tagGroups.values()].some((g) => g.tag.some((t) => t.id === id));
    if (!exists) throw new SimulatorError(40068, `tag ${id} not found`);
    if (!this.appTags.has(id)) throw new SimulatorError(48002, 'api forbidden: the tag was not created by this app');
  }

  describeTag(tagId: string): { group_name: string; tag_name: string; tag_id: string; type: number } | undefined {
    for (const group of this.tagGroups.values()) {
      const tag = group.tag.find((t) => t.id === tagId);
      if (tag) return { group_name: group.group_name, tag_name: tag.name, tag_id: tag.id, type: 1 };
    }
    return undefined;
  }

  /** Tag changes made by an employee through the API are not reported back (as in WeCom). */
  markTags(externalUserid: string, userid: string, add: string[], remove: string[]): void {
    const follow = this.requireFollow(externalUserid, userid);
    for (const id of [...add, ...remove]) {
      if (!this.describeTag(id)) throw new SimulatorError(40068, `tag ${id} not found`);
    }
    follow.tag_ids = [...new Set([...follow.tag_ids.filter((t) => !remove.includes(t)), ...add])];
  }

  // ---- group chats -------------------------------------------------------------------------

  createGroupChat(chat: WecomGroupChat): WecomGroupChat {
    this.requireUser(chat.owner);
    this.groupChats.set(chat.chat_id, structuredClone(chat));
    this.emit({ ...chatEvent('create', this.createTime), ChatId: chat.chat_id });
    return chat;
  }

  addGroupMembers(chatId: string, members: WecomGroupChat['member_list']): void {
    const chat = this.requireGroupChat(chatId);
    chat.member_list.push(...structuredClone(members));
    this.emit({
      ...chatEvent('update', this.createTime),
      ChatId: chatId,
      UpdateDetail: 'add_member',
      JoinScene: 1,
      MemChangeCnt: members.length,
      MemChangeList: { Item: members.map((m) => m.userid) } as unknown as Record<string, unknown>,
    });
  }

  renameGroupChat(chatId: string, name: string): void {
    this.requireGroupChat(chatId).name = name;
    this.emit({ ...chatEvent('update', this.createTime), ChatId: chatId, UpdateDetail: 'change_name' });
  }

  /** A customer group's new owner (群主继承): change_external_chat update / change_owner. */
  changeGroupOwner(chatId: string, owner: string): void {
    const chat = this.requireGroupChat(chatId);
    chat.owner = owner;
    if (!chat.member_list.some((m) => m.type === 1 && m.userid === owner)) {
      chat.member_list.push({ userid: owner, type: 1, join_time: this.createTime, join_scene: 1 });
    }
    this.emit({ ...chatEvent('update', this.createTime), ChatId: chatId, UpdateDetail: 'change_owner' });
  }

  dismissGroupChat(chatId: string): void {
    this.requireGroupChat(chatId);
    this.groupChats.delete(chatId);
    this.emit({ ...chatEvent('dismiss', this.createTime), ChatId: chatId });
  }

  requireGroupChat(chatId: string): WecomGroupChat {
    const chat = this.groupChats.get(chatId);
    if (!chat) throw new SimulatorError(40050, `chat ${chatId} not found`);
    return chat;
  }
}

function contactEvent(changeType: string, createTime: number): SimEvent {
  return { MsgType: 'event', Event: 'change_contact', ChangeType: changeType, CreateTime: createTime };
}

function externalEvent(changeType: string, createTime: number): SimEvent {
  return { MsgType: 'event', Event: 'change_external_contact', ChangeType: changeType, CreateTime: createTime };
}

function chatEvent(changeType: string, createTime: number): SimEvent {
  return { MsgType: 'event', Event: 'change_external_chat', ChangeType: changeType, CreateTime: createTime };
}

function tagEvent(changeType: string, createTime: number): SimEvent {
  return { MsgType: 'event', Event: 'change_external_tag', ChangeType: changeType, CreateTime: createTime };
}

function userEventFields(user: WecomUser): SimEvent {
  return { UserID: user.userid, ...pickUserEventFields(user) };
}

/** The XML fields of a change_contact user event for the given (changed) user fields. */
function pickUserEventFields(fields: Partial<WecomUser>): SimEvent {
  const out: SimEvent = {};
  if (fields.name !== undefined) out.Name = fields.name;
  if (fields.department !== undefined) out.Department = fields.department.join(',');
  if (fields.main_department !== undefined) out.MainDepartment = String(fields.main_department);
  if (fields.is_leader_in_dept !== undefined) out.IsLeaderInDept = fields.is_leader_in_dept.join(',');
  if (fields.position !== undefined) out.Position = fields.position;
  if (fields.mobile !== undefined) out.Mobile = fields.mobile;
  if (fields.gender !== undefined) out.Gender = fields.gender;
  if (fields.email !== undefined) out.Email = fields.email;
  if (fields.status !== undefined) out.Status = fields.status;
  if (fields.avatar !== undefined) out.Avatar = fields.avatar;
  if (fields.alias !== undefined) out.Alias = fields.alias;
  return out;
}
