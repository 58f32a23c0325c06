/** Request and response shapes of the WeCom server APIs we call (server/wecom/README.md#the-server-apis-we-call). */

export interface WecomResponse {
  errcode: number;
  errmsg: string;
}

export type SecretKind = 'agent' | 'contact' | 'external';

/** The secrets that may read 通讯录 (the app's, or the 通讯录同步 one). */
export type DirectorySecret = Extract<SecretKind, 'agent' | 'contact'>;

export interface AccessTokenResponse extends WecomResponse {
  access_token: string;
  expires_in: number;
}

export interface TicketResponse extends WecomResponse {
  ticket: string;
  expires_in: number;
}

export interface UserInfoResponse extends WecomResponse {
  /** Present for corp members. */
  userid?: string;
  user_ticket?: string;
  /** Present for non-members. */
  openid?: string;
  external_userid?: string;
}

export interface UserDetailResponse extends WecomResponse {
  userid: string;
  gender?: string;
  avatar?: string;
  qr_code?: string;
  mobile?: string;
  email?: string;
  biz_mail?: string;
  address?: string;
}

export interface WecomDepartment {
  id: number;
  name: string;
  name_en?: string;
  department_leader?: string[];
  parentid: number;
  order: number;
}

export interface DepartmentListResponse extends WecomResponse {
  department: WecomDepartment[];
}

export interface DepartmentGetResponse extends WecomResponse {
  department: WecomDepartment;
}

export interface DepartmentSimpleListResponse extends WecomResponse {
  department_id: { id: number; parentid: number; order: number }[];
}

/** 1 active, 2 disabled, 4 not activated, 5 left the corp. */
export type WecomUserStatus = 1 | 2 | 4 | 5;

export interface WecomUser {
  userid: string;
  name: string;
  department: number[];
  order?: number[];
  main_department?: number;
  position?: string;
  mobile?: string;
  gender?: string;
  email?: string;
  biz_mail?: string;
  is_leader_in_dept?: number[];
  direct_leader?: string[];
  avatar?: string;
  thumb_avatar?: string;
  telephone?: string;
  alias?: string;
  status: WecomUserStatus;
  open_userid?: string;
}

export interface UserGetResponse extends WecomResponse, WecomUser {}

export interface UserListResponse extends WecomResponse {
  userlist: WecomUser[];
}

export interface UserListIdResponse extends WecomResponse {
  next_cursor?: string;
  dept_user: { userid: string; department: number }[];
}

export interface FollowUserListResponse extends WecomResponse {
  follow_user: string[];
}

export interface ExternalContactListResponse extends WecomResponse {
  external_userid: string[];
}

/** 1 WeChat user, 2 WeCom user. */
export type ExternalContactType = 1 | 2;

export interface WecomExternalContact {
  external_userid: string;
  name: string;
  type: ExternalContactType;
  avatar?: string;
  gender?: number;
  unionid?: string;
  position?: string;
  corp_name?: string;
  corp_full_name?: string;
}

export interface FollowUserTag {
  group_name: string;
  tag_name: string;
  tag_id?: string;
  type: number;
}

export interface WecomFollowUser {
  userid: string;
  remark: string;
  description: string;
  createtime: number;
  tags?: FollowUserTag[];
  remark_corp_name?: string;
  remark_mobiles?: string[];
  oper_userid?: string;
  add_way: number;
  state?: string;
}

export interface ExternalContactGetResponse extends WecomResponse {
  external_contact: WecomExternalContact;
  follow_user: WecomFollowUser[];
  next_cursor?: string;
}

export interface FollowInfo {
  userid: string;
  remark: string;
  description: string;
  createtime: number;
  tag_id?: string[];
  remark_corp_name?: string;
  remark_mobiles?: string[];
  oper_userid?: string;
  add_way: number;
  state?: string;
}

export interface BatchGetByUserRequest {
  userid_list: string[];
  cursor?: string;
  limit?: number;
}

export interface BatchGetByUserResponse extends WecomResponse {
  external_contact_list: { external_contact: WecomExternalContact; follow_info: FollowInfo }[];
  next_cursor?: string;
}

export interface CorpTag {
  id: string;
  name: string;
  create_time: number;
  order: number;
  deleted?: boolean;
}

export interface CorpTagGroup {
  group_id: string;
  group_name: string;
  create_time: number;
  order: number;
  deleted?: boolean;
  tag: CorpTag[];
}

export interface CorpTagListResponse extends WecomResponse {
  tag_group: CorpTagGroup[];
}

export interface MarkTagRequest {
  userid: string;
  external_userid: string;
  add_tag?: string[];
  remove_tag?: string[];
}

/** 客户继承: on the job (在职) or from a member who left (离职). */
export type TransferKind = 'onjob' | 'resigned';

export interface TransferCustomerRequest {
  handover_userid: string;
  takeover_userid: string;
  /** At most 100 (92125). */
  external_userid: string[];
  /** On the job only: what the customer is told, at most 200 characters. */
  transfer_success_msg?: string;
}

export interface TransferCustomerResponse extends WecomResponse {
  customer: { external_userid: string; errcode: number }[];
}

