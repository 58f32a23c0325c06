/**
 * What each callback event does (server/README.md#callback-flow). A handler first reads what it needs from WeCom
 * (events carry ids, not data), then returns the database changes to apply; the worker applies
 * them in one transaction together with marking the event done, so an event takes effect once.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import type { WecomDepartment } from '../../wecom/types';
import { xmlText, type XmlObject } from '../../wecom/xml';
import { DirectoryReader } from '../org/directory';
import { applyDepartments, applyEmployee, markDepartmentDeleted, markUserLeft, renameWecomUser, type RoleBootstrap } from '../org/service';
import type { CallbackEventType, ChangeTypeOf } from '@shared/events';
import type { ContactChange, ExternalContactHooks } from '../wecom-mirror/hooks';
import {
  applyExternalContact,
  markGroupChatDismissed,
  markRelationDeleted,
  recordTransferFailure,
  renameFollower,
  replaceCorpTags,
  upsertGroupChat,
  type RelationDeleteReason,
} from '../wecom-mirror/service';

export type Apply = (transaction: Transaction) => Promise<void>;

export interface HandlerDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  bootstrap: RoleBootstrap;
  hooks: ExternalContactHooks;
}

type Handler = (event: XmlObject, deps: HandlerDeps) => Promise<Apply>;

/** Reads for, and returns the writes of, a run of consecutive events of one entity. */
type RunHandler = (events: readonly XmlObject[], deps: HandlerDeps) => Promise<Apply>;

export interface EventHandler {
  handle: RunHandler;
  /**
   * Consecutive events of one entity with the same key are handled as one run (one WeCom read,
   * one apply); events without a key are handled one by one. Only handlers whose whole effect is
   * "read the entity's current state from WeCom and write it" have one: WeCom's callbacks carry
   * ids, not data, so N such events read the same current state N times and the last write
   * wins anyway — one read and one write give the same result.
   */
  coalesce?: string;
}

const nothing: Apply = async () => {};

function field(event: XmlObject, name: string): string {
  const value = xmlText(event, name);
  if (!value) throw new Error(`event has no ${name}`);
  return value;
}

/** Reads from WeCom, or null when the thing is already gone (a later event will say so). */
async function unlessGone<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof WecomApiError && err.gone) return null;
    throw err;
  }
}

const upsertUser: Handler = async (event, { sequelize, wecom, bootstrap }) => {
  const userid = field(event, 'UserID');
  const newUserid = xmlText(event, 'NewUserID');
  const current = newUserid || userid;
  // The event's own Department list stands in where no secret may read the member's details.
  const departments = (xmlText(event, 'Department') ?? '').split(',').filter(Boolean).map(Number);
  const read = await unlessGone(() => new DirectoryReader(wecom).member(current, departments));
  const detail = read && read.department.length ? read : null;
  return async (t) => {
    if (newUserid && newUserid !== userid) {
      // A renamed userid keeps the same local user, its customers and its history.
      await renameWecomUser(sequelize, userid, newUserid, t);
      await renameFollower(sequelize, userid, newUserid, t);
    }
    if (detail) await applyEmployee(sequelize, detail, bootstrap, t);
  };
};

const deleteUser: Handler = async (event, { sequelize }) => {
  const userid = field(event, 'UserID');
  return async (t) => {
    await markUserLeft(sequelize, userid, t);
  };
};

const upsertParty: Handler = async (event, { sequelize, wecom }) => {
  const id = Number(field(event, 'Id'));
  const found = await unlessGone(() => new DirectoryReader(wecom).department(id));
  const departments: WecomDepartment[] = found ? [found] : [];
  return async (t) => {
    await applyDepartments(sequelize, departments, t, new Date(), false);
  };
};

const deleteParty: Handler = async (event, { sequelize }) => {
  const id = Number(field(event, 'Id'));
  return async (t) => {
    await markDepartmentDeleted(sequelize, id, t);
  };
};

/**
 * 添加 / 免验证添加 / 编辑企业客户 (developer.work.weixin.qq.com/document/path/92130): each names a
 * follower and a contact; what changed is read with externalcontact/get (92114), which answers
 * the contact with all its followers. A run of them reads once, writes the mirror once and then
 * runs the hooks once per distinct (follower, change) in order — an `added` keeps its meaning
 * (lead creation, 渠道活码 tags) however many edits surround it. The welcome message is not here:
 * it left at ingest (engagement/welcome.ts).
 */
const refreshExternalContacts: RunHandler = async (events, { sequelize, wecom, hooks }) => {
  const externalUserid = field(events[0]!, 'ExternalUserID');
  const changes = new Map<string, { userid: string; change: ContactChange }>();
  for (const event of events) {
    const userid = field(event, 'UserID');
    const change: ContactChange = xmlText(event, 'ChangeType') === 'edit_external_contact' ? 'edited' : 'added';
    if (!changes.has(`${change}:${userid}`)) changes.set(`${change}:${userid}`, { userid, change });
  }
  const fetched = await unlessGone(() => wecom.getExternalContact(externalUserid));
  return async (t) => {
    if (!fetched) {
      for (const userid of new Set([...changes.values()].map((c) => c.userid))) {
        if (await markRelationDeleted(sequelize, externalUserid, userid, 'gone', t)) await hooks.onRelationEnded(externalUserid, userid, 'gone', t);
      }
      return;
    }
    await applyExternalContact(sequelize, fetched.external_contact, fetched.follow_user, t);
    for (const { userid, change } of changes.values()) await hooks.onExternalContactChanged(externalUserid, userid, change, t);
  };
};

