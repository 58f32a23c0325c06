/**
 * What each callback event does (DESIGN §6.1). A handler first reads what it needs from WeCom
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
import { transferFailed as pollFailedTransfer } from '../transfers/jobs';
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

export type ContactChange = 'added' | 'edited' | 'synced';

export interface ExternalContactHooks {
  /** After a contact's mirror changed (added, edited, or new / changed in a full sync): matching plugs in here. */
  onExternalContactChanged(externalUserid: string, userid: string, change: ContactChange, transaction: Transaction): Promise<void>;
  /** After a page of a full sync wrote new or changed relations: the same, for all of them at once. */
  onExternalContactsSynced(relations: readonly { externalUserid: string; userid: string }[], transaction: Transaction): Promise<void>;
  /** After a follow relation ended (either side deleted the other, a transfer moved it, or it vanished from WeCom) — once per relation. */
  onRelationEnded(externalUserid: string, userid: string, reason: RelationDeleteReason, transaction: Transaction): Promise<void>;
}

/** Several modules' reactions as one set of hooks, run in the order given. */
export function allHooks(...sets: Partial<ExternalContactHooks>[]): ExternalContactHooks {
  return {
    async onExternalContactChanged(externalUserid, userid, change, transaction) {
      for (const s of sets) await s.onExternalContactChanged?.(externalUserid, userid, change, transaction);
    },
    async onExternalContactsSynced(relations, transaction) {
      for (const s of sets) await s.onExternalContactsSynced?.(relations, transaction);
    },
    async onRelationEnded(externalUserid, userid, reason, transaction) {
      for (const s of sets) await s.onRelationEnded?.(externalUserid, userid, reason, transaction);
    },
  };
}

export interface HandlerDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  bootstrap: RoleBootstrap;
  hooks: ExternalContactHooks;
}

type Handler = (event: XmlObject, deps: HandlerDeps) => Promise<Apply>;

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

const refreshExternalContact =
  (change: 'added' | 'edited'): Handler =>
  async (event, { sequelize, wecom, hooks }) => {
    const externalUserid = field(event, 'ExternalUserID');
    const userid = field(event, 'UserID');
    const fetched = await unlessGone(() => wecom.getExternalContact(externalUserid));
    return async (t) => {
      if (!fetched) {
        if (await markRelationDeleted(sequelize, externalUserid, userid, 'gone', t)) await hooks.onRelationEnded(externalUserid, userid, 'gone', t);
        return;
      }
      await applyExternalContact(sequelize, fetched.external_contact, fetched.follow_user, t);
      await hooks.onExternalContactChanged(externalUserid, userid, change, t);
    };
  };

const relationEnded =
  (by: 'employee' | 'customer'): Handler =>
  async (event, { sequelize, hooks }) => {
    const externalUserid = field(event, 'ExternalUserID');
    const userid = field(event, 'UserID');
    // WECOM.md §B: Source DELETE_BY_TRANSFER — 在职继承 moved the customer to a colleague.
    const reason: RelationDeleteReason =
      by === 'customer' ? 'deleted_by_customer' : xmlText(event, 'Source') === 'DELETE_BY_TRANSFER' ? 'transferred' : 'deleted_by_employee';
    return async (t) => {
      if (await markRelationDeleted(sequelize, externalUserid, userid, reason, t)) await hooks.onRelationEnded(externalUserid, userid, reason, t);
    };
  };

/** 客户接替失败 (UserID: the takeover member): the mirror keeps WeCom's reason; the transfer's status is read from transfer_result at once. */
const transferFailed: Handler = async (event, { sequelize }) => {
  const externalUserid = field(event, 'ExternalUserID');
  const takeover = field(event, 'UserID');
  const reason = xmlText(event, 'FailReason') ?? 'unknown';
  return async (t) => {
    await recordTransferFailure(sequelize, externalUserid, takeover, reason, t);
    await pollFailedTransfer(sequelize, externalUserid, takeover, t);
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

const HANDLERS: Record<string, Record<string, Handler>> = {
  change_contact: {
    create_user: upsertUser,
    update_user: upsertUser,
    delete_user: deleteUser,
    create_party: upsertParty,
    update_party: upsertParty,
    delete_party: deleteParty,
    update_tag: contactTagChanged,
  },
  change_external_contact: {
    add_external_contact: refreshExternalContact('added'),
    edit_external_contact: refreshExternalContact('edited'),
    add_half_external_contact: refreshExternalContact('added'),
    del_external_contact: relationEnded('employee'),
    del_follow_user: relationEnded('customer'),
    transfer_fail: transferFailed,
  },
  change_external_chat: {
    create: refreshGroupChat,
    update: refreshGroupChat,
    dismiss: dismissGroupChat,
  },
  change_external_tag: {
    create: refreshCorpTags,
    update: refreshCorpTags,
    delete: refreshCorpTags,
    shuffle: refreshCorpTags,
  },
};

export function handlerFor(eventType: string, changeType: string | null): Handler | undefined {
  return changeType ? HANDLERS[eventType]?.[changeType] : undefined;
}

/** For tools and tests that mirror contacts without matching them. */
export const NO_HOOKS: ExternalContactHooks = {
  onExternalContactChanged: async () => {},
  onExternalContactsSynced: async () => {},
  onRelationEnded: async () => {},
};