/** 94088: 1 接替完毕, 2 等待接替, 3 客户拒绝, 4 接替成员客户达到上限, 5 无接替记录. */
export type TransferStatusCode = 1 | 2 | 3 | 4 | 5;

export interface TransferResult {
  external_userid: string;
  status: TransferStatusCode;
  /** Seconds; while waiting, when the takeover will happen. */
  takeover_time: number;
}

export interface TransferResultResponse extends WecomResponse {
  customer: TransferResult[];
  next_cursor?: string;
}

export interface UnassignedContact {
  handover_userid: string;
  external_userid: string;
  dimission_time: number;
}

export interface UnassignedListResponse extends WecomResponse {
  info: UnassignedContact[];
  is_last: boolean;
  next_cursor?: string;
}

export interface GroupChatTransferResponse extends WecomResponse {
  failed_chat_list?: { chat_id: string; errcode: number; errmsg: string }[];
}

export interface AddCorpTagResponse extends WecomResponse {
  tag_group: CorpTagGroup;
}

/** 92228: `type` 1 单人 / 2 多人, `scene` 2 二维码; `state` (≤ 30 characters) comes back in the add event. */
export interface ContactWayRequest {
  type: 1 | 2;
  scene: 1 | 2;
  remark?: string;
  skip_verify?: boolean;
  state?: string;
  user?: string[];
  party?: number[];
}

export interface AddContactWayResponse extends WecomResponse {
  config_id: string;
  qr_code?: string;
}

export interface GetContactWayResponse extends WecomResponse {
  contact_way: ContactWayRequest & { config_id: string; qr_code?: string };
}

export type WelcomeAttachment =
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'link'; link: { title: string; url: string; desc?: string; picurl?: string } }
  | { msgtype: 'miniprogram'; miniprogram: { title: string; pic_media_id: string; appid: string; page: string } };

export interface WelcomeMessageRequest {
  welcome_code: string;
  text?: { content: string };
  attachments?: WelcomeAttachment[];
}

export interface MediaUploadResponse extends WecomResponse {
  type: string;
  media_id: string;
  created_at: string;
}

export interface RemarkRequest {
  userid: string;
  external_userid: string;
  remark?: string;
  description?: string;
  remark_company?: string;
  /** Replaces the old ones; "" clears them (92115). */
  remark_mobiles?: string[] | '';
}

export interface GroupChatListRequest {
  /** 0 all, 1 pending inheritance, 2 inherited, 3 inheritance in progress. */
  status_filter?: number;
  owner_filter?: { userid_list: string[] };
  cursor?: string;
  limit: number;
}

export interface GroupChatListResponse extends WecomResponse {
  group_chat_list: { chat_id: string; status: number }[];
  next_cursor?: string;
}

export interface GroupChatMember {
  userid: string;
  /** 1 corp member, 2 external contact. */
  type: 1 | 2;
  unionid?: string;
  join_time: number;
  join_scene: number;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
}

export interface WecomGroupChat {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice?: string;
  member_list: GroupChatMember[];
  admin_list?: { userid: string }[];
  member_version?: string;
}

export interface GroupChatGetResponse extends WecomResponse {
  group_chat: WecomGroupChat;
}

export type AppMessage =
  | { touser?: string; toparty?: string; msgtype: 'text'; text: { content: string } }
  | { touser?: string; toparty?: string; msgtype: 'markdown'; markdown: { content: string } }
  | {
      touser?: string;
      toparty?: string;
      msgtype: 'textcard';
      textcard: { title: string; description: string; url: string; btntxt?: string };
    };

export interface MessageSendResponse extends WecomResponse {
  invaliduser?: string;
  invalidparty?: string;
  /** Members in the app's 可见范围 without a basic-interface licence. */
  unlicenseduser?: string;
  msgid?: string;
}

/** 92135 创建企业群发: attachments as the welcome message takes them, plus video and file. */
export type MassAttachment = WelcomeAttachment | { msgtype: 'video'; video: { media_id: string } } | { msgtype: 'file'; file: { media_id: string } };

export interface MsgTemplateRequest {
  chat_type?: 'single' | 'group';
  /** At most 10,000 customers (single). */
  external_userid?: string[];
  chat_id_list?: string[];
  sender?: string;
  text?: { content: string };
  /** At most 9. */
  attachments?: MassAttachment[];
}

export interface MsgTemplateResponse extends WecomResponse {
  msgid: string;
  /** Customers (or chats) the task could not take: not the sender's, unknown. */
  fail_list?: string[];
}

/** 93338 获取群发成员发送任务列表: 0 未发送, 2 已发送. */
export interface GroupMsgTask {
  userid: string;
  status: 0 | 2;
  send_time?: number;
}

/**
 * 93338 获取企业群发成员执行结果: 0 未发送, 1 已发送, 2 因客户不是好友导致发送失败,
 * 3 因客户已经收到其他群发消息导致发送失败 (the receiving limit of 92135).
 */
export interface GroupMsgSendResult {
  external_userid?: string;
  chat_id?: string;
  userid: string;
  status: 0 | 1 | 2 | 3;
  send_time?: number;
}

export interface GroupMsgListItem {
  msgid: string;
  creator?: string;
  create_time: string;
  create_type: 0 | 1;
  text?: { content: string };
  attachments?: MassAttachment[];
}