const relationEnded =
  (by: 'employee' | 'customer'): Handler =>
  async (event, { sequelize, hooks }) => {
    const externalUserid = field(event, 'ExternalUserID');
    const userid = field(event, 'UserID');
    // server/wecom/README.md#callback-events: Source DELETE_BY_TRANSFER — 在职继承 moved the customer to a colleague.
    const reason: RelationDeleteReason =
      by === 'customer' ? 'deleted_by_customer' : xmlText(event, 'Source') === 'DELETE_BY_TRANSFER' ? 'transferred' : 'deleted_by_employee';
    return async (t) => {
      if (await markRelationDeleted(sequelize, externalUserid, userid, reason, t)) await hooks.onRelationEnded(externalUserid, userid, reason, t);
    };
  };

/**
 * 客户接替失败 (UserID: the takeover member): the mirror keeps WeCom's reason, then the hooks react
 * like to any other mirror change (the transfers module reads the transfer's status from
 * transfer_result at once).
 */
const transferFailed: Handler = async (event, { sequelize, hooks }) => {
  const externalUserid = field(event, 'ExternalUserID');
  const takeover = field(event, 'UserID');
  const reason = xmlText(event, 'FailReason') ?? 'unknown';
  return async (t) => {
    await recordTransferFailure(sequelize, externalUserid, takeover, reason, t);
    await hooks.onTransferFailed(externalUserid, takeover, t);
  };
};

const refreshGroupChat: Handler = async (event, { sequelize, wecom }) => {
  const chatId = field(event, 'ChatId');
  const fetched = await unlessGone(() => wecom.getGroupChat(chatId));
  return async (t) => {
    if (fetched) await upsertGroupChat(sequelize, fetched.group_chat, t);
    else await markGroupChatDismissed(sequelize, chatId, t);
  };
};

const dismissGroupChat: Handler = async (event, { sequelize }) => {
  const chatId = field(event, 'ChatId');
  return (t) => markGroupChatDismissed(sequelize, chatId, t);
};

const refreshCorpTags: Handler = async (_event, { sequelize, wecom }) => {
  const { tag_group } = await wecom.getCorpTagList();
  return (t) => replaceCorpTags(sequelize, tag_group, t);
};

/** 通讯录 member tags are not part of the CRM model; the event is acknowledged and kept. */
const contactTagChanged: Handler = async () => nothing;

/** One event at a time. */
const single = (handler: Handler): EventHandler => ({ handle: (events, deps) => handler(events[0]!, deps) });

/** A handler that only re-reads its entity: a run is the last event of it (the others would read the same). */
const latest = (coalesce: string, handler: Handler): EventHandler => ({ coalesce, handle: (events, deps) => handler(events.at(-1)!, deps) });

const refreshContact: EventHandler = { coalesce: 'external_contact', handle: refreshExternalContacts };

/**
 * Not coalesced: users (a NewUserID rename must apply, and the event's own Department list
 * stands in for what a secret may not read), every delete / dismiss, del_follow_user and
 * del_external_contact (each names who ended which relation, with its own reason and
 * notifications) and transfer_fail (its own FailReason and a transfer_result poll). They also
 * split runs: edits after a delete are a new run, applied after it.
 */
const HANDLERS: { [E in CallbackEventType]: Record<ChangeTypeOf<E>, EventHandler> } = {
  change_contact: {
    create_user: single(upsertUser),
    update_user: single(upsertUser),
    delete_user: single(deleteUser),
    create_party: latest('party', upsertParty),
    update_party: latest('party', upsertParty),
    delete_party: single(deleteParty),
    update_tag: single(contactTagChanged),
  },
  change_external_contact: {
    add_external_contact: refreshContact,
    edit_external_contact: refreshContact,
    add_half_external_contact: refreshContact,
    del_external_contact: single(relationEnded('employee')),
    del_follow_user: single(relationEnded('customer')),
    transfer_fail: single(transferFailed),
  },
  change_external_chat: {
    create: latest('group_chat', refreshGroupChat),
    update: latest('group_chat', refreshGroupChat),
    dismiss: single(dismissGroupChat),
  },
  // Every tag event re-reads the whole tag list (one entity, `corp_tags`).
  change_external_tag: {
    create: latest('corp_tags', refreshCorpTags),
    update: latest('corp_tags', refreshCorpTags),
    delete: latest('corp_tags', refreshCorpTags),
    shuffle: latest('corp_tags', refreshCorpTags),
  },
};

/** The handler of a stored event's type strings (an event WeCom may send that we do not know has none). */
export function handlerFor(eventType: string, changeType: string | null): EventHandler | undefined {
  const byChange: Readonly<Record<string, Readonly<Record<string, EventHandler>> | undefined>> = HANDLERS;
  return changeType ? byChange[eventType]?.[changeType] : undefined;
}
